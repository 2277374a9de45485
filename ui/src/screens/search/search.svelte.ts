/**
 * The Search screen's state: the query on screen, the query the hits
 * answer, the hits (best first) with each exhibit's listing read from the
 * vault a few at a time, the selection, tagging the selection as a job, the
 * saved searches, and the search-term report (the term list and its last
 * report). It lives
 * outside the screen, so opening an exhibit and coming back finds the
 * search as it was; it is forgotten when the vault locks (the snippets are
 * words read out of the exhibits).
 */
import { backend, toBackendError } from "../../lib/backend";
import type { Exhibit, SavedSearch, SearchHit } from "../../lib/bindings";
import { sentence } from "../../lib/format";
import { JobTracker } from "../../lib/job.svelte";
import { tagExhibits } from "../../lib/tagging";
import { go, router } from "../../lib/router.svelte";
import { forgetOnClose, session } from "../../lib/session.svelte";
import { listingOf } from "../exhibits/list.svelte";
import { refusalReason } from "./query";
import { TermReportState } from "./term-report.svelte";

/** What the Search screen shows: the search, or the search-term report. */
export type SearchView = "search" | "report";

/** The most hits shown; one more is asked for, to know whether there are more. */
export const SEARCH_LIMIT = 500;
/** Listings read at once (each its own request). */
const LISTING_READS = 6;

export class SearchState {
  /** The vault searched (a search of another vault is started afresh). */
  readonly vaultId: string | null;
  /** The tab shown. */
  view = $state<SearchView>("search");
  /** The search-term report: the list of terms and its last report. */
  readonly termReport = new TermReportState();
  /** The query box, as typed. */
  text = $state("");
  /** The query the hits answer (null: none searched, or the last one failed). */
  searched = $state<string | null>(null);
  /** The hits, best first (null: none to show). */
  hits = $state.raw<SearchHit[] | null>(null);
  /** Whether more exhibits match than the hits shown. */
  more = $state(false);
  /** A search is on its way. */
  running = $state(false);
  /** Why the vault refused the query (it cannot search it exactly). */
  refused = $state<string | null>(null);
  /** Why the search failed otherwise. */
  error = $state<string | null>(null);
  /** The hits selected, by id. */
  selected = $state.raw(new Set<string>());
  /** The exhibit last opened from the hits (focused again on return). */
  lastOpened: string | null = null;

  /** The saved searches, by name, as the vault lists them. */
  saved = $state.raw<SavedSearch[]>([]);
  /** Whether they were read. */
  savedLoaded = $state(false);
  /** Why they could not be read. */
  savedError = $state<string | null>(null);
  /** The saved search last run or saved, by name (the one a query it holds is taken for). */
  lastSaved = $state<string | null>(null);

  /** Tagging the selection: a job that leaves the app usable, so it is
   * kept here and still shown after leaving the screen and coming back. */
  readonly tagJob = new JobTracker();
  tagResult = $state<string | null>(null);
  tagError = $state<string | null>(null);

  /** Each hit's listing as read from the vault, by id. */
  #listings = new Map<string, Exhibit>();
  /** Why a hit's listing could not be read, by id. */
  #listingErrors = new Map<string, string>();
  /** Bumped when a listing arrives or fails, so what shows them is drawn again. */
  #listingVersion = $state(0);
  /** Listings still to read (or being read) for the hits shown. */
  reading = $state(0);
  #listingGeneration = 0;
  #seq = 0;

  constructor(vaultId: string | null) {
    this.vaultId = vaultId;
  }

  /** The listing of a hit, once read. */
  listing(id: string): Exhibit | undefined {
    void this.#listingVersion;
    return this.#listings.get(id);
  }

  /** Why a hit's listing could not be read, if it could not. */
  listingError(id: string): string | undefined {
    void this.#listingVersion;
    return this.#listingErrors.get(id);
  }

