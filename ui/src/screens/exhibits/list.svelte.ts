/**
 * The exhibit list as the Exhibits screen shows it: the filter, the order,
 * the selection, the scroll position and the rows fetched so far, a window
 * at a time from the vault (which filters, sorts and counts). It lives
 * outside the screen, so opening an exhibit and coming back finds the list
 * as it was; the detail screen steps through it with previous and next.
 *
 * Families are grouped unless the user chose otherwise: the vault lists only
 * the exhibits found inside no other (family heads and those on their own),
 * and a family opened shows its members beneath its head. Only the heads
 * drawn and the open families' members are fetched, never every row.
 */
import { backend, toBackendError } from "../../lib/backend";
import { JobTracker } from "../../lib/job.svelte";
import { tagExhibits } from "../../lib/tagging";
import type { CustodianFilter, Direction, Exhibit, ExhibitDetail, ExhibitOrder, ExhibitQuery, FamilyMember } from "../../lib/bindings";
import type { RowSource, SortDirection } from "../../lib/components/table";
import { PAGE, PagedRows } from "../../lib/paged-rows.svelte";
import { session } from "../../lib/session.svelte";
import { headOf, memberRows, membersOf, placeOf, rowOfHead, segments, type OpenFamily } from "./families";

/** The most rows the vault gives in one window. */
const MAX_WINDOW = 2000;
/** Members of open families read at once (each its own request). */
const MEMBER_READS = 6;

/**
 * Whether families are grouped, as the user last chose it in this session
 * (for every vault; null: not chosen, so they are).
 */
const grouping = $state<{ chosen: boolean | null }>({ chosen: null });

/** The listing fields of an exhibit's detail (what a row of the table shows). */
export function listingOf(d: ExhibitDetail): Exhibit {
  const { id, name, path, size, sha256, md5, sha1, mime, custodian, source, collected_by, collected_at, description, tags, parent, family, members } = d;
  return { id, name, path, size, sha256, md5, sha1, mime, custodian, source, collected_by, collected_at, description, tags, parent, family, members };
}

