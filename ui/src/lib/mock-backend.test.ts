import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { createMockBackend, MOCK_MATTER, mockExhibit, mockProcessing, type MockProcessed } from "./mock-backend";

const open = { matter: MOCK_MATTER, path: "/v", demo: false, examiner: "Dana Whitfield" };

function mock() {
  const text = (t: string): MockProcessed => ({ processing: mockProcessing({ status: "done", kind: "text" }), metadata: [], derivations: [], text: t });
  return createMockBackend({
    open,
    exhibits: [
      mockExhibit(1, { name: "Falcon price list.pdf", mime: "application/pdf", tags: ["hot"] }),
      mockExhibit(2, { name: "notes.txt", custodian: "Zoë Évrard" }),
      mockExhibit(3, { name: "minutes.txt", custodian: "IT Department", tags: ["privileged"] }),
    ],
    processed: new Map([
      ["EX-0002", text("The FALCON délivery was late; see the price list.")],
      ["EX-0003", text("Board minutes: nothing about birds.")],
    ]),
  });
}

const ids = async (q: string) => (await mock().searchExhibits(q, 100)).map((h) => h.id);

describe("the mock's search", () => {
  it("finds words regardless of case and accents, phrases, prefixes, AND/OR/NOT and fields", async () => {
    expect(await ids("falcon")).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("delivery")).toEqual(["EX-0002"]);
    expect(await ids('"price list"')).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("min*")).toEqual(["EX-0003"]);
    expect(await ids("falcon NOT tag:hot")).toEqual(["EX-0002"]);
    expect(await ids("birds OR tag:hot")).toEqual(["EX-0001", "EX-0003"]);
    expect(await ids('custodian:"zoe evrard"')).toEqual(["EX-0002"]);
    expect(await ids("type:pdf")).toEqual(["EX-0001"]);
    expect(await ids("collected:2026-06-03..2026-06-04")).toEqual(["EX-0002", "EX-0003"]);
  });

  it("marks the words found in the snippet", async () => {
    const [hit] = await mock().searchExhibits("delivery", 10);
    expect(hit?.snippet).toBe("The FALCON «délivery» was late; see the price list.");
  });

  it("refuses what the vault refuses, with its message", async () => {
    const refusal = (q: string) => mock().searchExhibits(q, 10).then(() => null, (e: BackendError) => [e.code, e.message]);
    expect(await refusal("*cret")).toEqual([
      "invalid_input",
      "the query cannot be searched exactly: *cret: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly",
    ]);
    expect(await refusal('ab"c')).toEqual(["invalid_input", 'the query cannot be searched exactly: the quote at character 3 is never closed; add the closing "']);
    expect((await refusal("colour:red"))?.[1]).toMatch(/^the query cannot be searched exactly: colour: is not a field \(the fields are from, to, /);
  });
});

describe("the mock's search-term report", () => {
  const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

  it("counts each term's documents, with their families and unique to it, the total, and hashes the list and the set", async () => {
    const b = mock();
    // EX-0004 is found inside EX-0001: one family.
    b.state.exhibits.push(mockExhibit(4, { name: "birdsong.txt", parent: "EX-0001", family: "EX-0001" }));
    const list = "falcon\n\n  delivery \nbirdsong\nzebra\n";
    const r = await b.searchReport(list);
    expect(r.terms).toEqual([
      { term: "falcon", documents: 2, with_families: 3, unique: 1 },
      { term: "delivery", documents: 1, with_families: 1, unique: 0 },
      { term: "birdsong", documents: 1, with_families: 2, unique: 1 },
      { term: "zebra", documents: 0, with_families: 0, unique: 0 },
    ]);
    expect(r.total).toEqual({ term: "(any term)", documents: 3, with_families: 3, unique: 2 });
    expect(r.searched).toBe(4);
    expect(r.terms_sha256).toBe(sha256(list));
    const hashes = b.state.exhibits.map((e) => e.sha256).sort();
    expect(r.searched_sha256).toBe(sha256(hashes.map((h) => `${h}\n`).join("")));
  });

  it("refuses a list with a term it cannot search, naming the line, and a list without terms", async () => {
    const refusal = (list: string) => mock().searchReport(list).then(() => null, (e: BackendError) => [e.code, e.message]);
    expect(await refusal("falcon\n*cret\n")).toEqual([
      "invalid_input",
      "the query cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly",
    ]);
    expect(await refusal(" \n\n")).toEqual(["invalid_input", "the term list has no terms (one query per line)"]);
  });
});
