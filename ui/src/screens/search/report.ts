/**
 * The search-term report's pure parts: the vault's refusal of a list in
 * words, and the line it names. (The report is saved as CSV or PDF by the
 * vault, as the command line writes it.)
 */
import type { BackendError } from "../../lib/backend";
import { sentence } from "../../lib/format";
import { refusalReason } from "./query";

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