/** Where a member of an open family is. */
interface MemberPlace {
  family: OpenFamily;
  /** Its place among the family's members. */
  index: number;
  member: FamilyMember;
}
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

  /** Exhibits in the vault (its facets' count; null: not known yet). */
  vaultExhibits = $state<number | null>(null);
  /** Why a family could not be opened, or a member of it read. */
  familyError = $state<string | null>(null);
  /** The family that could not be opened (opened again by `retryFamilies`). */
  #failedFamily: string | null = null;
  /** Whether the vault was seen to hold a family (the grouping is offered from then on). */
  #familiesSeen = $state(false);
  /** The families shown open, in head order. */
  #open = $state.raw<OpenFamily[]>([]);
  /** Bumped when families open or close or the heads are fetched anew: ranges asked before are stale. */
  #openGeneration = 0;
  /** Every member of an open family, by id. */
  readonly #memberIndex = $derived.by(() => {
    const index = new Map<string, MemberPlace>();
    for (const family of this.#open) family.members?.forEach((member, i) => index.set(member.id, { family, index: i, member }));
    return index;
  });
  /** Each member's depth beneath its head, kept as its family is read (the rows are drawn after). */
  #depths = new Map<string, number>();
  /** Members' rows read so far (their listing is not in the heads' windows). */
  #memberRows = new Map<string, Exhibit>();
  /** Bumped when a member's row arrives, so the table draws it. */
  #memberVersion = $state(0);
  #memberReading = new Set<string>();
  #memberFailed = new Set<string>();
  /** Members drawn and not read yet, read a few at a time. */
  #memberWanted: string[] = [];
  #memberGeneration = 0;

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

  /** Rows the vault's query matches, in all (null until the first window came):
   * the heads when families are grouped, else every exhibit matching. */
  get matching(): number | null {
    return this.#rows.total;
  }

  /** Rows the table shows (the heads and the open families' members; null until the first window came). */
  get rowCount(): number | null {
    const heads = this.#rows.total;
    return heads === null ? null : heads + memberRows(this.#open);
  }

  /** Whether families are grouped (the user's choice this session; yes until chosen). */
  get grouped(): boolean {
    return grouping.chosen ?? true;
  }

  set grouped(on: boolean) {
    grouping.chosen = on;
  }

  /** Whether the user chose, this session, to group families or not. */
  get groupingChosen(): boolean {
    return grouping.chosen !== null;
  }

  /**
   * Whether the rows are family heads, each family opened on demand. A
   * filter lists every exhibit it matches instead, members included, each
   * marked with the exhibit it was found in: a paralegal searching for an
   * attachment's name expects to find the attachment, not a head that hides
   * it (the heads-only query would leave it out).
   */
  get headsOnly(): boolean {
    return this.grouped && !this.filtering;
  }

  /** Whether the vault holds a family (known from the counts while grouped, remembered after). */
  get hasFamilies(): boolean {
    if (this.#familiesSeen) return true;
    const heads = this.#rows.total;
    return this.headsOnly && heads !== null && this.vaultExhibits !== null && heads < this.vaultExhibits;
  }

  /** Remembers that the vault holds a family, so the grouping stays offered (run as an effect). */
  noteFamilies(): void {
    if (!this.#familiesSeen && this.hasFamilies) this.#familiesSeen = true;
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
      heads_only: this.headsOnly,
    };
  }

  /** Whether anything narrows the list. */
  get filtering(): boolean {
    return this.appliedText.trim() !== "" || this.custodian !== ALL || this.tag !== ALL;
  }

  get total(): number {
    return this.rowCount ?? 0;
  }

  row(index: number): Exhibit | undefined {
    const p = placeOf(this.#open, index);
    if ("head" in p) return this.#rows.row(p.head);
    void this.#memberVersion;
    return this.#memberRows.get(p.family.members![p.member]!.id);
  }

  indexOf(key: string): number {
    const m = this.#memberIndex.get(key);
    if (m) return rowOfHead(this.#open, m.family.at) + 1 + m.index;
    const at = this.#rows.indexOf(key);
    return at < 0 ? -1 : rowOfHead(this.#open, at);
  }

  need(first: number, last: number): void {
    this.#placeFamilies();
    const open = this.#open;
    if (open.length === 0) {
      this.#rows.need(first, last);
      return;
    }
    this.#rows.need(headOf(open, first), headOf(open, Math.max(first, last - 1)) + 1);
    // The members drawn are read (those scrolled past before they came are not).
    const wanted: string[] = [];
    for (let i = first; i < last; i++) {
      const p = placeOf(open, i);
      if ("family" in p) wanted.push(p.family.members![p.member]!.id);
    }
    this.#memberWanted = wanted.filter((id) => !this.#memberRows.has(id) && !this.#memberReading.has(id) && !this.#memberFailed.has(id));
    this.#readMembers();
  }

  /** Whether the family headed by `head` is shown open. */
  isOpen(head: string): boolean {
    return this.#open.some((f) => f.head === head);
  }

  /** Whether the family headed by `head` is open and its members are still on their way. */
  isOpening(head: string): boolean {
    return this.#open.some((f) => f.head === head && f.members === null);
  }

  /** How many levels a row sits beneath its family's head (0: a head, or not in an open family). */
  depthOf(id: string): number {
    return this.#memberIndex.get(id)?.member.depth ?? this.#depths.get(id) ?? 0;
  }

  /** The member of an open family with this id, if any (its parent in the tree). */
  memberOf(id: string): FamilyMember | null {
    return this.#memberIndex.get(id)?.member ?? null;
  }

  /** Opens the family headed by `head` (its members read from the vault), or closes it. */
  async toggleFamily(head: string): Promise<void> {
    if (this.isOpen(head)) this.closeFamily(head);
    else await this.openFamily(head);
  }

  /** Shows the members of the family headed by `head` beneath it: only they are fetched. */
  async openFamily(head: string): Promise<void> {
    const at = this.#rows.indexOf(head);
    if (!this.headsOnly || at < 0 || this.isOpen(head)) return;
    this.familyError = null;
    this.#setOpen([...this.#open, { head, at, members: null }]);
    await this.#readFamily(head);
  }

  /** After a family or a member of it could not be read: asks again. */
  retryFamilies(): void {
    const head = this.#failedFamily;
    this.familyError = null;
    this.#failedFamily = null;
    if (head !== null) void this.openFamily(head);
    // Members not read are asked again as they are drawn.
    else this.reload(true);
  }

  /** Hides the members of the family headed by `head`; an active member hands its place to the head. */
  closeFamily(head: string): void {
    const family = this.#open.find((f) => f.head === head);
    if (!family) return;
    if (this.activeKey !== null && family.members?.some((m) => m.id === this.activeKey)) this.activeKey = head;
    this.#setOpen(this.#open.filter((f) => f !== family));
    // Its members' rows are let go (a family can hold thousands); read again when opened.
    for (const m of family.members ?? []) if (!this.#memberIndex.has(m.id)) this.#memberRows.delete(m.id);
  }

  /** Pages of rows held now. */
  get heldPages(): number {
    return this.#rows.heldPages;
  }

  async keys(lo: number, hi: number): Promise<string[]> {
    const generation = this.#rows.generation;
    const opened = this.#openGeneration;
    const keys: string[] = [];
    for (const part of segments(this.#open, lo, hi)) {
      if ("members" in part) keys.push(...part.members);
      else keys.push(...(await this.#headKeys(part.heads[0], part.heads[1])));
    }
    // The list changed meanwhile: these are not the rows asked about.
    return generation === this.#rows.generation && opened === this.#openGeneration ? keys : [];
  }

  /**
   * "Select all": every exhibit the list holds. Grouped, that is every
   * exhibit in the vault, the members of families not opened included (the
   * count says "6 of 6 exhibits" and tagging "all" tags the attachments too).
   */
  async allKeys(): Promise<string[]> {
    if (!this.headsOnly) return this.keys(0, this.total - 1);
    const generation = this.#rows.generation;
    const all = await backend().exhibitIds({ ...this.query(0, 1), heads_only: false });
    return generation === this.#rows.generation ? all : [];
  }

  /** The ids of heads `lo` to `hi` (the rows of the vault's query). */
  async #headKeys(lo: number, hi: number): Promise<string[]> {
    if (hi - lo < MAX_WINDOW) {
      // A short range (a shift-click): its own window, not every id.
      const w = await backend().exhibitWindow(this.query(lo, hi - lo + 1));
      return w.rows.map((e) => e.id);
    }
    return (await this.#allIds()).slice(lo, hi + 1);
  }

  /** Whether some selected exhibit may not be a row drawn (a filter, or families grouped). */
  get #narrowed(): boolean {
    return this.filtering || (this.headsOnly && this.hasFamilies);
  }

  selectedCount(selected: ReadonlySet<string>): number {
    if (selected.size === 0) return 0;
    if (!this.#narrowed) return selected.size;
    const ids = this.#idSet;
    if (ids === null) {
      void this.#allIds().catch(() => undefined);
      return 0;
    }
    let n = 0;
    for (const id of selected) if (ids.has(id) || this.#memberIndex.has(id)) n++;
    return n;
  }

  /** Selected exhibits not among the rows (hidden by the filter, or inside a family not opened; 0 until the rows' ids are known). */
  get hiddenSelected(): number {
    if (!this.#narrowed || this.#idSet === null) return 0;
    return this.selected.size - this.selectedCount(this.selected);
  }

  /**
   * The query changed (or the vault did): fetch from the first row. Kept in
   * place (the list shown again, or tagged), open families stay open and are
   * read again; a new query closes them.
   */
  reload(keepPlace = false): void {
    this.#ids = null;
    this.#idSet = null;
    if (!keepPlace) this.scrollTop = 0;
    this.#memberGeneration++;
    this.#memberRows = new Map();
    this.#memberReading = new Set();
    this.#memberFailed = new Set();
    this.#memberWanted = [];
    this.#memberVersion++;
    const open = keepPlace && this.headsOnly ? this.#open : [];
    this.#setOpen(open);
    this.#rows.reset(keepPlace);
    for (const f of open) void this.#readFamily(f.head);
  }

  /** The row at `index` of the list, fetched if need be (previous/next). */
  async at(index: number): Promise<Exhibit | undefined> {
    const p = placeOf(this.#open, index);
    if ("head" in p) return this.#rows.at(p.head);
    const id = p.family.members![p.member]!.id;
    return this.#memberRows.get(id) ?? (await this.#readMember(id));
  }

  #setOpen(open: OpenFamily[]): void {
    this.#open = [...open].sort((a, b) => a.at - b.at);
    this.#openGeneration++;
  }

  /** Reads (again) the members of the open family headed by `head`. */
  async #readFamily(head: string): Promise<void> {
    const generation = this.#memberGeneration;
    try {
      const members = membersOf(await backend().exhibitFamily(head));
      const family = this.#open.find((f) => f.head === head);
      // Closed, or the list fetched anew, meanwhile.
      if (!family || generation !== this.#memberGeneration) return;
      for (const m of members) this.#depths.set(m.id, m.depth);
      this.#setOpen(this.#open.map((f) => (f === family ? { ...f, members } : f)));
    } catch (e) {
      if (generation !== this.#memberGeneration) return;
      this.familyError = `The family of ${head} could not be read: ${toBackendError(e).message}`;
      this.#failedFamily = head;
      // Shown closed, to be opened again; members read before stay until then.
      const family = this.#open.find((f) => f.head === head);
      if (family?.members === null) this.#setOpen(this.#open.filter((f) => f !== family));
    }
  }

  /**
   * The heads may have moved since their families were opened (the list
   * fetched anew in place): each open family follows its head where the
   * heads are known, and closes when its head is gone from there.
   */
  #placeFamilies(): void {
    let moved = false;
    const open = this.#open.flatMap((f) => {
      const there = this.#rows.row(f.at);
      if (there === undefined || there.id === f.head) return [f];
      moved = true;
      const at = this.#rows.indexOf(f.head);
      return at < 0 ? [] : [{ ...f, at }];
    });
    if (moved) this.#setOpen(open);
  }

  /** Reads members wanted, a few at a time. */
  #readMembers(): void {
    while (this.#memberReading.size < MEMBER_READS && this.#memberWanted.length > 0) {
      void this.#readMember(this.#memberWanted.shift()!);
    }
  }

  /** Reads one member's row (its detail's listing fields). */
  async #readMember(id: string): Promise<Exhibit | undefined> {
    const generation = this.#memberGeneration;
    this.#memberReading.add(id);
    try {
      const row = listingOf((await backend().exhibitDetail(id)).detail);
      if (generation !== this.#memberGeneration) return row;
      this.#memberRows.set(id, row);
      this.#memberVersion++;
      return row;
    } catch (e) {
      if (generation === this.#memberGeneration) {
        this.#memberFailed.add(id);
        this.familyError = `${id} could not be read: ${toBackendError(e).message}`;
      }
      return undefined;
    } finally {
      if (generation === this.#memberGeneration) {
        this.#memberReading.delete(id);
        this.#readMembers();
      }
    }
  }

  /** Adds or removes `name` on every selected exhibit, as one job. */
  async applyTag(mode: "add" | "remove", name: string): Promise<void> {
    if (!name || this.selected.size === 0 || this.tagJob.running) return;
    this.tagError = null;
    this.tagResult = null;
    const ids = [...this.selected];
    try {
      const outcome = await tagExhibits(this.tagJob, ids, mode, name);
      this.tagResult = outcome.result;
      this.tagError = outcome.error;
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

/** Forgets the list and the grouping chosen (tests; a locked vault's list is dropped by its id). */
export function forgetExhibitList(): void {
  current = null;
  grouping.chosen = null;
}
