/**
 * The exhibit list as the Exhibits screen shows it: the filter, the order,
 * the selection, the scroll position and the rows fetched so far, a window
 * at a time from the vault (which filters, sorts and counts). It lives
 * outside the screen, so opening an exhibit and coming back finds the list
 * as it was; the detail screen steps through it with previous and next.
 */
import { backend, toBackendError } from "../../lib/backend";
import { formatCount } from "../../lib/format";
import { JobTracker } from "../../lib/job.svelte";
import type { CustodianFilter, Direction, Exhibit, ExhibitOrder, ExhibitQuery } from "../../lib/bindings";
import type { RowSource, SortDirection } from "../../lib/components/table";
import { PAGE, PagedRows } from "../../lib/paged-rows.svelte";
import { session } from "../../lib/session.svelte";

/** The most rows the vault gives in one window. */
const MAX_WINDOW = 2000;
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
  /** A row for the table to bring into view when shown again. */
  revealIndex = $state<number | null>(null);

  /** Tagging the selection: a job that leaves the app usable, so it is
   * kept here and still shown after leaving the screen and coming back. */
  readonly tagJob = new JobTracker();
  tagResult = $state<string | null>(null);
  tagError = $state<string | null>(null);
  /** Bumped when tagging ended: the tags offered may have changed. */
  tagged = $state(0);

  /** The rows fetched so far, near those drawn. */
  readonly #rows = new PagedRows<Exhibit>(
    async (offset, limit) => {
      const w = await backend().exhibitWindow(this.query(offset, limit));
      return { total: w.total, rows: w.rows };
    },
    (e) => e.id,
  );
  #ids: Promise<string[]> | null = null;
  /** The ids of every row matching, once asked for (for counts and ranges). */
  #idSet = $state.raw<Set<string> | null>(null);

  constructor(vaultId: string | null) {
    this.vaultId = vaultId;
  }

  /** Rows matching, in all (null until the first window came). */
  get matching(): number | null {
    return this.#rows.total;
  }

  /** Why the rows could not be fetched. */
  get error(): string | null {
    return this.#rows.error;
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
    return this.#rows.row(index);
  }

  indexOf(key: string): number {
    return this.#rows.indexOf(key);
  }

  need(first: number, last: number): void {
    this.#rows.need(first, last);
  }

  /** Pages of rows held now. */
  get heldPages(): number {
    return this.#rows.heldPages;
  }

  async keys(lo: number, hi: number): Promise<string[]> {
    const generation = this.#rows.generation;
    let keys: string[];
    if (hi - lo < MAX_WINDOW) {
      // A short range (a shift-click): its own window, not every id.
      const w = await backend().exhibitWindow(this.query(lo, hi - lo + 1));
      keys = w.rows.map((e) => e.id);
    } else {
      keys = (await this.#allIds()).slice(lo, hi + 1);
    }
    // The list changed meanwhile: these are not the rows asked about.
    return generation === this.#rows.generation ? keys : [];
  }

  selectedCount(selected: ReadonlySet<string>): number {
    if (selected.size === 0) return 0;
    if (!this.filtering) return selected.size;
    const ids = this.#idSet;
    if (ids === null) {
      void this.#allIds().catch(() => undefined);
      return 0;
    }
    let n = 0;
    for (const id of selected) if (ids.has(id)) n++;
    return n;
  }

  /** Selected exhibits the filter hides (0 until the filter's ids are known). */
  get hiddenSelected(): number {
    if (!this.filtering || this.#idSet === null) return 0;
    return this.selected.size - this.selectedCount(this.selected);
  }

  /** The query changed (or the vault did): fetch from the first row. */
  reload(keepPlace = false): void {
    this.#ids = null;
    this.#idSet = null;
    if (!keepPlace) this.scrollTop = 0;
    this.#rows.reset(keepPlace);
  }

  /** The row at `index` of the list, fetched if need be (previous/next). */
  at(index: number): Promise<Exhibit | undefined> {
    return this.#rows.at(index);
  }

  /** Adds or removes `name` on every selected exhibit, as one job. */
  async applyTag(mode: "add" | "remove", name: string): Promise<void> {
    if (!name || this.selected.size === 0 || this.tagJob.running) return;
    this.tagError = null;
    this.tagResult = null;
    const ids = [...this.selected];
    const request = { ids, add_tags: mode === "add" ? [name] : [], remove_tags: mode === "remove" ? [name] : [] };
    try {
      const changed = await this.tagJob.run("tagging", (onEvent) => backend().tagExhibits(request, onEvent), { blocking: false });
      const noun = changed === 1 ? "exhibit" : "exhibits";
      this.tagResult = `Tag “${name}” ${mode === "add" ? "added" : "removed"}: ${formatCount(changed)} ${noun} processed.`;
    } catch (e) {
      const err = toBackendError(e);
      const done = this.tagJob.bytes;
      this.tagError =
        err.code === "cancelled"
          ? `Cancelled after ${formatCount(done)} of ${formatCount(ids.length)} exhibits; those are tagged and logged, the rest are not.`
          : done > 0
            ? `Stopped after ${formatCount(done)} of ${formatCount(ids.length)} exhibits (those are tagged and logged): ${err.message}`
            : `Tags were not changed: ${err.message}`;
    } finally {
      this.tagged++;
      this.reload(true);
    }
  }

  #allIds(): Promise<string[]> {
    if (!this.#ids) {
      const generation = this.#rows.generation;
      const ids = backend().exhibitIds(this.query(0, 1));
      this.#ids = ids;
      ids.then(
        (all) => {
          if (generation === this.#rows.generation) this.#idSet = new Set(all);
        },
        // A failure is asked again next time.
        () => {
          if (this.#ids === ids) this.#ids = null;
        },
      );
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