  /** The listings of the hits read so far, best first. */
  get listings(): Exhibit[] {
    void this.#listingVersion;
    return (this.hits ?? []).flatMap((h) => this.#listings.get(h.id) ?? []);
  }

  /** The selected hits in the order shown. */
  get selectedIds(): string[] {
    return (this.hits ?? []).map((h) => h.id).filter((id) => this.selected.has(id));
  }

  /**
   * The saved search the hits answer, unchanged: the query searched is its
   * query and the box still holds it (the one last run or saved first, when
   * several hold it); null otherwise.
   */
  get savedName(): string | null {
    if (this.searched === null || this.edited) return null;
    const q = this.searched;
    const match = this.saved.find((x) => x.name === this.lastSaved && x.query === q) ?? this.saved.find((x) => x.query === q);
    return match?.name ?? null;
  }

  /** Reads the saved searches. */
  async loadSaved(): Promise<void> {
    try {
      this.saved = await backend().savedSearches();
      this.savedError = null;
    } catch (e) {
      this.savedError = sentence(toBackendError(e).message);
    } finally {
      this.savedLoaded = true;
    }
  }

  /**
   * Saves the query in the box as `name`. The vault refuses a name saved
   * for another query and a query it cannot search exactly: the reason is
   * returned then (null when saved).
   */
  async saveQuery(name: string): Promise<string | null> {
    const query = this.text.trim();
    if (!query) return "Type a query to save.";
    if (!name.trim()) return "Give the search a name.";
    try {
      const saved = await backend().saveSearch(name.trim(), query);
      this.lastSaved = saved.name;
      await this.loadSaved();
      return null;
    } catch (e) {
      return sentence(toBackendError(e).message);
    }
  }

  /** Deletes a saved search (a production it chose keeps its record); throws the reason when the vault refuses. */
  async deleteSaved(name: string): Promise<void> {
    try {
      await backend().deleteSavedSearch(name);
    } catch (e) {
      throw new Error(`The saved search was not deleted: ${sentence(toBackendError(e).message)}`);
    } finally {
      await this.loadSaved();
    }
    if (this.lastSaved === name) this.lastSaved = null;
  }

  /** Runs a saved search: its query put in the box and searched. */
  runSaved(saved: SavedSearch): Promise<void> {
    this.lastSaved = saved.name;
    this.view = "search";
    this.text = saved.query;
    return this.run(saved.query);
  }

  /** Whether the query on screen is not the one the hits answer. */
  get edited(): boolean {
    return this.searched !== null && this.text.trim() !== this.searched;
  }

  /**
   * Searches for `query` (the query box's unless told). A query the vault
   * refuses leaves no hits: none of the last search's are shown as if they
   * answered it. `refresh`: read every hit's listing anew (it may have
   * changed since it was read).
   */
  async run(query: string = this.text, refresh = false): Promise<void> {
    const q = query.trim();
    const seq = ++this.#seq;
    if (!q) {
      this.#show(null, null, false);
      this.refused = null;
      this.error = null;
      this.running = false;
      return;
    }
    this.running = true;
    try {
      const found = await backend().searchExhibits(q, SEARCH_LIMIT + 1);
      if (seq !== this.#seq) return;
      this.refused = null;
      this.error = null;
      this.#show(q, found.slice(0, SEARCH_LIMIT), found.length > SEARCH_LIMIT, refresh);
    } catch (e) {
      if (seq !== this.#seq) return;
      const err = toBackendError(e);
      this.#show(null, null, false);
      const reason = refusalReason(err);
      this.refused = reason;
      this.error = reason === null ? sentence(err.message) : null;
    } finally {
      if (seq === this.#seq) this.running = false;
    }
  }

  #show(searched: string | null, hits: SearchHit[] | null, more: boolean, refresh = false): void {
    this.searched = searched;
    this.hits = hits;
    this.more = more;
    const ids = new Set((hits ?? []).map((h) => h.id));
    // The selection keeps only the hits shown: an action takes what is seen.
    this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
    // Listings of exhibits no longer shown are let go.
    for (const id of [...this.#listings.keys()]) if (!ids.has(id)) this.#listings.delete(id);
    this.#listingErrors = new Map();
    this.#listingVersion++;
    void this.#readListings((hits ?? []).map((h) => h.id).filter((id) => refresh || !this.#listings.has(id)));
  }

  /** Reads the listings of `ids`, best first, a few at a time; a newer search stops it. */
  async #readListings(ids: string[]): Promise<void> {
    const generation = ++this.#listingGeneration;
    const queue = [...ids];
    this.reading = queue.length;
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const view = await backend().exhibitDetail(id);
          if (generation !== this.#listingGeneration) return;
          this.#listings.set(id, listingOf(view.detail));
          this.#listingErrors.delete(id);
        } catch (e) {
          if (generation !== this.#listingGeneration) return;
          this.#listingErrors.set(id, toBackendError(e).message);
        }
        this.reading = Math.max(0, this.reading - 1);
        this.#listingVersion++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(LISTING_READS, queue.length) }, worker));
  }

  /** Selects the hit `id` or not. */
  select(id: string, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  /** Selects every hit shown, or none. */
  selectAll(on: boolean): void {
    this.selected = on ? new Set((this.hits ?? []).map((h) => h.id)) : new Set();
  }

  /** Opens one exhibit's detail; its back link returns here. */
  open(id: string): void {
    this.lastOpened = id;
    go("exhibit", { id, from: "search" });
  }

  /** Adds or removes `name` on every selected hit, as one job; the search runs again after. */
  async applyTag(mode: "add" | "remove", name: string): Promise<void> {
    const ids = this.selectedIds;
    if (!name || ids.length === 0 || this.tagJob.running) return;
    this.tagError = null;
    this.tagResult = null;
    try {
      const outcome = await tagExhibits(this.tagJob, ids, mode, name);
      this.tagResult = outcome.result;
      this.tagError = outcome.error;
    } finally {
      // The tags shown (and what a tag: clause finds) changed.
      for (const id of ids) this.#listings.delete(id);
      if (this.searched !== null) void this.run(this.searched);
    }
  }

  /** Asks the tagging job to stop. */
  async cancelTagging(): Promise<void> {
    const problem = await this.tagJob.cancel();
    if (problem) this.tagError = problem;
  }
}

let current: SearchState | null = null;

/** The search of the open vault, as it was left. */
export function searchState(): SearchState {
  const vaultId = session.vault?.matter.vault_id ?? null;
  if (!current || current.vaultId !== vaultId) current = new SearchState(vaultId);
  return current;
}

/** Forgets the search (the vault locked; tests). */
export function forgetSearch(): void {
  current = null;
}

forgetOnClose(forgetSearch);

/** Asks the Search screen to focus its query box (a shortcut was pressed). */
export const searchFocus = $state({ asked: 0, done: 0 });

/** Shows the Search screen with its query box focused (the search tab, when the term report was shown). */
export function openSearch(): void {
  searchState().view = "search";
  searchFocus.asked++;
  if (router.screen !== "search") go("search");
}

const TEXT_INPUTS = new Set(["", "text", "search", "email", "password", "number", "tel", "url", "date", "datetime-local", "month", "week", "time"]);

/** Whether keys typed at `target` are typed into a text field. */
export function typingAt(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has((target.getAttribute("type") ?? "").toLowerCase());
}

/** Whether a key press asks for the Search screen: Ctrl+K (⌘K), or "/" when not typing in a text field. */
export function isSearchShortcut(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.isComposing) return false;
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") return true;
  return event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingAt(event.target);
}
