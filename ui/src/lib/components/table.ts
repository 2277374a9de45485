/** A column of a `VirtualTable`. */
export interface Column<T> {
  key: string;
  label: string;
  /** Any CSS grid track size; defaults to a flexible share of the width. */
  width?: string;
  /** Makes the column sortable; compares two rows in ascending order. */
  sort?: (a: T, b: T) => number;
  /** With a row source: the source can sort by this column. */
  sortable?: boolean;
  /** The cell's text (rendered as text, never as HTML). */
  render: (row: T) => string;
  /** Monospaced, tabular figures: hashes, sizes, times. */
  mono?: boolean;
  /** Makes a cell's text a button (e.g. to open another row's record); null: plain text. */
  link?: (row: T) => CellLink | null;
  /**
   * A button before the cell's text that shows or hides the rows beneath
   * this one (a family's members under its head); null: none for this row,
   * its place kept so the texts line up.
   */
  disclosure?: (row: T) => CellDisclosure | null;
  /** How many levels the row sits beneath another (0: none), shown as an indented "↳". */
  indent?: (row: T) => number;
}

/** What a cell's disclosure button shows and does. */
export interface CellDisclosure {
  /** Whether the rows beneath are shown. */
  expanded: boolean;
  /** Accessible name, e.g. "Show the 3 exhibits in EX-0004's family". */
  label: string;
  /** Shown beside the arrow, e.g. how many rows it hides. */
  count: string;
  /** The rows beneath are on their way. */
  busy?: boolean;
  toggle: () => void;
}

/** What a cell's button does. */
export interface CellLink {
  /** Accessible name, e.g. "Open EX-0003, which EX-0004 was found in". */
  label: string;
  open: () => void;
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

/**
 * Rows a window at a time, for a `VirtualTable` over more rows than a
 * screen should hold: the source filters, sorts and counts, fetches the
 * windows asked for and answers for the rows it holds.
 */
export interface RowSource<T> {
  /** Rows in all. */
  readonly total: number;
  /** Row `index`, or undefined while it is being fetched. */
  row(index: number): T | undefined;
  /** The position of the row with `key` among the rows held, or -1. */
  indexOf(key: string): number;
  /** Rows `first` to `last - 1` are drawn: fetch those not held. */
  need(first: number, last: number): void;
  /** The keys of rows `lo` to `hi` (inclusive), fetched if need be. */
  keys(lo: number, hi: number): Promise<string[]>;
  /** How many of `selected` are among all the rows. */
  selectedCount(selected: ReadonlySet<string>): number;
  /**
   * The keys "select all" takes, when they are more than the rows drawn
   * (rows a row hides beneath it); without it, those of every row.
   */
  allKeys?(): Promise<string[]>;
}
