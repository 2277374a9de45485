/**
 * The custody log as its screen shows it: the filters, the order, the
 * selection and the events fetched so far, a window at a time from the
 * vault (which filters, orders by sequence number and counts). A log can
 * hold millions of events, so only the windows drawn are ever held.
 */
import { backend } from "../../lib/backend";
import type { Action, CustodyQuery, LoggedEvent } from "../../lib/bindings";
import type { RowSource, SortDirection } from "../../lib/components/table";
import { PAGE, PagedRows } from "../../lib/paged-rows.svelte";

export { PAGE };
/** The most events the vault gives in one window. */
export const MAX_WINDOW = 2000;

/** What narrows the log: the query without its order and window. */
export type CustodyFilter = Pick<CustodyQuery, "exhibit" | "action" | "actor" | "from" | "to">;

/** The whole log. */
export const NO_FILTER: CustodyFilter = { exhibit: null, action: null, actor: null, from: null, to: null };

/** A query of `filter`: `limit` events from `offset`, in `direction`. */
export function custodyQuery(filter: CustodyFilter, direction: SortDirection, offset: number, limit: number): CustodyQuery {
  return { ...filter, direction, offset, limit };
}

/**
 * The exhibit id the vault is asked for: the vault matches whole ids
 * exactly, so "ex-0007" typed in a vault numbering "EX-" means "EX-0007".
 * Nothing typed is null (every exhibit).
 */
export function exhibitId(typed: string, prefix: string): string | null {
  const id = typed.trim();
  if (!id) return null;
  if (prefix && id.toLowerCase().startsWith(prefix.toLowerCase())) return prefix + id.slice(prefix.length);
  return id;
}

/** A date input's value as a day for the vault ("" or anything else: no bound). */
function day(value: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

export class CustodyLog implements RowSource<LoggedEvent> {
  /** The exhibit prefix of the vault, for `exhibitId`. */
  readonly prefix: string;
  /** The exhibit and the examiner the rows are fetched for (typed text, once applied). */
  exhibit = $state("");
  actor = $state("");
  /** "" is every action. */
  action = $state<Action | "">("");
  /** UTC days, "YYYY-MM-DD", or "" for no bound. */
  from = $state("");
  to = $state("");
  /** The table's order: by sequence number, the newest first until flipped. */
  sortKey = $state<string | null>("seq");
  sortDirection = $state<SortDirection>("descending");
  selected = $state.raw(new Set<string>());
  scrollTop = $state(0);
  activeKey = $state<string | null>(null);

  /** Events in the whole log (null until known). */
  logTotal = $state<number | null>(null);

  /** The events fetched so far, near those drawn. */
  readonly #rows = new PagedRows<LoggedEvent>(
    async (offset, limit) => {
      const filtered = this.filtering;
      const w = await backend().custodyWindow(this.query(offset, limit));
      if (!filtered) this.logTotal = w.total;
      else if (this.logTotal === null) void this.#countLog();
      return { total: w.total, rows: w.events };
    },
    (e) => String(e.seq),
  );
  #counting = false;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Events matching the filter, in all (null until the first window came). */
  get matching(): number | null {
    return this.#rows.total;
  }

  /** Why the events could not be fetched. */
  get error(): string | null {
    return this.#rows.error;
  }

  /** Pages of events held now. */
  get heldPages(): number {
    return this.#rows.heldPages;
  }

  /** The filter as it stands, as the vault takes it. */
  filter(): CustodyFilter {
    return {
      exhibit: exhibitId(this.exhibit, this.prefix),
      action: this.action === "" ? null : this.action,
      actor: this.actor.trim() === "" ? null : this.actor.trim(),
      from: day(this.from),
      to: day(this.to),
    };
  }

  /** The order asked of the vault; the sequence column is the only one to sort by. */
  get direction(): SortDirection {
    return this.sortKey === "seq" ? this.sortDirection : "descending";
  }

  /** The vault's query for the table as it stands (a window from `offset`). */
  query(offset = 0, limit = PAGE): CustodyQuery {
    return custodyQuery(this.filter(), this.direction, offset, limit);
  }

  /** Whether anything narrows the log. */
  get filtering(): boolean {
    return Object.values(this.filter()).some((v) => v !== null);
  }

  get total(): number {
    return this.matching ?? 0;
  }

  row(index: number): LoggedEvent | undefined {
    return this.#rows.row(index);
  }

  indexOf(key: string): number {
    return this.#rows.indexOf(key);
  }

  need(first: number, last: number): void {
    this.#rows.need(first, last);
  }

  async keys(lo: number, hi: number): Promise<string[]> {
    const n = this.matching ?? 0;
    hi = Math.min(hi, n - 1);
    if (hi < lo) return [];
    if (!this.filtering) {
      // The whole log is numbered 1 to N without gaps: no need to ask.
      const seqAt = this.direction === "ascending" ? (i: number) => i + 1 : (i: number) => n - i;
      return Array.from({ length: hi - lo + 1 }, (_, i) => String(seqAt(lo + i)));
    }
    const generation = this.#rows.generation;
    const keys: string[] = [];
    for (let at = lo; at <= hi; at += MAX_WINDOW) {
      const w = await backend().custodyWindow(this.query(at, Math.min(MAX_WINDOW, hi - at + 1)));
      // The filter changed meanwhile: these are not the rows asked about.
      if (generation !== this.#rows.generation) return [];
      for (const e of w.events) keys.push(String(e.seq));
      if (w.events.length === 0) break;
    }
    return keys;
  }

  selectedCount(selected: ReadonlySet<string>): number {
    // A new filter clears the selection (see `reload`), so every event
    // selected is among the rows.
    return selected.size;
  }

  /**
   * The query changed (or must be asked again): fetch from the first row.
   * A new filter also clears the selection, as the vault cannot say which
   * of the events selected it keeps without reading them all; a new order
   * keeps it (the same events, the other way round).
   */
  reload(options: { keepPlace?: boolean; keepSelection?: boolean } = {}): void {
    if (!options.keepSelection && this.selected.size > 0) this.selected = new Set();
    if (!options.keepPlace) {
      this.scrollTop = 0;
      this.activeKey = null;
    }
    this.#rows.reset(options.keepPlace === true);
  }

  /** The whole log's count, for "N of M events" while a filter narrows it. */
  async #countLog(): Promise<void> {
    if (this.#counting) return;
    this.#counting = true;
    try {
      const w = await backend().custodyWindow(custodyQuery(NO_FILTER, "descending", 0, 1));
      this.logTotal = w.total;
    } catch {
      // The count waits for the next window; a failing vault shows its
      // problem through the windows themselves.
    } finally {
      this.#counting = false;
    }
  }
}
