import { describe, expect, it } from "vitest";
import type { FamilyMember } from "../../lib/bindings";
import { headOf, memberRows, membersOf, placeOf, rowOfHead, segments, type OpenFamily } from "./families";

const member = (id: string, depth: number, parent: string | null): FamilyMember => ({ id, name: `${id}.txt`, depth, parent });
const family = (head: string, at: number, ids: string[]): OpenFamily => ({ head, at, members: ids.map((id) => member(id, 1, head)) });

// Heads H0 … H9 at places 0 … 9; H2's family (3 members) and H5's (2 members) open:
// rows: H0 H1 H2 a b c H3 H4 H5 d e H6 …
const open = [family("H2", 2, ["a", "b", "c"]), family("H5", 5, ["d", "e"])];

describe("open families in the exhibit table", () => {
  it("leave the head and each exhibit found twice out of the members, in tree order", () => {
    const tree = [member("EX-1", 0, null), member("EX-2", 1, "EX-1"), member("EX-3", 1, "EX-1"), member("EX-4", 2, "EX-3"), member("EX-2", 2, "EX-3")];
    expect(membersOf(tree).map((m) => [m.id, m.depth])).toEqual([
      ["EX-2", 1],
      ["EX-3", 1],
      ["EX-4", 2],
    ]);
    expect(membersOf([])).toEqual([]);
  });

  it("place each row at a head or a member, and each head at its row", () => {
    const shown = Array.from({ length: 13 }, (_, i) => {
      const p = placeOf(open, i);
      return "head" in p ? `H${p.head}` : p.family.members![p.member]!.id;
    });
    expect(shown).toEqual(["H0", "H1", "H2", "a", "b", "c", "H3", "H4", "H5", "d", "e", "H6", "H7"]);
    expect([0, 2, 3, 5, 6].map((h) => rowOfHead(open, h))).toEqual([0, 2, 6, 8, 11]);
    expect([3, 5, 9, 11].map((row) => headOf(open, row))).toEqual([2, 2, 5, 6]);
    expect(memberRows(open)).toBe(5);
    // A family whose members are on their way adds no rows yet.
    const opening: OpenFamily[] = [{ head: "H2", at: 2, members: null }];
    expect([memberRows(opening), rowOfHead(opening, 3), headOf(opening, 3)]).toEqual([0, 3, 3]);
  });

  it("cut a range of rows into runs of heads and of members", () => {
    expect(segments(open, 0, 12)).toEqual([{ heads: [0, 2] }, { members: ["a", "b", "c"] }, { heads: [3, 5] }, { members: ["d", "e"] }, { heads: [6, 7] }]);
    expect(segments(open, 4, 7)).toEqual([{ members: ["b", "c"] }, { heads: [3, 4] }]);
    expect(segments(open, 9, 9)).toEqual([{ members: ["d"] }]);
    expect(segments(open, 11, 20)).toEqual([{ heads: [6, 15] }]);
    expect(segments([], 3, 5)).toEqual([{ heads: [3, 5] }]);
  });
});
