/** A column of a `VirtualTable`. */
export interface Column<T> {
  key: string;
  label: string;
  /** Any CSS grid track size; defaults to a flexible share of the width. */
  width?: string;
  /** Makes the column sortable; compares two rows in ascending order. */
  sort?: (a: T, b: T) => number;
  /** The cell's text (rendered as text, never as HTML). */
  render: (row: T) => string;
  /** Monospaced, tabular figures: hashes, sizes, times. */
  mono?: boolean;
}

export type SortDirection = "ascending" | "descending";

/** Compares strings the way people expect ("EX-2" before "EX-10"). */
export const compareText = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }).compare;

/** Sorts a copy of `rows`; equal rows keep their order. */
export function sortRows<T>(rows: readonly T[], sort: ((a: T, b: T) => number) | undefined, direction: SortDirection): T[] {
  const copy = rows.slice();
  if (!sort) return copy;
  return direction === "ascending" ? copy.sort(sort) : copy.sort((a, b) => sort(b, a));
}
