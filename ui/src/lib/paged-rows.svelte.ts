/**
 * Rows of a long list fetched from the vault a page at a time, for a
 * `RowSource`: the pages near the rows drawn are held (the rest are let go,
 * so scrolling through 500,000 rows holds only a few pages), a page being
 * fetched is fetched once, and answers to an older query are dropped.
 */
import { toBackendError } from "./backend";

/** Rows one fetch asks for. */
export const PAGE = 200;
/** Pages held beyond each edge of those drawn. */
export const KEEP_PAGES = 4;

/** A window of rows and how many match in all. */
export interface Fetched<T> {
  total: number;
  rows: T[];
}

export class PagedRows<T> {
  /** Rows matching, in all (null until the first window came). */
  total = $state<number | null>(null);
  /** Why rows could not be fetched. */
  error = $state<string | null>(null);

  /** Bumped whenever rows arrive or go, so the table draws them. */
  #version = $state(0);
  /** Bumped by every new query: answers to an older one are dropped. */
  #generation = 0;
  #pages = new Map<number, T[]>();
  #loading = new Map<number, Promise<void>>();
  #index = new Map<string, number>();
  /** The rows the table last drew (asked for again after a reset). */
  #drawn: [number, number] = [0, PAGE];

  readonly #fetchWindow: (offset: number, limit: number) => Promise<Fetched<T>>;
  readonly #keyOf: (row: T) => string;

  constructor(fetchWindow: (offset: number, limit: number) => Promise<Fetched<T>>, keyOf: (row: T) => string) {
    this.#fetchWindow = fetchWindow;
    this.#keyOf = keyOf;
  }

  /** The current query's number (changes with every `reset`). */
  get generation(): number {
    return this.#generation;
  }

  /** Pages held now (for tests of the memory bound). */
  get heldPages(): number {
    return this.#pages.size;
  }

  row(index: number): T | undefined {
    void this.#version;
    return this.#pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  indexOf(key: string): number {
    void this.#version;
    return this.#index.get(key) ?? -1;
  }

  /** Rows `first` to `last - 1` are drawn: fetches the pages they need and
   * half a page beyond each edge, and lets go of pages far from them. */
  need(first: number, last: number): void {
    this.#drawn = [first, last];
    const from = Math.max(0, Math.floor((first - PAGE / 2) / PAGE));
    const to = Math.floor((last + PAGE / 2) / PAGE);
    // The rows of far pages go; their keys' positions stay (the table's
    // active and anchor rows may be among them), until the next query.
    let dropped = false;
    for (const page of [...this.#pages.keys()]) {
      if (page < from - KEEP_PAGES || page > to + KEEP_PAGES) {
        this.#pages.delete(page);
        dropped = true;
      }
    }
    if (dropped) this.#version++;
    for (let p = from; p <= to; p++) {
      if (p > 0 && this.total !== null && p * PAGE >= this.total) break;
      void this.fetch(p);
    }
  }

  /** A new query (or the same asked again): drops every row held and
   * fetches those drawn, or the first ones unless `keepPlace`. */
  reset(keepPlace: boolean): void {
    this.#generation++;
    this.#pages = new Map();
    this.#loading = new Map();
    this.#index = new Map();
    this.error = null;
    if (!keepPlace) this.#drawn = [0, PAGE];
    this.#version++;
    this.need(...this.#drawn);
  }

  /** Row `index`, fetched if need be (waiting for a fetch under way, and
   * fetching again if the query changed meanwhile). */
  async at(index: number): Promise<T | undefined> {
    for (let tries = 0; tries < 3; tries++) {
      if (index < 0 || (this.total !== null && index >= this.total)) return undefined;
      const generation = this.#generation;
      await this.fetch(Math.floor(index / PAGE));
      if (generation === this.#generation) return this.row(index);
    }
    return this.row(index);
  }

  /** Fetches page `page` unless it is held; a fetch under way is shared. */
  fetch(page: number): Promise<void> {
    if (this.#pages.has(page)) return Promise.resolve();
    const pending = this.#loading.get(page);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = (async () => {
      try {
        const w = await this.#fetchWindow(page * PAGE, PAGE);
        if (generation !== this.#generation) return;
        this.#pages.set(page, w.rows);
        w.rows.forEach((r, i) => this.#index.set(this.#keyOf(r), page * PAGE + i));
        this.total = w.total;
        this.error = null;
        this.#version++;
      } catch (e) {
        if (generation === this.#generation) this.error = toBackendError(e).message;
      } finally {
        if (generation === this.#generation) this.#loading.delete(page);
      }
    })();
    this.#loading.set(page, loading);
    return loading;
  }
}
