/**
 * Families shown open in the exhibit table: the rows are the heads the vault
 * lists a window at a time, with each open family's members drawn beneath
 * its head. These pure functions map a row of the table to a head or a
 * member and back, so the table scrolls, selects and steps through the rows
 * it draws while only the heads (and the open families) are fetched.
 */
import type { FamilyMember } from "../../lib/bindings";

/** A family shown open beneath its head. */
export interface OpenFamily {
  /** The head's id. */
  readonly head: string;
  /** The head's place among the heads (its row with every family closed). */
  readonly at: number;
  /** Its members in tree order, the head left out (null while they are read). */
  readonly members: readonly FamilyMember[] | null;
}

/** Where a row of the table is: a head (by its place among the heads) or a member of an open family. */
export type Place = { head: number } | { family: OpenFamily; member: number };

/** A run of rows: heads `from` to `to` (inclusive, places among the heads), or members by id. */
export type Segment = { heads: [number, number] } | { members: string[] };

/** A family's members as the table shows them: the tree without its head, each exhibit once (where it is first found). */
export function membersOf(tree: readonly FamilyMember[]): FamilyMember[] {
  const head = tree[0]?.id;
  const seen = new Set<string>();
  const out: FamilyMember[] = [];
  for (const m of tree.slice(1)) {
    if (m.id === head || seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

/** Rows an open family adds beneath its head. */
function rowsOf(f: OpenFamily): number {
  return f.members?.length ?? 0;
}

/** Rows the open families add in all. */
export function memberRows(open: readonly OpenFamily[]): number {
  return open.reduce((n, f) => n + rowsOf(f), 0);
}

/** Where row `index` is (`open` in head order). */
export function placeOf(open: readonly OpenFamily[], index: number): Place {
  let shift = 0;
  for (const f of open) {
    const headRow = f.at + shift;
    if (index <= headRow) break;
    if (index <= headRow + rowsOf(f)) return { family: f, member: index - headRow - 1 };
    shift += rowsOf(f);
  }
  return { head: index - shift };
}

/** The place among the heads of row `index`'s head (its own for a head). */
export function headOf(open: readonly OpenFamily[], index: number): number {
  const p = placeOf(open, index);
  return "head" in p ? p.head : p.family.at;
}

/** The row of the head at place `at`. */
export function rowOfHead(open: readonly OpenFamily[], at: number): number {
  let row = at;
  for (const f of open) {
    if (f.at >= at) break;
    row += rowsOf(f);
  }
  return row;
}

/** Rows `lo` to `hi` (inclusive) as runs of heads and of members, in order. */
export function segments(open: readonly OpenFamily[], lo: number, hi: number): Segment[] {
  const out: Segment[] = [];
  let shift = 0;
  let cursor = lo;
  for (const f of open) {
    if (cursor > hi) break;
    const headRow = f.at + shift;
    if (cursor <= headRow) {
      const end = Math.min(hi, headRow);
      out.push({ heads: [cursor - shift, end - shift] });
      cursor = end + 1;
    }
    const n = rowsOf(f);
    if (n > 0 && cursor <= hi && cursor <= headRow + n) {
      const first = headRow + 1;
      const end = Math.min(hi, headRow + n);
      out.push({ members: f.members!.slice(cursor - first, end - first + 1).map((m) => m.id) });
      cursor = end + 1;
    }
    shift += n;
  }
  if (cursor <= hi) out.push({ heads: [cursor - shift, hi - shift] });
  return out;
}
