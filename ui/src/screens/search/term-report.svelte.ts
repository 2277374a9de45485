/**
 * The search-term report on the Search screen: the list of terms as typed
 * (one query per line), the report the vault made of the list last run,
 * and why it refused one. Held by the search's state, so it is kept while
 * the vault is open and forgotten with the search when it locks.
 */
import { backend, toBackendError } from "../../lib/backend";
import type { SearchReport } from "../../lib/bindings";
import { sentence } from "../../lib/format";
import { listRefusal } from "./report";

export class TermReportState {
  /** The term list as typed, one query per line. */
  text = $state("");
  /** The list exactly as sent for the report shown (null: none shown). */
  ran = $state<string | null>(null);
  /** The report of `ran` (null: none to show). */
  report = $state.raw<SearchReport | null>(null);
  /** A report is being made. */
  running = $state(false);
  /** Why the vault would not run the list (a term it cannot search exactly, no terms). */
  refused = $state<string | null>(null);
  /** Why the report failed otherwise. */
  error = $state<string | null>(null);
  #seq = 0;

  /** Whether the list on screen is not the one the report counts. */
  get edited(): boolean {
    return this.ran !== null && this.text !== this.ran;
  }

  /**
   * Runs the report of the list as it stands (its exact text: the report's
   * list SHA-256 is of these bytes). A list the vault refuses leaves no
   * report: none of an earlier list's counts are shown as if they answered it.
   */
  async run(): Promise<void> {
    const list = this.text;
    const seq = ++this.#seq;
    this.running = true;
    try {
      const report = await backend().searchReport(list);
      if (seq !== this.#seq) return;
      this.report = report;
      this.ran = list;
      this.refused = null;
      this.error = null;
    } catch (e) {
      if (seq !== this.#seq) return;
      const err = toBackendError(e);
      this.report = null;
      this.ran = null;
      this.refused = listRefusal(err);
      this.error = this.refused === null ? sentence(err.message) : null;
    } finally {
      if (seq === this.#seq) this.running = false;
    }
  }
}
