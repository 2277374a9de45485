/**
 * The export wizard's state: the request built step by step, what keeps a
 * step from going on, the plan the vault makes of the choices, and the
 * export itself. The step components read and change one ExportWizard; the
 * pure parts (validation, the request) are plain functions, tested alone.
 */
import { untrack } from "svelte";
import { backend, toBackendError } from "../../lib/backend";
import {
  MIN_PASSPHRASE_CHARS,
  type CornerChoice,
  type CounselKey,
  type CustodianCount,
  type DatEncodingChoice,
  type Exhibit,
  type ExhibitFacets,
  type ExhibitQuery,
  type ExhibitWindow,
  type ExportBundleRequest,
  type ExportOptions,
  type ExportPlan,
  type ExportResult,
  type FamilyMember,
  type ImageProfile,
  type SavedSearch,
  type StampPreview,
} from "../../lib/bindings";
import { formatBytes, formatCount, plural, sentence } from "../../lib/format";
import { JobTracker } from "../../lib/job.svelte";
import { session } from "../../lib/session.svelte";

export type Step = "select" | "numbering" | "images" | "encryption" | "review";
export type SelectBy = "all" | "tag" | "custodian" | "picked" | "search";
/** Where the query of an export chosen by a search comes from: a saved search, or typed. */
export type SearchFrom = "saved" | "typed";
export type StartMode = "next" | "custom";
export type Protect = "none" | "keys" | "passphrase";
export type Phase = "wizard" | "running" | "done";

export const STEPS: { step: Step; label: string }[] = [
  { step: "select", label: "Exhibits" },
  { step: "numbering", label: "Numbering" },
  { step: "images", label: "Page images" },
  { step: "encryption", label: "Encryption" },
  { step: "review", label: "Review and export" },
];
/** Rows of the review list shown before "and N more". */
export const REVIEW_ROWS = 100;
/** Rows of the hand-pick list the vault is asked for; more must be found by narrowing the search. */
export const PICK_ROWS = 300;
/** The plan waits this long after the last change before asking the vault. */
export const PLAN_DELAY_MS = 250;
/** The hand-pick search waits this long after the last keystroke before asking the vault. */
export const SEARCH_DELAY_MS = 250;
/** The stamped page's preview waits this long after the last change before asking the vault. */
export const PREVIEW_DELAY_MS = 300;

export const CHECKING = "Checking the numbering…";
export const CHECKING_SEARCH = "Checking the search…";
/** The Bates prefixes the vault accepts. */
const PREFIX_RULE = /^[A-Za-z0-9_-]{1,20}$/;
/** Where the bundle carries a search-term report, and how the receiving side reproduces it. */
export const TERMS_FOLDER = "data/search/";
export const TERMS_COMMAND = "custos search-report BUNDLE --terms data/search/terms.txt";
export const TERMS_MISSING = "Enter the report's terms, one per line, or leave the report out.";

/** The page images a production can carry besides the natives (null: the natives only). */
export const IMAGE_CHOICES: { value: ImageProfile | null; label: string }[] = [
  { value: null, label: "Natives only" },
  { value: "pdf", label: "Searchable PDF per document" },
  { value: "tiff", label: "TIFF per page (Group IV, 300 dpi; JPEG for photographs)" },
];
/** The corners a stamp can go in. */
export const CORNERS: { value: CornerChoice; label: string }[] = [
  { value: "bottom-right", label: "Bottom right" },
  { value: "bottom-left", label: "Bottom left" },
  { value: "top-right", label: "Top right" },
  { value: "top-left", label: "Top left" },
];
/** Where the stamps go unless another corner is chosen. */
export const DEFAULT_BATES_CORNER: CornerChoice = "bottom-right";
export const DEFAULT_LEGEND_CORNER: CornerChoice = "bottom-left";
/** An example of a legend, shown in its empty field. */
export const LEGEND_EXAMPLE = "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER";
/** What the wizard says of a designated document's legend. */
export const DESIGNATED_LEGEND = "Documents designated with a confidentiality level carry their level instead.";

// ------------------------------------------------------------ pure logic

/**
 * The custodians a production can be chosen by, by name: only those named,
 * as an export chooses by a custodian's name (the facets count exhibits with
 * none recorded under "").
 */
export function namedCustodians(facets: ExhibitFacets | null): CustodianCount[] {
  return (facets?.custodians ?? []).filter((c) => c.name !== "").sort((a, b) => a.name.localeCompare(b.name));
}

/** The vault's query for the hand-pick list: the first rows the search matches, by exhibit number. */
export function pickQuery(text: string): ExhibitQuery {
  return { text: text.trim(), custodian: { kind: "any" }, tag: null, order: "number", direction: "ascending", offset: 0, limit: PICK_ROWS };
}

/** How the exhibits are chosen on the first step. */
export interface ExhibitChoice {
  selectBy: SelectBy;
  tag: string;
  custodian: string;
  picked: readonly string[];
  /** Chosen by a search: the exhibits the vault's plan of it produces (0 until it is checked). */
  searchFound?: number;
}

