/**
 * The exhibit list as the Exhibits screen shows it: the filter, the order,
 * the selection, the scroll position and the rows fetched so far, a window
 * at a time from the vault (which filters, sorts and counts). It lives
 * outside the screen, so opening an exhibit and coming back finds the list
 * as it was; the detail screen steps through it with previous and next.
 */
import { backend } from "../../lib/backend";
import type { CustodianFilter, Direction, Exhibit, ExhibitOrder, ExhibitQuery } from "../../lib/bindings";
import type { RowSource, SortDirection } from "../../lib/components/table";
import { session } from "../../lib/session.svelte";

/** Rows one fetch asks for. */
export const PAGE = 200;
/** Select values: "" is everything, "-" is "none recorded", "=x" is x. */
export const ALL = "";
export const NONE = "-";

/** The vault's order for each sortable column of the table. */
export const ORDER_OF: Record<string, ExhibitOrder> = {
  id: "number",
  name: "name",
  mime: "type",
  size: "size",
  custodian: "custodian",
  collected: "collected",
  sha256: "sha256",
};

export class ExhibitList implements RowSource<Exhibit> {
  /** The vault the list is of (a list of another vault is started afresh). */
  readonly vaultId: string | null;
  /** The filter's words, as typed. */
  text = $state("");
  /** The words the rows were fetched for (the typed ones after a pause). */
  appliedText = $state("");
  custodian = $state(ALL);
  tag = $state(ALL);
  sortKey = $state<string | null>(null);
  sortDirection = $state<SortDirection>("ascending");
  selected = $state.raw(new Set<string>());
  scrollTop = $state(0);
  activeKey = $state<string | null>(null);

  /** Rows matching, in all (null until the first window came). */
  matching = $state<number | null>(null);
  /** Why the rows could not be fetched. */
  error = $state<string | null>(null);

  /** Bumped whenever rows arrive, so the table draws them. */
  #version = $state(0);
  /** Bumped whenever the query changes or the rows must be read again. */
  #generation = 0;
  #pages = new Map<number, Exhibit[]>();
  #loading = new Set<number>();
  #index = new Map<string, number>();
  #ids: Promise<string[]> | null = null;
  /** The rows the table last drew (asked for again after a reload). */
  #drawn: [number, number] = [0, PAGE];
  /** The ids of every row matching, once asked for (for counts and ranges). */
  #idSet = $state.raw<Set<string> | null>(null);

  constructor(vaultId: string | null) {
    this.vaultId = vaultId;
  }

  /** The vault's query for the list as it stands (a window from `offset`). */
  query(offset = 0, limit = PAGE): ExhibitQuery {
    const custodian: CustodianFilter =
      this.custodian === ALL ? { kind: "any" } : this.custodian === NONE ? { kind: "unrecorded" } : { kind: "named", name: this.custodian.slice(1) };
    const direction: Direction = this.sortDirection;
    return {
      text: this.appliedText,
      custodian,
      tag: this.tag === ALL ? null : this.tag.slice(1),
      order: (this.sortKey !== null && ORDER_OF[this.sortKey]) || "number",
      direction: this.sortKey === null ? "ascending" : direction,
      offset,
      limit,
    };
  }

  /** Whether anything narrows the list. */
  get filtering(): boolean {
    return this.appliedText.trim() !== "" || this.custodian !== ALL || this.tag !== ALL;
  }

  get total(): number {
    return this.matching ?? 0;
  }

  row(index: number): Exhibit | undefined {
    void this.#version;
    return this.#pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  indexOf(key: string): number {
    void this.#version;
    return this.#index.get(key) ?? -1;
  }

  need(first: number, last: number): void {
    this.#drawn = [first, last];
    // The window drawn and half a page beyond each edge.
    const from = Math.max(0, Math.floor((first - PAGE / 2) / PAGE));
    const to = Math.floor((last + PAGE / 2) / PAGE);
    for (let p = from; p <= to; p++) {
      if (p > 0 && this.matching !== null && p * PAGE >= this.matching) break;
      void this.#fetch(p);
    }
  }

  async keys(lo: number, hi: number): Promise<string[]> {
    const ids = await this.#allIds();
    return ids.slice(lo, hi + 1);
  }

  selectedCount(selected: ReadonlySet<string>): number {
    if (selected.size === 0) return 0;
    if (!this.filtering) return selected.size;
    const ids = this.#idSet;
    if (ids === null) {
      void this.#allIds();
      return 0;
    }
    let n = 0;
    for (const id of selected) if (ids.has(id)) n++;
    return n;
  }

  /** Selected exhibits the filter hides. */
  get hiddenSelected(): number {
    return this.filtering ? this.selected.size - this.selectedCount(this.selected) : 0;
  }

  /** The query changed (or the vault did): fetch from the first row again. */
  reload(keepPlace = false): void {
    this.#generation++;
    this.#pages = new Map();
    this.#loading = new Set();
    this.#index = new Map();
    this.#ids = null;
    this.#idSet = null;
    if (!keepPlace) {
      this.scrollTop = 0;
      this.#drawn = [0, PAGE];
    }
    this.#version++;
    this.need(...this.#drawn);
  }

  /** The row at `index` of the list, fetched if need be (previous/next). */
  async at(index: number): Promise<Exhibit | undefined> {
    if (index < 0 || (this.matching !== null && index >= this.matching)) return undefined;
    await this.#fetch(Math.floor(index / PAGE));
    return this.row(index);
  }

  async #fetch(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#loading.has(page)) return;
    const generation = this.#generation;
    this.#loading.add(page);
    try {
      const w = await backend().exhibitWindow(this.query(page * PAGE));
      if (generation !== this.#generation) return;
      this.#pages.set(page, w.rows);
      w.rows.forEach((e, i) => this.#index.set(e.id, page * PAGE + i));
      this.matching = w.total;
      this.error = null;
      this.#version++;
    } catch (e) {
      if (generation === this.#generation) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (generation === this.#generation) this.#loading.delete(page);
    }
  }

  #allIds(): Promise<string[]> {
    if (!this.#ids) {
      const generation = this.#generation;
      this.#ids = backend()
        .exhibitIds(this.query(0, 1))
        .then((ids) => {
          if (generation === this.#generation) this.#idSet = new Set(ids);
          return ids;
        });
    }
    return this.#ids;
  }
}

let current: ExhibitList | null = null;

/** The exhibit list of the open vault, as it was left. */
export function exhibitList(): ExhibitList {
  const vaultId = session.vault?.matter.vault_id ?? null;
  if (!current || current.vaultId !== vaultId) current = new ExhibitList(vaultId);
  return current;
}

/** The list as it was left, if it is the open vault's (null: none yet). */
export function currentExhibitList(): ExhibitList | null {
  const vaultId = session.vault?.matter.vault_id ?? null;
  return current && current.vaultId === vaultId ? current : null;
}

/** Forgets the list (tests; a locked vault's list is dropped by its id). */
export function forgetExhibitList(): void {
  current = null;
}
