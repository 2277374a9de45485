/**
 * The search-term report's pure parts: the report as CSV (the same file the
 * command line's `custos search-report --out` writes), its file name, and
 * the vault's refusal of a list in words.
 */
import { guardCell } from "../../lib/actions";
import type { BackendError } from "../../lib/backend";
import type { SearchReport, TermCount } from "../../lib/bindings";
import { fileDay, fileSlug, sentence, toCsv } from "../../lib/format";
import { refusalReason } from "./query";

/** The columns of a search-term report CSV, in order. */
export const TERM_REPORT_CSV_HEADER = ["term", "documents", "with_families", "unique"] as const;

/**
 * The report as CSV (RFC 4180, CRLF): the header, a row per term in the
 * list's order, the total row, then the SHA-256 of the term list and of the
 * set searched (with the exhibits searched). A term a spreadsheet would run
 * as a formula is kept as text (a leading ').
 */
export function termReportCsv(r: SearchReport): string {
  const row = (t: TermCount) => [guardCell(t.term), String(t.documents), String(t.with_families), String(t.unique)];
  return toCsv([
    [...TERM_REPORT_CSV_HEADER],
    ...r.terms.map(row),
    row(r.total),
    ["term list SHA-256", r.terms_sha256, "", ""],
    ["searched set SHA-256", r.searched_sha256, String(r.searched), ""],
  ]);
}

/** `search-term-report-halvorsen-dynamics-v-brandt-20260602.csv` ("vault" when the matter has no usable name). */
export function termReportFileName(matter: string, now: Date = new Date()): string {
  return `search-term-report-${fileSlug(matter) || "vault"}-${fileDay(now)}.csv`;
}

/** How a refusal of a term the vault cannot search exactly begins, in words. */
export const TERM_REFUSED = "A term cannot be searched exactly: ";

/**
 * Why the vault would not run the list, in words (a term it cannot search
 * exactly, naming its line; a list without terms), or null when the error
 * is another.
 */
export function listRefusal(e: BackendError): string | null {
  if (e.code !== "invalid_input") return null;
  const reason = refusalReason(e);
  return reason !== null ? `${TERM_REFUSED}${reason}` : sentence(e.message);
}

/** The line a refusal names ("…: line 2 (*cret): …"), or null. */
export function refusedLine(refusal: string): number | null {
  const m = /: line (\d+) \(/.exec(refusal);
  return m ? Number(m[1]) : null;
}

/** Where line `n` (from 1) of `text` begins and ends (its line feed not included); null when there is no such line. */
export function lineSpan(text: string, n: number): { start: number; end: number } | null {
  if (!Number.isInteger(n) || n < 1) return null;
  let start = 0;
  for (let i = 1; i < n; i++) {
    const next = text.indexOf("\n", start);
    if (next < 0) return null;
    start = next + 1;
  }
  const end = text.indexOf("\n", start);
  return { start, end: end < 0 ? text.length : end };
}