/** How many exhibits the choice takes, by the vault's counts (none before a tag or custodian is chosen). */
export function chosenCount(facets: ExhibitFacets | null, choice: ExhibitChoice): number {
  switch (choice.selectBy) {
    case "all":
      return facets?.exhibits ?? 0;
    case "tag":
      return (choice.tag && facets?.tags.find((t) => t.tag === choice.tag)?.exhibits) || 0;
    case "custodian":
      return (choice.custodian && facets?.custodians.find((c) => c.name === choice.custodian)?.exhibits) || 0;
    case "picked":
      return choice.picked.length;
    case "search":
      return choice.searchFound ?? 0;
  }
}

/** The search an export is chosen by: a saved one (by name) or a query typed. */
export interface SearchDraft {
  selectBy: SelectBy;
  searchFrom: SearchFrom;
  /** The saved search chosen, by name. */
  savedName: string;
  /** The query typed. */
  typedQuery: string;
  /** The saved searches, as the vault lists them. */
  savedSearches: readonly SavedSearch[];
}

/**
 * The query and saved search's name an export sends: none unless chosen
 * by a search; a saved one's own query with its name (the vault refuses it
 * if that name no longer holds that query); a typed one without a name.
 */
export function searchChoice(d: SearchDraft): { search: string | null; search_name: string | null } {
  if (d.selectBy !== "search") return { search: null, search_name: null };
  if (d.searchFrom === "saved") {
    const saved = d.savedSearches.find((s) => s.name === d.savedName);
    return saved ? { search: saved.query, search_name: saved.name } : { search: null, search_name: null };
  }
  const q = d.typedQuery.trim();
  return { search: q === "" ? null : q, search_name: null };
}

/** The terms of a list that count (blank lines are skipped). */
export function termLines(list: string): string[] {
  return list
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** Whether the vault's refusal is of the term list (a term it cannot search exactly, naming its line; no terms). */
export function isTermsRefusal(message: string | null): boolean {
  return message !== null && /(: line \d+ \(|^The term list has no terms)/.test(message);
}

/** The list with `value` in it (`on`) or not, each value at most once added. */
export function toggled(list: readonly string[], value: string, on: boolean): string[] {
  return on ? (list.includes(value) ? [...list] : [...list, value]) : list.filter((v) => v !== value);
}

/** The picked ids with every shown exhibit added, in order, none twice. */
export function withAllShown(picked: readonly string[], shown: readonly Exhibit[]): string[] {
  const have = new Set(picked);
  return [...picked, ...shown.map((e) => e.id).filter((id) => !have.has(id))];
}

/** Families read at once while checking the exhibits picked. */
export const FAMILY_READS = 4;
/** Exhibit numbers named in a sentence before "and N more". */
export const NAMED_IDS = 5;

/**
 * A family the picks take only part of. An export produces every family
 * whole (the vault adds what is missing, head first, numbered together), so
 * the wizard says so and offers to pick the rest.
 */
export interface FamilyGap {
  /** The exhibit heading the family. */
  head: string;
  /** Exhibits in the family, its head included. */
  size: number;
  /** Its exhibits picked, in the family's order. */
  picked: string[];
  /** Its exhibits not picked (the export adds them), in the family's order. */
  missing: string[];
}

/**
 * The families the picks take only part of, in the order of their first
 * exhibit picked. `families` holds each family read, head first, by its
 * head; an exhibit found in two families counts once, in the first.
 */
export function familyGaps(picked: readonly string[], families: ReadonlyMap<string, readonly FamilyMember[]>): FamilyGap[] {
  const have = new Set(picked);
  const headOf = new Map<string, string>();
  for (const [head, tree] of families) for (const m of tree) if (!headOf.has(m.id)) headOf.set(m.id, head);
  const gaps: FamilyGap[] = [];
  const done = new Set<string>();
  for (const id of picked) {
    const head = headOf.get(id);
    if (head === undefined || done.has(head)) continue;
    done.add(head);
    const ids = [...new Set(families.get(head)!.map((m) => m.id))];
    const missing = ids.filter((x) => !have.has(x));
    if (missing.length > 0) gaps.push({ head, size: ids.length, picked: ids.filter((x) => have.has(x)), missing });
  }
  return gaps;
}

/** "EX-0004", "EX-0004 and EX-0005", "EX-0004, EX-0005 and EX-0008", "… and 12 more". */
export function idList(ids: readonly string[], named = NAMED_IDS): string {
  if (ids.length <= 1) return ids.join("");
  if (ids.length <= named) return `${ids.slice(0, -1).join(", ")} and ${ids.at(-1)}`;
  return `${ids.slice(0, named).join(", ")} and ${formatCount(ids.length - named)} more`;
}

/** What the wizard says of a family the picks take only part of. */
export function familyGapText(gap: FamilyGap): string {
  const size = plural(gap.size, "exhibit", "exhibits");
  const who = gap.picked.includes(gap.head)
    ? gap.picked.length === 1
      ? `${gap.head} heads a family of ${size}.`
      : `${idList(gap.picked)} are in the family of ${gap.head} (${size}).`
    : `${idList(gap.picked)} ${gap.picked.length === 1 ? "belongs" : "belong"} to the family of ${gap.head} (${size}).`;
  return `${who} Families are produced whole: ${idList(gap.missing)} will be added.`;
}

/** What the plan adds to the exhibits chosen: the rest of their families. */
export function familyAddedText(planned: number, chosen: number): string {
  const more = planned - chosen;
  return `${plural(more, "exhibit", "exhibits")} more than chosen: the rest of their families, which are produced whole`;
}

/** The picks with every missing member of `gaps` added, in the families' order, none twice. */
export function withFamilies(picked: readonly string[], gaps: readonly FamilyGap[]): string[] {
  const have = new Set(picked);
  const out = [...picked];
  for (const gap of gaps)
    for (const id of gap.missing)
      if (!have.has(id)) {
        have.add(id);
        out.push(id);
      }
  return out;
}

/** What is wrong with a typed first Bates number, or null. */
export function startProblem(startMode: StartMode, start: string): string | null {
  return startMode === "custom" && !/^[1-9][0-9]{0,11}$/.test(start.trim()) ? "Enter a whole number from 1." : null;
}

/** What is wrong with the bundle's passphrase (when it is the protection chosen), or null. */
export function passphraseProblem(protect: Protect, passphrase: string, again: string): string | null {
  if (protect !== "passphrase") return null;
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) return `Use at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (passphrase !== again) return "The two passphrases differ.";
  return null;
}

/** Every choice the wizard's steps make. */
export interface ExportDraft extends ExhibitChoice, SearchDraft {
  prefix: string;
  startMode: StartMode;
  start: string;
  width: string;
  encoding: DatEncodingChoice;
  organization: string;
  protect: Protect;
  chosenKeys: readonly string[];
  passphrase: string;
  /** Whether the bundle carries a search-term report. */
  withTerms: boolean;
  /** Its term list, one query per line. */
  terms: string;
  /** The page images besides the natives (null: the natives only). */
  images: ImageProfile | null;
  /** The legend stamped on every page image, as typed (empty: none). */
  endorse: string;
  endorseCorner: CornerChoice;
  batesCorner: CornerChoice;
}

/** The options the choices make (and the plan is asked for, without the passphrase). */
export function buildOptions(d: ExportDraft): ExportOptions {
  const n = Number(d.start);
  return {
    exhibits: d.selectBy === "picked" ? [...d.picked] : [],
    tag: d.selectBy === "tag" ? d.tag : null,
    custodian: d.selectBy === "custodian" ? d.custodian : null,
    bates_prefix: d.prefix.trim(),
    bates_start: d.startMode === "custom" && d.start.trim() !== "" && Number.isInteger(n) ? n : null,
    bates_width: Number(d.width) || 6,
    recipients: d.protect === "keys" ? [...d.chosenKeys] : [],
    passphrase: d.protect === "passphrase" ? d.passphrase : null,
    dat_encoding: d.encoding,
    organization: d.organization.trim() || null,
    ...searchChoice(d),
    // The list exactly as typed: its SHA-256 in the bundle is of these bytes.
    search_terms: d.withTerms && termLines(d.terms).length > 0 ? d.terms : null,
    images: d.images,
    // A legend is stamped on page images only: without them, none is sent.
    endorse: legendOf(d.images, d.endorse),
    endorse_corner: d.endorseCorner,
    bates_corner: d.batesCorner,
  };
}

/** The legend an export stamps: the text typed, with page images only (null: none). */
export function legendOf(images: ImageProfile | null, endorse: string): string | null {
  const legend = endorse.trim();
  return images !== null && legend !== "" ? legend : null;
}

/** "PDF" or "TIFF". */
export function imagesName(images: ImageProfile): string {
  return images === "pdf" ? "PDF" : "TIFF";
}

/** "bottom right". */
export function cornerName(corner: CornerChoice): string {
  return corner.replace("-", " ");
}

/**
 * The review's line on the stamps: "Bates number bottom right; legend
 * “CONFIDENTIAL” bottom left; 2 documents carry their confidentiality
 * level instead".
 */
export function stampsText(batesCorner: CornerChoice, legendCorner: CornerChoice, legend: string | null, confidential: number): string {
  const parts = [`Bates number ${cornerName(batesCorner)}`, legend ? `legend “${legend}” ${cornerName(legendCorner)}` : "no legend"];
  if (confidential > 0)
    parts.push(
      `${plural(confidential, "document carries its", "documents carry their")} confidentiality level ${legend ? "instead" : cornerName(legendCorner)}`,
    );
  return parts.join("; ");
}

/** The preview's text alternative: which page, and the stamps on it. */
export function previewAlt(p: StampPreview): string {
  const legend = p.legend ? ` and the legend “${p.legend}”` : ", no legend";
  return `First page of ${p.exhibit_id}, stamped ${p.bates}${legend}`;
}

/** The review's line on the page images: "TIFF, 46 pages, Bates HAL000001–HAL000046 by page". */
export function imagesText(images: ImageProfile | null, plan: ExportPlan): string {
  if (images === null) return "none (natives only; one Bates number per document)";
  const pages = plan.pages === null ? "" : `${plural(plan.pages, "page", "pages")}, `;
  return `${imagesName(images)}, ${pages}Bates ${plan.bates_first}–${plan.bates_last} by page`;
}

/**
 * The export request for what was reviewed: the selection as chosen (the
 * vault chooses the exhibits again, so a plan of 500,000 is not sent back),
 * the reviewed first number, and the reviewed range, which the vault checks:
 * a numbering changed since the review is refused.
 */
export function bundleRequest(options: ExportOptions, reviewed: ExportPlan, destination: string): ExportBundleRequest {
  return {
    options: { ...options, bates_start: reviewed.first_number },
    destination,
    expect_first: reviewed.bates_first,
    expect_last: reviewed.bates_last,
    // The vault refuses the export if the choice now takes other exhibits.
    expect_selection: reviewed.selection_sha256,
  };
}

/** What a step's checks look at: the wizard's choices, the plan included. */
export interface StepFacts extends ExhibitChoice {
  loaded: boolean;
  /** Exhibits in the vault. */
  vaultExhibits: number;
  chosenCount: number;
  prefix: string;
  startProblem: string | null;
  plan: ExportPlan | null;
  planError: string | null;
  planning: boolean;
  protect: Protect;
  chosenKeys: readonly string[];
  passphraseProblem: string | null;
  /** Chosen by a search: where its query comes from, the saved search chosen, and the query sent (null: none yet). */
  searchFrom?: SearchFrom;
  savedName?: string;
  searchQuery?: string | null;
  /** The vault's check of the search: on its way, or why it refused it. */
  searchChecking?: boolean;
  searchCheckError?: string | null;
  /** A search-term report asked for, and its list. */
  withTerms?: boolean;
  terms?: string;
  /** The page images chosen (null or absent: the natives only). */
  images?: ImageProfile | null;
}

/** Why the step cannot go on (Next or export disabled), or null. */
export function stepProblem(step: Step, f: StepFacts): string | null {
  switch (step) {
    case "select":
      if (!f.loaded) return "Loading the exhibits…";
      if (f.vaultExhibits === 0) return "The vault holds no exhibits yet.";
      if (f.selectBy === "tag" && !f.tag) return "Choose a tag.";
      if (f.selectBy === "custodian" && !f.custodian) return "Choose a custodian.";
      if (f.selectBy === "search") {
        if (f.searchFrom === "saved" && !f.savedName) return "Choose a saved search.";
        if (!f.searchQuery) return f.searchFrom === "saved" ? "Choose a saved search." : "Enter a query.";
        if (f.searchCheckError) return f.searchCheckError;
        if (f.searchChecking || f.chosenCount === 0) return CHECKING_SEARCH;
        return null;
      }
      if (f.chosenCount === 0) return "Choose at least one exhibit.";
      return null;
    case "numbering":
      if (!f.prefix.trim()) return "Enter a Bates prefix.";
      if (f.startProblem) return f.startProblem;
      if (f.withTerms && termLines(f.terms ?? "").length === 0) return TERMS_MISSING;
      if (f.planError) return f.planError;
      if (f.planning || !f.plan) return CHECKING;
      return null;
    case "images":
      // A stamp that does not fit is refused by the plan, with the reason.
      if (f.planError) return f.planError;
      if (f.images && (f.planning || !f.plan)) return CHECKING;
      return null;
    case "encryption":
      if (f.protect === "keys" && f.chosenKeys.length === 0) return "Choose at least one key, or choose another option.";
      return f.passphraseProblem;
    case "review":
      if (f.planning || !f.plan) return f.planError ?? CHECKING;
      return null;
  }
}

/**
 * The problem shown beside Next, or null: none on the review and the page
 * images (the step shows the plan's refusal), and none on the numbering
 * step while the step shows the plan's own state.
 */
export function navHint(step: Step, problem: string | null, prefix: string, startProblem: string | null): string | null {
  if (!problem || step === "review" || step === "images") return null;
  if (step === "numbering" && prefix.trim() && !startProblem && problem !== TERMS_MISSING) return null;
  return problem;
}

/** The Bates prefix offered first: the last production's, else from the matter's name. */
export function suggestedPrefix(lastPrefix: string | null, matter: string): string {
  if (lastPrefix) return lastPrefix;
  const word = matter.replace(/[^A-Za-z]/g, " ").trim().split(/\s+/)[0] ?? "";
  return (word.slice(0, 3) || "PROD").toUpperCase();
}

/** Where a bundle carries the slip sheets of the documents withheld, and their privilege log. */
export const SLIP_SHEET_FOLDER = "data/VOL001/IMAGES/";
export const PRIVILEGE_LOG_CSV = "data/privilege-log.csv";
export const PRIVILEGE_LOG_PDF = "data/privilege-log.pdf";

/** The plan's check that states how many of the whole selection are withheld ("3 withheld as privileged: …"). */
const WITHHELD_CHECK = /^(\d+) withheld as privileged:/;

/**
 * How many exhibits a plan withholds as privileged: counted from its rows
 * when it lists them all, else as its checks state it for the whole
 * selection (the rows are only the first of a large one).
 */
export function withheldCount(plan: ExportPlan): number {
  const listed = plan.exhibits.filter((e) => e.withheld).length;
  if (plan.exhibits.length >= plan.exhibit_count) return listed;
  const stated = plan.qc.map((q) => WITHHELD_CHECK.exec(q)).find((m) => m !== null);
  return stated ? Math.max(listed, Number(stated[1])) : listed;
}

/** What the review says of the documents withheld. */
export function withheldText(count: number): string {
  return `${formatCount(count)} withheld as privileged: a slip sheet takes each one's place; the bundle carries the privilege log`;
}

/** The file name the save dialog suggests. */
export function suggestedFileName(plan: ExportPlan, encrypted: boolean): string {
  return `${plan.bates_first}-${plan.bates_last}.zip${encrypted ? ".age" : ""}`;
}

/** The review's line on who can open the bundle. */
export function protectionText(protect: Protect, counsel: readonly CounselKey[], chosenKeys: readonly string[]): string {
  if (protect === "keys")
    return `to ${counsel
      .filter((k) => chosenKeys.includes(k.recipient))
      .map((k) => `${k.name} (${k.recipient.slice(0, 12)}…${k.recipient.slice(-6)})`)
      .join(", ")}`;
  return protect === "passphrase" ? "with a passphrase" : "none";
}

/** The progress bar's text. */
export function progressText(job: Pick<JobTracker, "byBytes" | "bytes" | "totalBytes" | "totalFiles">): string {
  return job.byBytes
    ? `${formatBytes(Math.min(job.bytes, job.totalBytes ?? 0))} of ${formatBytes(job.totalBytes ?? 0)} · ${plural(job.totalFiles, "exhibit", "exhibits")}`
    : "Starting…";
}

function problem(e: unknown): string {
  return sentence(toBackendError(e).message);
}

// ------------------------------------------------------------ the wizard

export class ExportWizard {
  step = $state<Step>("select");
  phase = $state<Phase>("wizard");
  loadError = $state<string | null>(null);

  // Exhibits: the vault's counts, and the first rows the hand-pick search matches.
  facets = $state.raw<ExhibitFacets | null>(null);
  selectBy = $state<SelectBy>("all");
  tag = $state("");
  custodian = $state("");
  search = $state("");
  picked = $state<string[]>([]);
  matches = $state.raw<ExhibitWindow | null>(null);
  searchError = $state<string | null>(null);
  #searchSeq = 0;
  /** The rows the searches showed, by id: whether an exhibit picked is in a family, and which. */
  #seen = new Map<string, Exhibit>();
  /** The families of exhibits picked, as read from the vault, head first, by head. */
  families = $state.raw(new Map<string, FamilyMember[]>());
  /** Families being read, by head. */
  familiesReading = $state.raw(new Set<string>());
  familyError = $state<string | null>(null);
  #familyFailed = new Set<string>();

  // Chosen by a search: a saved one or a query typed, checked by the vault's plan.
  searchFrom = $state<SearchFrom>("typed");
  savedName = $state("");
  typedQuery = $state("");
  savedSearches = $state.raw<SavedSearch[]>([]);
  /** Whether the saved searches were read (or could not be). */
  savedLoaded = $state(false);
  savedError = $state<string | null>(null);
  /** A search handed over by name that is no longer saved as its query (it is then used as typed). */
  searchNote = $state<string | null>(null);
  /** The vault's plan of the search alone: what it would produce. */
  searchPlan = $state.raw<ExportPlan | null>(null);
  searchCheckError = $state<string | null>(null);
  searchChecking = $state(false);
  #searchCheckSeq = 0;
  /** The saved search another screen handed over, checked once the saved searches are read. */
  #handed: { query: string; name: string } | null = null;

  // The search-term report the bundle carries.
  withTerms = $state(false);
  terms = $state("");

  // Numbering.
  prefix = $state("");
  startMode = $state<StartMode>("next");
  start = $state("");
  width = $state("6");
  encoding = $state<DatEncodingChoice>("utf8");
  organization = $state("");
  /** The prefix of the latest production, if any. */
  lastPrefix = $state<string | null>(null);

  // Page images, and the stamps on them.
  images = $state<ImageProfile | null>(null);
  endorse = $state("");
  endorseCorner = $state<CornerChoice>(DEFAULT_LEGEND_CORNER);
  batesCorner = $state<CornerChoice>(DEFAULT_BATES_CORNER);
  /** The exhibit whose first page is previewed ("": the first document chosen). */
  previewExhibit = $state("");
  preview = $state.raw<StampPreview | null>(null);
  previewError = $state<string | null>(null);
  previewing = $state(false);
  #previewSeq = 0;

  // Encryption.
  protect = $state<Protect>("keys");
  counsel = $state<CounselKey[]>([]);
  chosenKeys = $state<string[]>([]);
  newName = $state("");
  newKey = $state("");
  keyError = $state<string | null>(null);
  addingKey = $state(false);
  passphrase = $state("");
  passphrase2 = $state("");

  // The plan.
  plan = $state.raw<ExportPlan | null>(null);
  planError = $state<string | null>(null);
  planning = $state(false);
  #planSeq = 0;

  // The export.
  result = $state.raw<ExportResult | null>(null);
  exportError = $state<string | null>(null);
  cancelled = $state(false);
  usedPassphrase = $state(false);
  /** With typed paths (automated tests), the destination can be typed. */
  typedDestination = $state("");
  readonly job = new JobTracker();

  readonly loaded = $derived(this.facets !== null);
  readonly vaultExhibits = $derived(this.facets?.exhibits ?? 0);
  readonly tags = $derived(this.facets?.tags ?? []);
  readonly custodians = $derived(namedCustodians(this.facets));
  /** The search as the vault is asked it (spaces around it change nothing). */
  readonly searchText = $derived(this.search.trim());
  readonly shown = $derived(this.matches?.rows ?? []);
  readonly pickedSet = $derived(new Set(this.picked));
  readonly searchFound = $derived(this.searchPlan?.exhibit_count ?? 0);
  /** The query (and saved search's name) an export chosen by a search sends. */
  readonly searchSelection = $derived(searchChoice(this));
  readonly searchQuery = $derived(this.searchSelection.search);
  /** The terms of the report asked for. */
  readonly termCount = $derived(this.withTerms ? termLines(this.terms).length : 0);
  /** The plan's refusal when it is of the term list (shown beside the list). */
  readonly termsError = $derived(this.withTerms && isTermsRefusal(this.planError) ? this.planError : null);
  readonly chosenCount = $derived(chosenCount(this.facets, this));
  /** The families the picks take only part of (the export adds the rest). */
  readonly familyGaps = $derived(this.selectBy === "picked" ? familyGaps(this.picked, this.families) : []);
  /** How many exhibits the picks produce, their families completed (the choice's count otherwise). */
  readonly producedCount = $derived(this.selectBy === "picked" ? withFamilies(this.picked, this.familyGaps).length : this.chosenCount);
  readonly startProblem = $derived(startProblem(this.startMode, this.start));
  readonly passphraseProblem = $derived(passphraseProblem(this.protect, this.passphrase, this.passphrase2));
  readonly options = $derived(buildOptions(this));
  readonly encrypted = $derived(this.protect !== "none");
  readonly stepIndex = $derived(STEPS.findIndex((s) => s.step === this.step));
  readonly stepProblem = $derived(stepProblem(this.step, this));
  readonly navHint = $derived(navHint(this.step, this.stepProblem, this.prefix, this.startProblem));
  readonly progressText = $derived(progressText(this.job));
  /** The exhibit previewed, unless the plan no longer has it (null: the first document chosen). */
  readonly previewTarget = $derived(
    this.previewExhibit !== "" && (this.plan === null || this.plan.exhibits.some((e) => e.exhibit_id === this.previewExhibit)) ? this.previewExhibit : null,
  );

  // ---------------------------------------------------------- exhibits

  /**
   * Starts the wizard with these exhibits picked by hand (another screen's
   * selection); `rows`, their listings if known, say which are in a family.
   */
  pickExhibits(ids: readonly string[], rows: readonly Exhibit[] = []): void {
    for (const row of rows) this.#seen.set(row.id, row);
    this.selectBy = "picked";
    this.picked = [...new Set(ids)];
  }

  /**
   * Starts the wizard with the exhibits a search finds (another screen's
   * query), by the saved search `name` when it is one.
   */
  chooseSearch(query: string, name: string | null = null): void {
    this.#handed = name ? { query, name } : null;
    this.selectBy = "search";
    this.typedQuery = query;
    this.searchFrom = name ? "saved" : "typed";
    this.savedName = name ?? "";
  }

  /** Reads the saved searches; one handed over that no longer holds its query is used as typed. */
  async loadSavedSearches(): Promise<void> {
    try {
      this.savedSearches = await backend().savedSearches();
      this.savedError = null;
    } catch (e) {
      this.savedError = problem(e);
      this.savedSearches = [];
    }
    this.savedLoaded = true;
    const handed = this.#handed;
    this.#handed = null;
    if (handed && this.searchFrom === "saved" && this.savedName === handed.name) {
      const saved = this.savedSearches.find((s) => s.name === handed.name);
      if (saved?.query !== handed.query) {
        this.searchNote = `The saved search “${handed.name}” is no longer this query (changed or deleted since): the query is used as typed.`;
        this.searchFrom = "typed";
        this.savedName = "";
      }
    }
  }

  /** Chooses where the search's query comes from (a saved search's query is copied to the typed one, to edit). */
  setSearchFrom(from: SearchFrom): void {
    if (from === "typed" && this.searchFrom === "saved") {
      const saved = this.savedSearches.find((s) => s.name === this.savedName);
      if (saved && !this.typedQuery.trim()) this.typedQuery = saved.query;
    }
    this.searchFrom = from;
  }

  /**
   * Asks the vault's plan what the search chosen finds, a pause after it
   * changed, on the first step (run as an effect; returns its cleanup): the
   * vault refuses a query it cannot search exactly, or one that finds
   * nothing, with the reason. An answer to an older search is dropped.
   */
  followSearchCheck(): (() => void) | undefined {
    const query = this.searchQuery;
    const name = this.searchSelection.search_name;
    const prefix = this.prefix.trim();
    if (this.phase !== "wizard" || this.step !== "select" || this.selectBy !== "search" || query === null) {
      this.#searchCheckSeq++;
      untrack(() => {
        this.searchChecking = false;
        if (this.selectBy !== "search" || query === null) {
          this.searchPlan = null;
          this.searchCheckError = null;
        }
      });
      return undefined;
    }
    const seq = ++this.#searchCheckSeq;
    untrack(() => {
      this.searchChecking = true;
      this.searchCheckError = null;
    });
    // The numbering is chosen later: the prefix and digits do not change what is chosen.
    const options: ExportOptions = {
      exhibits: [],
      tag: null,
      custodian: null,
      bates_prefix: PREFIX_RULE.test(prefix) ? prefix : "PROD",
      bates_start: null,
      bates_width: 12,
      recipients: [],
      passphrase: null,
      dat_encoding: "utf8",
      organization: null,
      search: query,
      search_name: name,
      search_terms: null,
      images: null,
      endorse: null,
      endorse_corner: DEFAULT_LEGEND_CORNER,
      bates_corner: DEFAULT_BATES_CORNER,
    };
    const timer = setTimeout(async () => {
      try {
        const p = await backend().planExport(options);
        if (seq === this.#searchCheckSeq) {
          this.searchPlan = p;
          this.searchCheckError = null;
        }
      } catch (e) {
        if (seq === this.#searchCheckSeq) {
          this.searchPlan = null;
          this.searchCheckError = problem(e);
        }
      } finally {
        if (seq === this.#searchCheckSeq) this.searchChecking = false;
      }
    }, PLAN_DELAY_MS);
    return () => clearTimeout(timer);
  }

  togglePick(id: string, on: boolean): void {
    this.picked = toggled(this.picked, id, on);
  }

  pickAllShown(): void {
    this.picked = withAllShown(this.picked, this.shown);
  }

  /** Picks the rest of the family headed by `head` (every family the picks take part of, without one). */
  addFamily(head?: string): void {
    this.picked = withFamilies(
      this.picked,
      this.familyGaps.filter((g) => head === undefined || g.head === head),
    );
  }

  /** The head of each exhibit in a family read, by id. */
  readonly #treeHead = $derived.by(() => {
    const heads = new Map<string, string>();
    for (const [head, tree] of this.families) for (const m of tree) if (!heads.has(m.id)) heads.set(m.id, head);
    return heads;
  });

  /** The head of the family an exhibit picked is in, if it is in one (null: on its own, or not known). */
  #headOf(id: string): string | null {
    const head = this.#treeHead.get(id);
    if (head !== undefined) return head;
    const row = this.#seen.get(id);
    return row && (row.parent !== null || row.members > 0) ? row.family : null;
  }

  /**
   * Reads the family of each exhibit picked that is in one, a few at a
   * time, while picking by hand (run as an effect): the wizard then says
   * which families the picks take only part of.
   */
  followFamilies(): void {
    if (this.selectBy !== "picked") return;
    const reading = this.familiesReading;
    const wanted = new Set<string>();
    for (const id of this.picked) {
      const head = this.#headOf(id);
      if (head !== null && !this.families.has(head) && !reading.has(head) && !this.#familyFailed.has(head)) wanted.add(head);
    }
    const start = [...wanted].slice(0, Math.max(0, FAMILY_READS - reading.size));
    if (start.length > 0) untrack(() => start.forEach((head) => void this.#readFamily(head)));
  }

  async #readFamily(head: string): Promise<void> {
    this.familiesReading = new Set([...this.familiesReading, head]);
    try {
      const tree = await backend().exhibitFamily(head);
      this.families = new Map([...this.families, [head, tree]]);
    } catch (e) {
      this.#familyFailed.add(head);
      this.familyError = `The family of ${head} could not be read: ${problem(e)} The export still produces it whole.`;
    } finally {
      const left = new Set(this.familiesReading);
      left.delete(head);
      this.familiesReading = left;
    }
  }

  /**
   * Asks the vault for the first rows the hand-pick search matches, a pause
   * after the search last changed, while picking by hand (run as an effect;
   * returns its cleanup). An answer to an older search is dropped.
   */
  followSearch(): (() => void) | undefined {
    const query = pickQuery(this.searchText);
    if (this.selectBy !== "picked") {
      this.#searchSeq++;
      untrack(() => {
        this.matches = null;
        this.searchError = null;
      });
      return undefined;
    }
    const seq = ++this.#searchSeq;
    const timer = setTimeout(async () => {
      try {
        const found = await backend().exhibitWindow(query);
        if (seq === this.#searchSeq) {
          for (const row of found.rows) this.#seen.set(row.id, row);
          this.matches = found;
          this.searchError = null;
        }
      } catch (e) {
        if (seq === this.#searchSeq) {
          this.matches = null;
          this.searchError = problem(e);
        }
      }
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }

  // ---------------------------------------------------------- encryption

  toggleKey(recipient: string, on: boolean): void {
    this.chosenKeys = toggled(this.chosenKeys, recipient, on);
  }

  /** Forgets the passphrase unless it is the protection chosen (run as an effect). */
  keepPassphraseOnlyIfChosen(): void {
    if (this.protect !== "passphrase") untrack(() => this.forgetPassphrase());
  }

  forgetPassphrase(): void {
    this.passphrase = "";
    this.passphrase2 = "";
  }

  /** Adds the key typed in to the address book and chooses it. */
  async addKey(): Promise<void> {
    if (this.addingKey) return;
    this.addingKey = true;
    this.keyError = null;
    try {
      const key = await backend().addCounselKey(this.newName, this.newKey);
      this.counsel = [...this.counsel, key].sort((a, b) => a.name.localeCompare(b.name));
      this.chosenKeys = [...this.chosenKeys, key.recipient];
      this.newName = "";
      this.newKey = "";
    } catch (e) {
      this.keyError = problem(e);
    } finally {
      this.addingKey = false;
    }
  }

  async removeKey(key: CounselKey): Promise<void> {
    this.keyError = null;
    try {
      await backend().removeCounselKey(key.id);
      this.counsel = this.counsel.filter((k) => k.id !== key.id);
      this.chosenKeys = this.chosenKeys.filter((r) => r !== key.recipient);
    } catch (e) {
      this.keyError = problem(e);
    }
  }

  // ---------------------------------------------------------- the plan

  /**
   * Asks the vault for the plan of the current choices on the numbering,
   * page images and review steps (run as an effect; returns its cleanup). A
   * request still on its way when the choices change is dropped. On the
   * numbering step the legend is left out: whether it fits is for the page
   * images step to say, and it does not change the numbers.
   */
  followPlan(): (() => void) | undefined {
    const step = this.step;
    const opts = { ...this.options, passphrase: null, ...(step === "numbering" ? { endorse: null } : {}) };
    if (this.phase !== "wizard" || (step !== "numbering" && step !== "images" && step !== "review") || !opts.bates_prefix || this.startProblem) {
      this.#planSeq++;
      untrack(() => {
        this.plan = null;
        this.planError = null;
        this.planning = false;
      });
      return undefined;
    }
    const seq = ++this.#planSeq;
    untrack(() => (this.planning = true));
    const timer = setTimeout(async () => {
      try {
        const p = await backend().planExport(opts);
        if (seq === this.#planSeq) {
          this.plan = p;
          this.planError = null;
        }
      } catch (e) {
        if (seq === this.#planSeq) {
          this.plan = null;
          this.planError = problem(e);
        }
      } finally {
        if (seq === this.#planSeq) this.planning = false;
      }
    }, PLAN_DELAY_MS);
    return () => clearTimeout(timer);
  }

  // ---------------------------------------------------------- page images

  /**
   * Asks the vault for the first page of the exhibit previewed, stamped as
   * the export would stamp it, a pause after the page images, the legend,
   * the corners or the selection last changed, on the page images step (run
   * as an effect; returns its cleanup). An answer to older choices is
   * dropped; a refusal (a stamp that does not fit) is kept to show instead.
   */
  followPreview(): (() => void) | undefined {
    const opts = { ...this.options, passphrase: null };
    const exhibit = this.previewTarget;
    if (this.phase !== "wizard" || this.step !== "images" || opts.images === null || !opts.bates_prefix || this.startProblem) {
      this.#previewSeq++;
      untrack(() => {
        this.previewing = false;
        if (opts.images === null) {
          this.preview = null;
          this.previewError = null;
        }
      });
      return undefined;
    }
    const seq = ++this.#previewSeq;
    untrack(() => (this.previewing = true));
    const timer = setTimeout(async () => {
      try {
        const p = await backend().stampPreview(opts, exhibit);
        if (seq === this.#previewSeq) {
          this.preview = p;
          this.previewError = null;
        }
      } catch (e) {
        if (seq === this.#previewSeq) {
          this.preview = null;
          this.previewError = problem(e);
        }
      } finally {
        if (seq === this.#previewSeq) this.previewing = false;
      }
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }

  // ---------------------------------------------------------- steps

  next(): void {
    if (this.stepProblem) return;
    this.step = STEPS[Math.min(this.stepIndex + 1, STEPS.length - 1)].step;
  }

  previous(): void {
    this.step = STEPS[Math.max(this.stepIndex - 1, 0)].step;
  }

  // ---------------------------------------------------------- export

  /** Asks where to save (a native dialog), then writes the reviewed bundle there. */
  async exportToChosen(): Promise<void> {
    if (this.stepProblem || !this.plan) return;
    this.exportError = null;
    this.cancelled = false;
    let destination;
    try {
      destination = await backend().pickDestination(suggestedFileName(this.plan, this.encrypted));
    } catch (e) {
      this.exportError = problem(e);
      return;
    }
    if (!destination) return;
    await this.write(destination.token);
  }

  async exportToTyped(): Promise<void> {
    if (this.stepProblem || !this.plan || !this.typedDestination.trim()) return;
    this.exportError = null;
    try {
      const sel = await backend().typedPath(this.typedDestination.trim());
      await this.write(sel.token);
    } catch (e) {
      this.exportError = problem(e);
    }
  }

  async write(token: string): Promise<void> {
    const reviewed = this.plan;
    if (!reviewed) return;
    this.phase = "running";
    try {
      this.usedPassphrase = this.protect === "passphrase";
      const request = bundleRequest(this.options, reviewed, token);
      this.result = await this.job.run("export", (onEvent) => backend().exportBundle(request, onEvent));
      this.forgetPassphrase();
      this.phase = "done";
    } catch (e) {
      const err = toBackendError(e);
      if (err.code === "cancelled") this.cancelled = true;
      else this.exportError = sentence(err.message);
      this.phase = "wizard";
    }
  }

  async cancel(): Promise<void> {
    const trouble = await this.job.cancel();
    if (trouble) this.exportError = trouble;
  }

  startOver(): void {
    this.result = null;
    this.phase = "wizard";
    this.step = "select";
    void this.loadProductions();
  }

  // ---------------------------------------------------------- loading

  async loadProductions(): Promise<void> {
    const done = await backend().productions();
    const latest = done.at(-1);
    this.lastPrefix = latest ? latest.bates_prefix : null;
    if (latest) this.width = String(latest.bates_width);
  }

  /** Reads the exhibits' counts, the address book, the earlier productions and the saved searches. */
  async load(): Promise<void> {
    void this.loadSavedSearches();
    try {
      const [facets, keys] = await Promise.all([backend().exhibitFacets(), backend().counselKeys(), this.loadProductions()]);
      this.counsel = keys;
      if (!this.prefix) this.prefix = suggestedPrefix(this.lastPrefix, session.vault?.matter.matter ?? "");
      this.facets = facets;
    } catch (e) {
      this.loadError = problem(e);
    }
  }
}
