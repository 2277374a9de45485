/**
 * An in-memory Backend for UI tests: a small matter with exhibits and a
 * custody log, behaving like the real commands (errors included). Tests
 * override single methods with `{ ...createMockBackend(), method: ... }`.
 */
import type { Backend } from "./backend";
import { BackendError } from "./backend";
import { MIN_PASSPHRASE_CHARS } from "./bindings";
import type {
  AppInfo,
  AcceptNewKey,
  BundleReport,
  ProducerKey,
  CornerChoice,
  CounselKey,
  CustodyEvent,
  Derivation,
  Designation,
  ExportOptions,
  ExportPlan,
  Exhibit,
  ExhibitDetail,
  ExhibitOrder,
  ExhibitQuery,
  FirmMatter,
  JobEvent,
  LoggedEvent,
  LockReason,
  MatterInfo,
  MetadataValue,
  PrivilegeBasis,
  PrivilegeLogRow,
  ProcessOutcome,
  ProcessingState,
  ProductionRecord,
  PlannedExhibit,
  FamilyMember,
  AuditMapping,
  MappedExport,
  SavedMapping,
  SavedSearch,
  SearchSelection,
  Value,
  RecentVault,
  SearchHit,
  SearchReport,
  Selection,
  Settings,
  TimelineBucket,
  TimelineEvent,
  TimelineQuery,
  TimelineUnit,
  TimestampSettings,
  VaultSummary,
} from "./bindings";

export const MOCK_PASSPHRASE = "correct horse battery staple";

/** A stamped page as the mock previews it: a PNG of one white pixel. */
export const MOCK_PAGE_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg==";

/** A stamp's width in points, as the mock measures it (the stamps' face averages 6.5 points a character). */
export function mockStampWidth(text: string): number {
  return [...text].length * 6.5;
}

export interface MockState {
  settings: Settings;
  open: VaultSummary | null;
  exhibits: Exhibit[];
  log: CustodyEvent[];
  selections: Map<string, string[]>;
  dropListeners: ((s: Selection) => void)[];
  lockListeners: ((r: LockReason) => void)[];
  calls: string[];
  /** The recent vaults `appInfo` lists (`forgetRecent` removes from it). */
  recent: RecentVault[];
  /** Whether `appInfo` says paths may be typed. */
  typedPaths: boolean;
  /** The vault's address book of counsel keys. */
  counsel: CounselKey[];
  /** Productions made from the vault. */
  productions: ProductionRecord[];
  /** The key that seals the mock's bundles (`SHA256:…`). */
  bundleKey: string;
  /** The key pinned for the mock producer vault, once a production of it was imported (null: none yet). */
  producerKey: string | null;
  /** The vault's RFC 3161 time-stamping settings. */
  timestamping: TimestampSettings;
  /** What processing made of each exhibit processed (absent: pending). */
  processed: Map<string, MockProcessed>;
  /**
   * The case timeline: events read from audit-log exports (`source:
   * "audit"`) and the exhibits' own dates (`source: "metadata"`, listed only
   * when a query asks for dates). `timeline` and `timelineView` answer from it.
   */
  timeline: TimelineEvent[];
  /** The saved searches, by name. */
  savedSearches: SavedSearch[];
  /** The audit-log column mappings saved, in the order saved. */
  mappings: SavedMapping[];
  /**
   * What processing reads of an exhibit as text where a test gives it (a
   * CSV export's rows, by exhibit id); any other text exhibit reads as
   * "Contents of NAME".
   */
  contents: Map<string, string>;
  /** The exhibits' designations for productions, by exhibit id (absent: none). */
  designations: Map<string, Designation>;
  /** The matters whose catalogs the firm database (`MOCK_FIRM`) holds, as `firmMatters` lists them. */
  firmMatters: FirmMatter[];
}

/** What processing made of one exhibit in the mock. */
export interface MockProcessed {
  processing: ProcessingState;
  metadata: MetadataValue[];
  derivations: Derivation[];
  /** Its extracted text (null: none). */
  text: string | null;
}

/** A processing state as the vault reports it (pending unless told). */
export function mockProcessing(over: Partial<ProcessingState> = {}): ProcessingState {
  return { status: "pending", kind: "", reason: null, wants_ocr: [], ocr_done: false, problems: [], ...over };
}

/**
 * A family as processing leaves it: an e-mail (`EX-0001`) with two
 * attachments, the second a ZIP holding one more document. Exhibits `n` to
 * `n + 3`.
 */
export function mockFamily(n = 1): Exhibit[] {
  const id = (k: number) => `EX-${String(n + k).padStart(4, "0")}`;
  const head = id(0);
  return [
    mockExhibit(n, { name: "Re: Lodestar pricing.eml", mime: "message/rfc822", members: 3 }),
    mockExhibit(n + 1, { name: "pricing-2026.pdf", mime: "application/pdf", parent: head, family: head, path: `${head}/pricing-2026.pdf` }),
    mockExhibit(n + 2, { name: "drawings.zip", mime: "application/zip", parent: head, family: head, path: `${head}/drawings.zip` }),
    mockExhibit(n + 3, { name: "bracket-rev4.txt", mime: "text/plain", parent: id(2), family: head, path: `${id(2)}/bracket-rev4.txt` }),
  ];
}

/** One timeline event: a view of `EX-0001` read from the audit-log export `EX-0003` unless told. */
export function mockTimelineEvent(row: number, over: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    source: "audit",
    time: "2026-05-14T09:00:00Z",
    actor: "erik.brandt",
    action: "view",
    source_exhibit: "EX-0003",
    row,
    raw_sha256: mockSelectionDigest([`row-${row}`]),
    object: "Lodestar spec v3.pdf",
    exhibit: "EX-0001",
    join: "hash",
    weak: false,
    ip: null,
    burst: false,
    ...over,
  };
}

/**
 * What the mock's audit-log export (`EX-0003`) says happened to `EX-0001`:
 * a view joined by hash, a download joined by name and size, a mass
 * download by name alone (weak) and a share joined by the document's URL.
 */
export function mockTimeline(): TimelineEvent[] {
  return [
    mockTimelineEvent(4, { time: "2026-05-12T16:20:00Z", action: "view", join: "hash", ip: "10.0.4.17" }),
    mockTimelineEvent(9, { time: "2026-05-14T21:02:11Z", action: "download", join: "name_size", ip: "10.0.4.17" }),
    mockTimelineEvent(12, { time: "2026-05-14T21:03:40Z", action: "download", join: "name", weak: true, ip: "203.0.113.8", burst: true }),
    mockTimelineEvent(15, { time: "2026-05-15T08:30:00Z", action: "share", join: "object_id", object: "https://docs.example.com/d/lodestar-spec-v3" }),
  ];
}

/** One of an exhibit's own dates as a timeline event (`EX-0001`'s creation unless told). */
export function mockDateEvent(over: Partial<TimelineEvent> = {}): TimelineEvent {
  const exhibit = over.exhibit ?? over.source_exhibit ?? "EX-0001";
  return {
    source: "metadata",
    time: "2026-03-02T09:15:00Z",
    actor: "Erik Brandt",
    action: "document created",
    source_exhibit: exhibit,
    row: 0,
    raw_sha256: "",
    object: "Lodestar spec v3.pdf",
    exhibit,
    join: null,
    weak: false,
    ip: null,
    burst: false,
    ...over,
  };
}

/**
 * The mock's exhibits' own dates: `EX-0001` (a PDF) created and last
 * modified, the evening it was downloaded.
 */
export function mockTimelineDates(): TimelineEvent[] {
  return [
    mockDateEvent({ time: "2026-03-02T09:15:00Z", action: "document created" }),
    mockDateEvent({ time: "2026-05-14T20:58:00Z", action: "document modified" }),
  ];
}

/** The most events one timeline view lists (as the vault allows). */
export const MOCK_MAX_VIEW_EVENTS = 5000;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `y-m-d` is a day of the calendar. */
function realDay(y: string, m: string, d: string): boolean {
  const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(m) - 1 && t.getUTCDate() === Number(d);
}

/** Refuses a range bound that is not a day, an hour or an RFC 3339 time, as the vault does. */
function checkBound(s: string): void {
  const day = DAY.exec(s);
  const hour = HOUR.exec(s);
  const ok =
    (day !== null && realDay(day[1]!, day[2]!, day[3]!)) ||
    (hour !== null && realDay(hour[1]!, hour[2]!, hour[3]!) && Number(hour[4]) < 24) ||
    (RFC3339.test(s) && !Number.isNaN(Date.parse(s)));
  if (!ok) throw new BackendError("invalid_input", `${s} is not a day (2025-05-14), an hour (2025-05-14T09) or an RFC 3339 time`);
}

/** Whether an action is a download (or a sync or copy of a file down to a device). */
export function mockIsDownload(action: string): boolean {
  const a = action.toLowerCase();
  return a.includes("download") || a.includes("synced") || a.includes("copied to removable") || a === "copy_to_usb";
}

/** The events of `all` a timeline query selects, in time order (the vault's filter, bounds checked first). */
export function mockTimelineSelect(all: readonly TimelineEvent[], q: TimelineQuery): TimelineEvent[] {
  for (const b of [q.from, q.to]) if (b !== null && b !== undefined) checkBound(b);
  const same = (want: string | null | undefined, have: string) => want === null || want === undefined || want.toLowerCase() === have.toLowerCase();
  // A time compared with a bound over the bound's length: within a day or an hour counts as at it.
  const from = q.from ?? null;
  const to = q.to ?? null;
  return all
    .filter(
      (e) =>
        (e.source !== "metadata" || q.dates === true) &&
        (q.exhibit === null || e.exhibit === q.exhibit) &&
        same(q.actor, e.actor) &&
        same(q.action, e.action) &&
        (from === null || e.time >= from || e.time.startsWith(from)) &&
        (to === null || e.time.slice(0, to.length) <= to),
    )
    .sort(
      (a, b) =>
        a.time.localeCompare(b.time) || a.source.localeCompare(b.source) || a.source_exhibit.localeCompare(b.source_exhibit) || a.row - b.row,
    );
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Events counted per day or hour, as the vault counts them. */
export function mockTimelineBuckets(events: readonly TimelineEvent[], unit: TimelineUnit): TimelineBucket[] {
  const len = unit === "day" ? 10 : 13;
  const out: TimelineBucket[] = [];
  for (const e of events) {
    const at = e.time.slice(0, len);
    let b = out.at(-1);
    if (!b || b.at !== at) {
      b = { at, events: 0, downloads: 0, bursts: 0 };
      out.push(b);
    }
    b.events += 1;
    if (mockIsDownload(e.action)) b.downloads += 1;
    if (e.burst) b.bursts += 1;
  }
  return out;
}

/** The fingerprint of the mock's genuine seal key. */
export const MOCK_SEAL_KEY = "SHA256:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo";
/** Another well-formed fingerprint: a different key. */
export const MOCK_OTHER_SEAL_KEY = "SHA256:b3RoZXJrZXlvdGhlcmtleW90aGVya2V5b3RoZXJrZXk";

/** A valid-looking age recipient (62 characters, `age1` + bech32). */
export const MOCK_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

/** A clean bundle report as the mock's `verifyBundle` returns it. */
export function mockBundleReport(over: Partial<BundleReport> = {}): BundleReport {
  return {
    ok: true,
    bag: "HAL000001-HAL000003",
    signer_fingerprint: MOCK_SEAL_KEY,
    signer_identity: `custos-vault-${MOCK_MATTER.vault_id}`,
    exhibits: 3,
    events: 9,
    findings: [],
    seal_key_pinning: "not_pinned",
    ...over,
  };
}

export const MOCK_MATTER: MatterInfo = {
  vault_id: "6f0c3c1e-0000-4000-8000-000000000001",
  matter: "Halvorsen Dynamics v. Brandt",
  matter_number: "3:26-cv-01482",
  examiner: "Dana Whitfield",
  exhibit_prefix: "EX-",
  created: "2026-06-01T09:00:00.000000Z",
};

/** The firm database every firm config the mock is given names. */
export const MOCK_FIRM = "postgresql://custos@db.firm.example:5432/matters";

/**
 * The matters the mock's firm database holds, as they read once unlocked
 * (none of them has a copy in the mock's default recent list).
 */
export const MOCK_FIRM_MATTERS: MatterInfo[] = [
  {
    vault_id: "9b2e7d40-0000-4000-8000-000000000002",
    matter: "Okafor v. Lindqvist Freight",
    matter_number: "24-CV-0091",
    examiner: "Sam Okoro",
    exhibit_prefix: "OLF-",
    created: "2026-05-20T14:03:11Z",
  },
  {
    vault_id: "c41a0f6d-0000-4000-8000-000000000003",
    matter: "Reyes v. Coastline Port Authority",
    matter_number: null,
    examiner: "Dana Whitfield",
    exhibit_prefix: "RCP-",
    created: "2026-06-08T07:45:00Z",
  },
];

/** What `firmMatters` lists of the mock's firm database: ids, creation times and numbers of changes. */
export function mockFirmMatters(): FirmMatter[] {
  return MOCK_FIRM_MATTERS.map((m, i) => ({ vault_id: m.vault_id, created: m.created, changes: [42, 7][i] ?? 1 }));
}

export function mockExhibit(n: number, over: Partial<Exhibit> = {}): Exhibit {
  const id = `EX-${String(n).padStart(4, "0")}`;
  const hex = (seed: number, len: number) =>
    Array.from({ length: len }, (_, i) => ((seed * 31 + i * 7) % 16).toString(16)).join("");
  return {
    id,
    name: `document-${n}.txt`,
    path: `/evidence/brandt/document-${n}.txt`,
    size: 1000 + n,
    sha256: hex(n, 64),
    md5: hex(n + 1, 32),
    sha1: null,
    mime: "text/plain",
    custodian: "Erik Brandt",
    source: "Laptop HX-2231",
    collected_by: "Dana Whitfield",
    collected_at: `2026-06-0${1 + (n % 9)}T10:00:00.000000Z`,
    description: "",
    parent: null,
    family: id,
    members: 0,
    tags: [],
    ...over,
  };
}

export function mockEvent(seq: number, over: Partial<CustodyEvent> = {}): CustodyEvent {
  return {
    seq,
    time: `2026-06-01T10:${String(seq % 60).padStart(2, "0")}:00.000000Z`,
    action: "collected",
    exhibit: null,
    actor: "Dana Whitfield",
    released_by: null,
    received_by: null,
    purpose: null,
    method: null,
    tool: "Custos 0.1.0",
    hash_algorithm: null,
    hash_before: null,
    hash_after: null,
    hashes_match: null,
    location: "ws-paralegal-2",
    details: {},
    ...over,
  };
}

/**
 * A copy of a value as it arrives over IPC: every call returns fresh objects,
 * so later changes to the mock's state do not show through earlier results.
 */
/** A stand-in for the vault's digest of a selection: 64 hex digits that
 * change whenever the ids (or their order) do. */
export function mockSelectionDigest(ids: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of ids.join("\n")) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0").repeat(8);
}

/** A custody event with words as the backend gives them (a short stand-in
 * of the Rust sentences: the action and what the details name). */
export function mockWords(e: CustodyEvent): LoggedEvent {
  const d = (e.details ?? {}) as Record<string, unknown>;
  let words: string;
  if (e.action === "metadata_edited" && d.field === "tags") words = d.added ? `Tag “${String(d.added)}” added` : `Tag “${String(d.removed)}” removed`;
  else if (e.action === "metadata_edited" && d.field === "designation") words = mockDesignationWords(d.after as Designation);
  else if (e.action === "metadata_edited") words = `Description set to “${String(d.after)}”`;
  else if (e.action === "collected") words = `Collected “${String(d.name ?? "")}”`;
  else if (e.action === "exported") {
    const sealed = d.encrypted ? "an encrypted" : "a";
    words =
      typeof d.withheld === "string"
        ? `Withheld (${d.withheld}) from ${sealed} sealed bundle to ${String(d.destination)}: a slip sheet as ${String(d.bates)} and a privilege log row`
        : `Produced as ${String(d.bates)} in ${sealed} sealed bundle to ${String(d.destination)}`;
  }
  else words = e.action.replace(/_/g, " ");
  return { ...e, words };
}

/** No designation: what an exhibit has until one is made. */
export function mockNoDesignation(): Designation {
  return { privilege: null, withheld: false, log_description: "", confidentiality: null };
}

/** A privilege as the privilege log words it. */
export const MOCK_PRIVILEGE_WORDS: Record<PrivilegeBasis, string> = {
  attorney_client: "Attorney-client privilege",
  work_product: "Attorney work product",
  common_interest: "Common-interest privilege",
};

/** The longest privilege log description, and the longest confidentiality level (as the vault allows). */
export const MOCK_MAX_LOG_DESCRIPTION = 1000;
export const MOCK_MAX_CONFIDENTIALITY = 100;

/** Why the vault refuses a designation, in its words, or null. */
export function mockDesignationProblem(d: Designation): string | null {
  if (d.withheld && d.privilege === null)
    return "a withheld document needs the privilege claimed for it (attorney-client, work product or common interest)";
  if (d.withheld && d.log_description.trim() === "")
    return "a withheld document needs a description for the privilege log (what it is, never its privileged content)";
  if ([...d.log_description].length > MOCK_MAX_LOG_DESCRIPTION || /[^\P{Cc}\n]/u.test(d.log_description))
    return `the privilege log description is at most ${MOCK_MAX_LOG_DESCRIPTION} characters, with no control characters`;
  const c = d.confidentiality;
  if (c !== null && (c.trim() === "" || [...c].length > MOCK_MAX_CONFIDENTIALITY || /\p{Cc}/u.test(c)))
    return `a confidentiality level is 1 to ${MOCK_MAX_CONFIDENTIALITY} characters, with no control characters`;
  return null;
}

/** Whether two designations are the same. */
export function mockSameDesignation(a: Designation, b: Designation): boolean {
  return a.privilege === b.privilege && a.withheld === b.withheld && a.log_description === b.log_description && a.confidentiality === b.confidentiality;
}

/** A designation as the custody history says it (the vault's sentence). */
export function mockDesignationWords(d: Designation): string {
  if (mockSameDesignation(d, mockNoDesignation())) return "Designations cleared";
  const quoted = (s: string) => (s === "" ? "empty" : `“${s}”`);
  const parts: string[] = [];
  if (d.privilege !== null) parts.push(`${MOCK_PRIVILEGE_WORDS[d.privilege]} claimed`);
  if (d.withheld) parts.push("withheld from productions (privilege log)");
  if (d.confidentiality !== null) parts.push(`confidentiality ${quoted(d.confidentiality)}`);
  if (d.log_description !== "") parts.push(`log description ${quoted(d.log_description)}`);
  return `Designated: ${parts.join("; ")}`;
}

/** What kind of document an exhibit is, as the privilege log says it (by what processing found it to be, else its MIME type). */
export function mockDocumentType(kind: string, mime: string): string {
  const words: Record<string, string> = {
    email: "E-mail",
    msg: "E-mail",
    mbox: "Mailbox",
    pst: "Mailbox",
    pdf: "PDF document",
    docx: "Word-processing document",
    odt: "Word-processing document",
    rtf: "Word-processing document",
    xlsx: "Spreadsheet",
    ods: "Spreadsheet",
    csv: "Spreadsheet",
    pptx: "Presentation",
    odp: "Presentation",
    image: "Image",
    text: "Text document",
    html: "Web page",
    zip: "Archive",
    audit_log: "Audit-log export",
  };
  return words[kind] ?? mime;
}

/** The exhibits an exhibit query matches, in its order (as the vault filters them). */
export function mockMatching(exhibits: readonly Exhibit[], q: ExhibitQuery): Exhibit[] {
  const words = q.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out = exhibits.filter((e) => {
    // Only exhibits found inside no other: family heads and those on their own.
    if (q.heads_only && e.parent !== null) return false;
    if (q.custodian.kind === "unrecorded" && e.custodian) return false;
    if (q.custodian.kind === "named" && e.custodian !== q.custodian.name) return false;
    if (q.tag !== null && !e.tags.includes(q.tag)) return false;
    const text = [e.id, e.name, e.custodian ?? "", ...e.tags].join("\n").toLowerCase();
    return words.every((w) => text.includes(w) || e.sha256.startsWith(w));
  });
  const key: Record<ExhibitOrder, (e: Exhibit) => string | number> = {
    number: (e) => Number(e.id.replace(/\D/g, "")),
    name: (e) => e.name.toLowerCase(),
    type: (e) => e.mime,
    size: (e) => e.size,
    custodian: (e) => (e.custodian ?? "").toLowerCase(),
    collected: (e) => e.collected_at,
    sha256: (e) => e.sha256,
  };
  const k = key[q.order];
  const sign = q.direction === "ascending" ? 1 : -1;
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const x = k(a.e), y = k(b.e);
      return (x < y ? -1 : x > y ? 1 : a.i - b.i) * sign;
    })
    .map((r) => r.e);
}

/**
 * A mock of the vault's full-text search, small and inexact: words (letters
 * match regardless of case and accents), "phrases", prefixes (term*),
 * AND/OR/NOT with parentheses, proximity (w/N in either order, pre/N the
 * left side first, at most N words between, in the same field), and the
 * fields; a snippet with the words found between « and ». It refuses, with
 * the vault's message shapes, what the vault refuses most often: a wildcard
 * not at the end of a word, an unclosed quote, a proximity joining anything
 * but words, prefixes and phrases, an unknown field.
 */
type MockTerm = { kind: "terms"; field: string | null; words: string[]; prefix: boolean };
type MockNear = { kind: "near"; left: MockTerm; right: MockTerm; distance: number; ordered: boolean };
type MockQuery =
  | MockTerm
  | MockNear
  | { kind: "date"; field: string; from: string; to: string }
  | { kind: "and" | "or"; parts: MockQuery[] }
  | { kind: "not"; part: MockQuery };

const MOCK_TEXT_FIELDS = ["from", "to", "subject", "custodian", "tag", "type", "name", "text"];
const MOCK_DATE_FIELDS: Record<string, string> = { sent: "date_sent", received: "date_received", created: "created", modified: "modified", taken: "date_taken", collected: "" };

/** How the vault's refusal of a query it cannot search exactly begins. */
const REFUSED = "the query cannot be searched exactly: ";
const refuse = (why: string): never => {
  throw new BackendError("invalid_input", `${REFUSED}${why}`);
};
const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const wordsOf = (s: string) => fold(s).match(/[\p{L}\p{N}]+/gu) ?? [];

/** `w/N` or `pre/N` (its distance, and whether ordered), or null for anything else; a bad distance is refused. */
function proximity(token: string | undefined): { distance: number; ordered: boolean } | null {
  const lower = token?.toLowerCase() ?? "";
  for (const [op, ordered] of [["w/", false], ["pre/", true]] as const) {
    if (!lower.startsWith(op)) continue;
    const n = lower.slice(op.length);
    const distance = /^\d+$/.test(n) ? Number(n) : NaN;
    if (!(distance >= 1 && distance <= 1000)) refuse(`${token}: a proximity is ${op} and a number of words from 1 to 1000, e.g. ${op}5`);
    return { distance, ordered };
  }
  return null;
}

function mockParse(q: string): MockQuery {
  const tokens: string[] = [];
  for (let i = 0; i < q.length; ) {
    const c = q[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "(" || c === ")") tokens.push(q[i++]!);
    else if (c === '"') {
      const close = q.indexOf('"', i + 1);
      if (close < 0) refuse(`the quote at character ${i + 1} is never closed; add the closing "`);
      tokens.push(q.slice(i, close + 1));
      i = close + 1;
    } else {
      let w = "";
      while (i < q.length && !/[\s()"]/.test(q[i]!)) {
        w += q[i++];
        if (w.endsWith(":")) break;
      }
      tokens.push(w);
    }
  }
  if (tokens.length === 0) refuse("the query is empty");
  let at = 0;
  const term = (field: string | null, t: string | undefined): MockQuery => {
    if (t === undefined || t === "(" || t === ")") return refuse(`${field}: wants a word, a prefix or a "phrase" right after it`);
    if (t.startsWith('"')) return { kind: "terms", field, words: wordsOf(t), prefix: false };
    const prefix = t.endsWith("*");
    const stem = prefix ? t.slice(0, -1) : t;
    if (/[*?]/.test(stem)) refuse(`${t}: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly`);
    if (wordsOf(stem).length === 0) refuse(`${t} has no letters or digits to search for`);
    return { kind: "terms", field, words: wordsOf(stem), prefix };
  };
  const primary = (): MockQuery => {
    const t = tokens[at++];
    if (t === "(") {
      const inner = or();
      if (tokens[at++] !== ")") refuse("a ( is never closed; add the closing )");
      return inner;
    }
    if (t === undefined) return refuse("the query ends too soon");
    if (t === ")") return refuse("a ) has no ( before it");
    if (/^(AND|OR)$/.test(t)) return refuse(`${t} has nothing before it`);
    if (t.length > 1 && t.endsWith(":")) {
      const field = t.slice(0, -1).toLowerCase();
      if (field in MOCK_DATE_FIELDS) {
        const v = tokens[at++] ?? "";
        const [from = "", to = from] = v.includes("..") ? v.split("..") : [v, v];
        if (![from, to].every((d) => d === "" || /^\d{4}-\d{2}-\d{2}$/.test(d)) || (!from && !to))
          refuse(`${field}: wants a day or a range of days, e.g. ${field}:2025-05-01..2025-05-31`);
        return { kind: "date", field, from, to };
      }
      if (!MOCK_TEXT_FIELDS.includes(field))
        refuse(`${field}: is not a field (the fields are ${[...MOCK_TEXT_FIELDS, ...Object.keys(MOCK_DATE_FIELDS)].join(", ")}); to search for the text itself, put it in quotes`);
      return term(field, tokens[at++]);
    }
    return term(null, t);
  };
  const unary = (): MockQuery => {
    if (tokens[at] === "NOT") {
      at++;
      return { kind: "not", part: unary() };
    }
    let left = primary();
    for (let near = proximity(tokens[at]); near !== null; near = proximity(tokens[at])) {
      const op = `${near.ordered ? "pre" : "w"}/${near.distance}`;
      at++;
      const next = tokens[at];
      if (next === undefined || next === ")" || next === "OR" || next === "AND") refuse(`${op} has nothing after it`);
      const right = primary();
      for (const side of [left, right]) {
        if (side.kind !== "terms" || side.field !== null)
          refuse(
            `${op} joins ${side.kind === "near" ? "one w/N or pre/N at a time (group the rest with AND)" : "words, prefixes and phrases, not groups, fields, dates or NOT"}`,
          );
      }
      left = { kind: "near", left: left as MockTerm, right: right as MockTerm, distance: near.distance, ordered: near.ordered };
    }
    return left;
  };
  const and = (): MockQuery => {
    const parts = [unary()];
    while (at < tokens.length && tokens[at] !== ")" && tokens[at] !== "OR") {
      if (tokens[at] === "AND") at++;
      parts.push(unary());
    }
    return parts.length === 1 ? parts[0]! : { kind: "and", parts };
  };
  const or = (): MockQuery => {
    const parts = [and()];
    while (tokens[at] === "OR") {
      at++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { kind: "or", parts };
  };
  const query = or();
  if (at < tokens.length) refuse(tokens[at] === ")" ? "a ) has no ( before it" : `unexpected "${tokens[at]}"`);
  return query;
}

/** Where `words` (the last a prefix if told) stand one after the other in `text`: each place's first word. */
function mockPlaces(text: readonly string[], t: MockTerm): number[] {
  const n = t.words.length;
  const out: number[] = [];
  for (let i = 0; i + n <= text.length; i++) {
    if (t.words.every((w, k) => (t.prefix && k === n - 1 ? text[i + k]!.startsWith(w) : text[i + k] === w))) out.push(i);
  }
  return out;
}

/** Whether `words` (the last a prefix if told) stand one after the other in `text`. */
function mockHas(text: readonly string[], t: MockTerm): boolean {
  return mockPlaces(text, t).length > 0;
}

/** Whether the two sides of a proximity stand at most `distance` words apart in `text` (the left first when ordered). */
function mockNear(text: readonly string[], x: MockNear): boolean {
  const lefts = mockPlaces(text, x.left);
  const rights = mockPlaces(text, x.right);
  const between = (a: number, aLen: number, b: number) => b - (a + aLen);
  return lefts.some((l) =>
    rights.some((r) => {
      const after = r >= l + x.left.words.length && between(l, x.left.words.length, r) <= x.distance;
      const before = !x.ordered && l >= r + x.right.words.length && between(r, x.right.words.length, l) <= x.distance;
      return after || before;
    }),
  );
}

/** The words the vault searches for an exhibit, by field. */
export function mockSearchFields(e: Exhibit, processed?: MockProcessed): Record<string, string> {
  const meta = (...fields: string[]) => (processed?.metadata ?? []).filter((m) => fields.includes(m.field)).map((m) => m.value).join("\n");
  return {
    name: e.name,
    text: processed?.text ?? "",
    subject: meta("subject"),
    from: meta("from"),
    to: meta("to", "cc", "bcc"),
    custodian: e.custodian ?? "",
    tag: e.tags.join(" "),
    type: `${e.mime} ${processed?.processing.kind ?? ""}`,
  };
}

/** The mock's search: the exhibits `q` finds, best first, with snippets. */
export function mockSearch(exhibits: readonly Exhibit[], processed: ReadonlyMap<string, MockProcessed>, q: string, limit: number): SearchHit[] {
  if (limit < 1 || limit > 10_000) throw new BackendError("invalid_input", `a search returns from 1 to 10000 hits; ${limit} were asked for`);
  const query = mockParse(q);
  const positive: MockTerm[] = [];
  const collect = (x: MockQuery): void => {
    if (x.kind === "terms") positive.push(x);
    else if (x.kind === "near") positive.push(x.left, x.right);
    else if (x.kind === "and" || x.kind === "or") x.parts.forEach(collect);
  };
  collect(query);
  const hits: { hit: SearchHit; n: number }[] = [];
  exhibits.forEach((e, n) => {
    const p = processed.get(e.id);
    const fields = mockSearchFields(e, p);
    const words = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, wordsOf(v)]));
    const has = (t: MockTerm) => (t.field ? [t.field] : Object.keys(words)).some((f) => mockHas(words[f]!, t));
    const day = (field: string) => (field === "collected" ? e.collected_at : (p?.metadata.find((m) => m.field === MOCK_DATE_FIELDS[field])?.value ?? "")).slice(0, 10);
    const test = (x: MockQuery): boolean => {
      switch (x.kind) {
        case "terms":
          return has(x);
        case "near":
          return Object.values(words).some((text) => mockNear(text, x));
        case "date": {
          const d = day(x.field);
          return d !== "" && (!x.from || d >= x.from) && (!x.to || d <= x.to);
        }
        case "and":
          return x.parts.every(test);
        case "or":
          return x.parts.some(test);
        case "not":
          return !test(x.part);
      }
    };
    if (!test(query)) return;
    const found = positive.filter(has);
    // The snippet: the first field with a word found, each found word between « and ».
    const field = ["text", "subject", "name", "from", "to", "custodian", "tag", "type"].find((f) => found.some((t) => (!t.field || t.field === f) && mockHas(words[f]!, t)));
    const marked = (field ? fields[field]! : "").replace(/[\p{L}\p{N}]+/gu, (w) =>
      found.some((t) => t.words.some((x, k) => (t.prefix && k === t.words.length - 1 ? fold(w).startsWith(x) : fold(w) === x))) ? `«${w}»` : w,
    );
    const first = marked.indexOf("«");
    const snippet = first > 60 ? `…${marked.slice(first - 40)}` : marked;
    hits.push({ hit: { id: e.id, score: found.length, snippet: snippet.length > 160 ? `${snippet.slice(0, 160)}…` : snippet }, n });
  });
  return hits
    .sort((a, b) => (b.hit.score ?? 0) - (a.hit.score ?? 0) || a.n - b.n)
    .slice(0, limit)
    .map((h) => h.hit);
}

/** The SHA-256 of `text` (its UTF-8 bytes) in hex; where Web Crypto is missing, a stand-in (`mockSelectionDigest`), plainly not a real digest. */
async function mockSha256(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return mockSelectionDigest([text]);
  const digest = await subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The terms of a list (one query per line, blank lines skipped), each with
 * its line; a term that cannot be searched refuses the list, naming its
 * line, and so does a list without terms.
 */
export function mockTerms(list: string): { line: number; term: string }[] {
  const terms = list
    .split("\n")
    .map((l, i) => ({ line: i + 1, term: l.trim() }))
    .filter((t) => t.term !== "");
  if (terms.length === 0) throw new BackendError("invalid_input", "the term list has no terms (one query per line)");
  for (const { line, term } of terms) {
    try {
      mockParse(term);
    } catch (e) {
      if (e instanceof BackendError && e.message.startsWith(REFUSED)) {
        throw new BackendError("invalid_input", `${REFUSED}line ${line} (${term}): ${e.message.slice(REFUSED.length)}`);
      }
      throw e;
    }
  }
  return terms;
}

/**
 * The mock's search-term report, counted as the vault counts it: each line
 * of `list` a query (blank lines skipped); per term the exhibits it finds,
 * those with every other member of their families, and those no other term
 * finds; the total over any term (its `unique` the sum of the terms'); the
 * SHA-256 of the list and of the set searched (the exhibits' SHA-256
 * values, sorted, each followed by a line feed). A term that cannot be
 * searched refuses the report, naming its line.
 */
export async function mockSearchReport(exhibits: readonly Exhibit[], processed: ReadonlyMap<string, MockProcessed>, list: string): Promise<SearchReport> {
  const terms = mockTerms(list);
  const found = terms.map(({ term }) => new Set(mockSearch(exhibits, processed, term, 10_000).map((h) => h.id)));
  const timesHit = new Map<string, number>();
  for (const ids of found) for (const id of ids) timesHit.set(id, (timesHit.get(id) ?? 0) + 1);
  const withFamilies = (ids: ReadonlySet<string>) => {
    const heads = new Set(exhibits.filter((e) => ids.has(e.id)).map((e) => e.family));
    return exhibits.filter((e) => ids.has(e.id) || heads.has(e.family)).length;
  };
  const rows = terms.map(({ term }, i) => {
    const ids = found[i]!;
    return { term, documents: ids.size, with_families: withFamilies(ids), unique: [...ids].filter((id) => timesHit.get(id) === 1).length };
  });
  const any = new Set(timesHit.keys());
  const hashes = exhibits.map((e) => e.sha256).sort();
  return {
    terms_sha256: await mockSha256(list),
    searched: exhibits.length,
    searched_sha256: await mockSha256(hashes.map((h) => `${h}\n`).join("")),
    terms: rows,
    total: { term: "(any term)", documents: any.size, with_families: withFamilies(any), unique: rows.reduce((n, r) => n + r.unique, 0) },
  };
}

/** The records of a CSV text (RFC 4180: a quoted field may hold commas, doubled quotes and line breaks), each with its raw text; a byte-order mark is skipped. */
export function mockCsvRecords(text: string): { fields: string[]; raw: string }[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const out: { fields: string[]; raw: string }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let start = 0;
  const end = (i: number) => {
    fields.push(field);
    const raw = body.slice(start, i).replace(/\r$/, "");
    if (fields.length > 1 || fields[0] !== "") out.push({ fields: fields.map((f) => f.replace(/\r$/, "")), raw });
    fields = [];
    field = "";
    start = i + 1;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") end(i);
    else field += c;
  }
  if (field !== "" || fields.length > 0) end(body.length);
  return out;
}

/** The column names of a CSV text (its header row), as the vault lists them for a mapping: trimmed, empty ones left out. */
export function mockCsvColumns(text: string): string[] {
  return (mockCsvRecords(text)[0]?.fields ?? []).map((c) => c.trim()).filter((c) => c !== "");
}

/** A column name as the vault compares them: case, spaces and underscores aside. */
const columnKey = (c: string) => c.trim().toLowerCase().replace(/[ _]/g, "");

/** The mapping as the vault keeps it: every name trimmed, an optional column or offset left empty dropped. */
export function mockMapping(m: AuditMapping): AuditMapping {
  const opt = (c: string | null) => (c === null || c.trim() === "" ? null : c.trim());
  return {
    name: m.name.trim(),
    time: m.time.trim(),
    actor: m.actor.trim(),
    action: m.action.trim(),
    object: m.object.trim(),
    ip: opt(m.ip),
    device: opt(m.device),
    file_name: opt(m.file_name),
    size: opt(m.size),
    hash: opt(m.hash),
    utc_offset: opt(m.utc_offset),
  };
}

/** `±HH:MM` in minutes east of UTC, or null when it is no such offset (as the vault reads one). */
function offsetMinutes(o: string): number | null {
  const m = /^([+-])(\d+):(\d+)$/.exec(o.trim());
  if (!m) return null;
  const [h, min] = [Number(m[2]), Number(m[3])];
  return h <= 14 && min < 60 ? (m[1] === "-" ? -1 : 1) * (h * 60 + min) : null;
}

/** Every column a mapping names, with what it holds. */
function mappedColumns(m: AuditMapping): [string, string][] {
  const out: [string, string][] = [["time", m.time], ["actor", m.actor], ["action", m.action], ["object", m.object]];
  for (const [what, c] of [["ip", m.ip], ["device", m.device], ["file_name", m.file_name], ["size", m.size], ["hash", m.hash]] as const) if (c !== null) out.push([what, c]);
  return out;
}

/** Why the vault refuses a mapping (kept as the vault keeps it), or null. */
export function mockMappingProblem(m: AuditMapping): string | null {
  if (m.name === "" || [...m.name].length > 100 || /\p{Cc}/u.test(m.name)) return "a mapping's name is 1 to 100 characters, none of them control characters";
  const columns = mappedColumns(m);
  for (const [what, c] of columns) if (c.trim() === "") return `the ${what} column is named by nothing`;
  for (let i = 0; i < columns.length; i++) {
    const other = columns.slice(0, i).find(([, d]) => columnKey(d) === columnKey(columns[i]![1]));
    if (other) return `the column ${columns[i]![1]} is named for both ${other[0]} and ${columns[i]![0]}`;
  }
  if (m.utc_offset !== null && offsetMinutes(m.utc_offset) === null) return `${m.utc_offset} is not an offset from UTC such as -05:00 or +01:00`;
  return null;
}

/** A time of an export as RFC 3339 UTC (`2026-05-14T21:02:11Z`): one with a zone as it says, one without at `offset` (UTC when none); null when in no known form. */
export function mockUtcAt(t: string, offset: string | null): string | null {
  const s = t.trim();
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : iso(ms);
  }
  const east = offset === null ? 0 : (offsetMinutes(offset) ?? 0);
  let y: number, mo: number, d: number, h: number, mi: number, se: number;
  const plain = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(s);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ([AP]M))?$/i.exec(s);
  if (plain) [y, mo, d, h, mi, se] = plain.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  else if (us) {
    [mo, d, y, h, mi, se] = us.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const half = us[7]?.toUpperCase();
    if (half && (h < 1 || h > 12)) return null;
    if (half === "PM" && h < 12) h += 12;
    if (half === "AM" && h === 12) h = 0;
  } else return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return iso(ms - east * 60_000);
}

function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function createMockBackend(init: Partial<MockState> = {}): Backend & { state: MockState } {
  const exhibits = init.exhibits ?? [
    mockExhibit(1, { name: "Lodestar spec v3.pdf", mime: "application/pdf", tags: ["hot"] }),
    mockExhibit(2, { name: "Brandt to personal account.eml", mime: "message/rfc822" }),
    mockExhibit(3, { name: "docsys-audit-2026-05.csv", mime: "text/csv", custodian: "IT Department" }),
  ];
  const log =
    init.log ??
    [mockEvent(1, { action: "vault_created" }), ...exhibits.map((e, i) => mockEvent(i + 2, { exhibit: e.id, hash_algorithm: "SHA-256", hash_before: e.sha256, hash_after: e.sha256, hashes_match: true }))];
  const state: MockState = {
    settings: init.settings ?? { examiner: "Dana Whitfield", idle_lock_minutes: 15 },
    open: init.open === undefined ? null : init.open,
    exhibits,
    log,
    selections: init.selections ?? new Map(),
    dropListeners: [],
    lockListeners: [],
    calls: [],
    recent: init.recent ?? [
      { vault_id: MOCK_MATTER.vault_id, path: "/home/dana/Matters/Halvorsen", last_opened: "2026-06-02T08:00:00Z", available: true },
    ],
    typedPaths: init.typedPaths ?? false,
    counsel: init.counsel ?? [],
    productions: init.productions ?? [],
    bundleKey: init.bundleKey ?? MOCK_SEAL_KEY,
    producerKey: init.producerKey ?? null,
    timestamping: init.timestamping ?? { tsa_urls: [], automatic: "off", trusted_cas: [] },
    processed: init.processed ?? new Map(),
    timeline: init.timeline ?? [...mockTimeline(), ...mockTimelineDates()],
    savedSearches: init.savedSearches ?? [],
    mappings: init.mappings ?? [],
    contents: init.contents ?? new Map(),
    designations: init.designations ?? new Map(),
    firmMatters: init.firmMatters ?? mockFirmMatters(),
  };
  let token = 0;
  const hold = (paths: string[]): Selection => {
    const t = `sel-${++token}`;
    state.selections.set(t, paths);
    return { token: t, paths };
  };
  const need = () => {
    if (!state.open) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    return state.open;
  };
  /** How many other exhibits each family holds, by its head (as the vault counts `members`). */
  const memberCounts = (): Map<string, number> => {
    const n = new Map<string, number>();
    for (const x of state.exhibits) if (x.family !== x.id) n.set(x.family, (n.get(x.family) ?? 0) + 1);
    return n;
  };
  /** An exhibit as the vault lists it: with its family's members counted when it heads one. */
  const listed = (e: Exhibit, counts = memberCounts()): Exhibit => ({ ...e, members: counts.get(e.id) ?? 0 });
  const detail = (id: string): ExhibitDetail => {
    const e = state.exhibits.find((x) => x.id === id);
    if (!e) throw new BackendError("not_found", `no exhibit ${id} in this vault`);
    return {
      ...listed(e),
      object: "a".repeat(64),
      sources: [
        {
          path: e.path,
          name: e.name,
          size: e.size,
          modified: "2026-05-14T21:04:00Z",
          created: null,
          accessed: null,
          custodian: e.custodian,
          source: e.source,
          method: "Logical copy",
          purpose: "Litigation hold",
          collected_by: e.collected_by,
          collected_at: e.collected_at,
        },
      ],
      received: [],
      children: state.exhibits.filter((x) => x.parent === id).map((x) => x.id),
      metadata: state.processed.get(id)?.metadata ?? [],
      derivations: state.processed.get(id)?.derivations ?? [],
      processing: state.processed.get(id)?.processing ?? mockProcessing(),
      designation: { ...(state.designations.get(id) ?? mockNoDesignation()) },
    };
  };
  const append = (ev: Partial<CustodyEvent>) => state.log.push(mockEvent(state.log.length + 1, ev));

  /**
   * The privilege log: a row for every withheld exhibit, in exhibit order,
   * made from its designation and what processing read of it (its date
   * sent, else created, else modified; its sender, else author; its
   * recipients), never from its content. No Bates numbers outside a production.
   */
  const privilegeLogRows = (): PrivilegeLogRow[] =>
    state.exhibits.flatMap((e) => {
      const d = state.designations.get(e.id);
      if (!d?.withheld) return [];
      const p = state.processed.get(e.id);
      const metadata = p?.metadata ?? [];
      const first = (fields: string[]) => fields.map((f) => metadata.find((m) => m.field === f)?.value).find((v) => v !== undefined) ?? "";
      return [
        {
          bates: "",
          exhibit: e.id,
          family: e.family,
          date: first(["date_sent", "created", "modified"]),
          document_type: mockDocumentType(p?.processing.kind ?? "", e.mime),
          author: first(["from", "author"]),
          recipients: metadata
            .filter((m) => ["to", "cc", "bcc"].includes(m.field))
            .map((m) => m.value)
            .join("; "),
          privilege: d.privilege === null ? "" : MOCK_PRIVILEGE_WORDS[d.privilege],
          description: d.log_description,
        },
      ];
    });

  /** The family tree of `head`: each member after its parent, with its depth. */
  const familyTree = (head: Exhibit): FamilyMember[] => {
    const out: FamilyMember[] = [];
    const walk = (e: Exhibit, depth: number, parent: string | null) => {
      out.push({ id: e.id, name: e.name, depth, parent });
      for (const child of state.exhibits.filter((x) => x.parent === e.id)) walk(child, depth + 1, e.id);
    };
    walk(head, 0, null);
    return out;
  };

  /** Records one derivation from `id` (its custody event included). */
  const derive = (id: string, kind: string, extractor: string, item: string | null = null): Derivation => {
    const e = state.exhibits.find((x) => x.id === id)!;
    const [name, version] = extractor.split(" ");
    const output = mockSelectionDigest([id, kind, item ?? ""]);
    append({ action: "derived", exhibit: id, tool: "Custos 0.1.0", details: { kind, extractor: name, version, item, output_sha256: output } });
    return {
      kind,
      extractor: name ?? extractor,
      version: version ?? "",
      settings: kind === "ocr" ? "lang=eng" : "",
      input_sha256: e.sha256,
      output_sha256: output,
      item,
      seq: state.log.length,
      time: state.log[state.log.length - 1]!.time,
    };
  };

  /**
   * The events of a CSV export read through `m`, each joined to the exhibit
   * it is about where the row allows (by hash; by file name and size; by
   * name alone, weak), with the rows that could not be read; null when the
   * export lacks a column the mapping names.
   */
  const readMapped = (id: string, text: string, m: AuditMapping): { events: TimelineEvent[]; problems: [string, string][] } | null => {
    const [header, ...rows] = mockCsvRecords(text);
    if (!header) return null;
    const at = (c: string | null): number | null | undefined => {
      if (c === null) return null;
      const i = header.fields.findIndex((h) => columnKey(h) === columnKey(c));
      return i < 0 ? undefined : i;
    };
    const cols = { time: at(m.time), actor: at(m.actor), action: at(m.action), object: at(m.object), ip: at(m.ip), file_name: at(m.file_name), size: at(m.size), hash: at(m.hash) };
    if (Object.values(cols).some((c) => c === undefined) || m.device !== null && at(m.device) === undefined) return null;
    const events: TimelineEvent[] = [];
    const problems: [string, string][] = [];
    rows.forEach((r, i) => {
      const row = i + 1;
      const field = (c: number | null | undefined) => (c === null || c === undefined ? "" : (r.fields[c] ?? "").trim());
      const t = field(cols.time);
      if (t === "") return void problems.push([`row ${row}`, "no time"]);
      const time = mockUtcAt(t, m.utc_offset);
      if (time === null) return void problems.push([`row ${row}`, `the time ${t} is in no known form`]);
      const object = field(cols.object);
      const name = field(cols.file_name) || (object.split(/[\\/]/).pop() ?? "");
      const size = Number(field(cols.size).replace(/,/g, ""));
      const hash = field(cols.hash).toLowerCase();
      const byHash = hash.length === 64 ? state.exhibits.find((e) => e.sha256 === hash) : undefined;
      const byName = name.includes(".") ? state.exhibits.filter((e) => e.name === name) : [];
      const bySize = field(cols.size) !== "" ? byName.find((e) => e.size === size) : undefined;
      const joined = byHash ? { exhibit: byHash.id, join: "hash" } : bySize ? { exhibit: bySize.id, join: "name_size" } : byName[0] ? { exhibit: byName[0].id, join: "name" } : null;
      events.push({
        source: "audit",
        time,
        actor: field(cols.actor),
        action: field(cols.action),
        source_exhibit: id,
        row,
        raw_sha256: mockSelectionDigest([r.raw]),
        object,
        exhibit: joined?.exhibit ?? null,
        join: joined?.join ?? null,
        weak: joined?.join === "name",
        ip: field(cols.ip) || null,
        burst: false,
      });
    });
    return { events, problems };
  };

  /** Processed CSV exhibits read into no events, in exhibit order (what a new mapping may read). */
  const csvWithoutEvents = (): string[] =>
    state.exhibits
      .map((e) => e.id)
      .filter((id) => {
        const p = state.processed.get(id);
        return p?.processing.status === "done" && ["csv", "text"].includes(p.processing.kind) && !p.derivations.some((d) => d.kind === "events");
      });

  /** Reads an export through `m` into the timeline, recording its derivation; what it read, or null when `m` does not fit it. */
  const readThrough = (id: string, m: AuditMapping): MappedExport | null => {
    const p = state.processed.get(id);
    const read = readMapped(id, p?.text ?? "", m);
    if (!p || !read) return null;
    state.timeline = [...state.timeline.filter((e) => e.source_exhibit !== id || e.source !== "audit"), ...read.events];
    p.derivations.push(derive(id, "events", "custos-extract/audit 0.1.0"));
    p.processing = { ...p.processing, kind: "audit_log", problems: [...p.processing.problems, ...read.problems] };
    return { exhibit: id, events: read.events.length, problems: read.problems.length };
  };

  /** Processes one exhibit as the vault would (by its type), returning what it did. */
  const processOne = (id: string, ocr: boolean): ProcessOutcome => {
    const e = state.exhibits.find((x) => x.id === id)!;
    const before = state.processed.get(id);
    const outcome: ProcessOutcome = {
      exhibit: id,
      kind: before?.processing.kind ?? "",
      status: "skipped",
      reason: null,
      new_items: 0,
      duplicate_items: 0,
      fields: 0,
      text_chars: 0,
      ocr_pages: 0,
      low_confidence_pages: [],
      problems: [],
    };
    const wantsOcr = ocr && before?.processing.status === "done" && !before.processing.ocr_done && before.processing.wants_ocr.length > 0;
    if (before && before.processing.status !== "pending" && !wantsOcr) return outcome;
    if (before && wantsOcr) {
      const pages = before.processing.wants_ocr;
      before.derivations.push(derive(id, "ocr", "tesseract 5.3.4"));
      before.text = `${before.text ?? ""}\n\n[page ${pages.join(", ")}, recognised]\nSigned: E. Brandt`;
      before.processing = { ...before.processing, ocr_done: true };
      return { ...outcome, status: "done", ocr_pages: pages.length, text_chars: before.text.length };
    }
    const meta = (field: string, value: string, source: string, extractor: string): MetadataValue => ({ field, value, source, extractor });
    const done: MockProcessed = { processing: mockProcessing({ status: "done" }), metadata: [], derivations: [], text: null };
    if (e.mime === "message/rfc822") {
      done.processing.kind = "email";
      const mail = "custos-mail 0.1.0";
      done.metadata = [
        meta("from", "Erik Brandt <erik@example.com>", "email:From", mail),
        meta("to", "e.brandt@example.net", "email:To", mail),
        meta("subject", "specs", "email:Subject", mail),
        meta("date_sent", "2026-05-14T21:04:00Z", "email:Date", mail),
      ];
      done.text = "See attached.";
      for (const name of ["spec.pdf", "notes.txt"]) {
        const child = mockExhibit(state.exhibits.length + 1, {
          name,
          path: `${id}/${name}`,
          mime: name.endsWith(".pdf") ? "application/pdf" : "text/plain",
          custodian: e.custodian,
          source: e.source,
          parent: id,
          family: e.family,
        });
        state.exhibits.push(child);
        append({ action: "collected", exhibit: child.id, details: { name, found_in: id } });
        const d = derive(id, "item", mail, child.id);
        done.derivations.push(d);
        state.processed.set(child.id, { processing: mockProcessing(), metadata: [], derivations: [{ ...d }], text: null });
        outcome.new_items += 1;
      }
      done.derivations.push(derive(id, "metadata", mail), derive(id, "text", mail));
    } else if (e.mime === "application/pdf") {
      done.processing.kind = "pdf";
      done.processing.wants_ocr = [2];
      const pdf = "custos-pdf 0.1.0";
      done.metadata = [meta("author", "Erik Brandt", "pdf:docinfo:Author", pdf), meta("created", "2026-03-02T09:15:00Z", "pdf:docinfo:CreationDate", pdf)];
      done.text = `${e.name}\nPage 1 of the document.`;
      done.derivations.push(derive(id, "metadata", pdf), derive(id, "text", pdf));
    } else if (e.mime === "text/csv") {
      done.processing.kind = "csv";
      done.text = state.contents.get(id) ?? `Contents of ${e.name}`;
      done.derivations.push(derive(id, "text", "custos-text 0.1.0"));
    } else if (e.mime.startsWith("text/")) {
      done.processing.kind = "text";
      done.text = `Contents of ${e.name}`;
      done.derivations.push(derive(id, "text", "custos-text 0.1.0"));
    } else if (e.mime.startsWith("image/")) {
      done.processing.kind = "image";
      done.processing.wants_ocr = [1];
    } else if (e.mime === "application/zip") {
      done.processing = mockProcessing({ status: "failed", kind: "zip", reason: "the archive is damaged: its central directory cannot be read" });
    } else {
      done.processing.kind = "other";
    }
    if (done.processing.wants_ocr.length && ocr) {
      done.derivations.push(derive(id, "ocr", "tesseract 5.3.4"));
      done.text = `${done.text ?? ""}\n\n[page ${done.processing.wants_ocr.join(", ")}, recognised]\nSigned: E. Brandt`.trim();
      done.processing.ocr_done = true;
      outcome.ocr_pages = done.processing.wants_ocr.length;
    }
    // A child keeps the derivation it came from.
    done.derivations = [...(before?.derivations ?? []), ...done.derivations];
    state.processed.set(id, done);
    // A CSV export in no known format is read through the first saved mapping whose columns it has.
    if (done.processing.kind === "csv") for (const saved of state.mappings) if (readThrough(id, saved.mapping)) break;
    return {
      ...outcome,
      kind: done.processing.kind,
      status: done.processing.status,
      reason: done.processing.reason,
      fields: done.metadata.length,
      text_chars: done.text?.length ?? 0,
    };
  };
  const summary = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });
  /** A copy of a firm matter listed in the firm database, opened from `path`. */
  const firmCopy = (listed: FirmMatter, path: string): VaultSummary => ({
    matter: { ...(MOCK_FIRM_MATTERS.find((m) => m.vault_id === listed.vault_id) ?? { ...MOCK_MATTER, vault_id: listed.vault_id, created: listed.created }) },
    path,
    demo: false,
    // A firm vault's events name the person whose key opened it.
    examiner: state.settings.examiner,
    firm: MOCK_FIRM,
  });
  const track = (name: string) => state.calls.push(name);
  const take = (token: string): string[] => {
    const p = state.selections.get(token);
    if (!p) throw new BackendError("stale_selection", "that file selection is no longer available; choose the file again");
    return p;
  };
  /** The ids of every exhibit a query finds, in exhibit order. */
  const searchHits = (q: string): string[] => {
    const found = new Set(mockSearch(state.exhibits, state.processed, q, 10_000).map((h) => h.id));
    return state.exhibits.map((e) => e.id).filter((id) => found.has(id));
  };
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const nextFree = (prefix: string) =>
    state.productions.filter((p) => p.bates_prefix === prefix).reduce((m, p) => Math.max(m, Number(p.bates_last.slice(prefix.length))), 0) + 1;
  /** The exhibits an export's options choose, their families completed, in the order produced (the options checked first). */
  const choose = (o: ExportOptions): Exhibit[] => {
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(o.bates_prefix))
      throw new BackendError("invalid_input", `Bates prefix '${o.bates_prefix}' must be 1 to 20 letters, digits, '-' or '_' (no spaces)`);
    for (const r of o.recipients)
      if (!/^age1[0-9a-z]{58}$/.test(r)) throw new BackendError("invalid_input", `'${r}' is not an age X25519 recipient (age1…)`);
    const terms = (o.search_terms ?? "").trim() === "" ? null : o.search_terms;
    const search = (o.search ?? "").trim() === "" ? null : o.search!.trim();
    const searchName = (o.search_name ?? "").trim() === "" ? null : o.search_name!.trim();
    if (search !== null) mockParse(search);
    if (searchName !== null && search === null) throw new BackendError("invalid_input", "a saved search's name was given without its query");
    if (terms !== null) mockTerms(terms);
    for (const id of o.exhibits) detail(id);
    let ids: string[] | null = o.exhibits.length ? o.exhibits : null;
    if (search !== null) {
      if (searchName !== null && state.savedSearches.find((x) => x.name === searchName)?.query !== search)
        throw new BackendError("invalid_input", `the saved search ${searchName} is no longer the query ${search} (changed or deleted since); choose it again`);
      const found = searchHits(search);
      ids = o.exhibits.length ? found.filter((id) => o.exhibits.includes(id)) : found;
      if (!ids.length) throw new BackendError("invalid_input", `the selection is empty: the search ${search} finds no exhibit${o.exhibits.length ? " among those chosen" : ""}`);
    }
    const picked = state.exhibits
      .filter((e) => ids === null || ids.includes(e.id))
      .filter((e) => !o.tag || e.tags.includes(o.tag))
      .filter((e) => !o.custodian || e.custodian === o.custodian);
    if (!picked.length) throw new BackendError("invalid_input", "the selection is empty: no exhibit matches");
    // As the vault does: every chosen exhibit's family is produced whole, head
    // first and in tree order, families in the order of their first member chosen.
    const chosen: Exhibit[] = [];
    const placed = new Set<string>();
    for (const e of picked) {
      const head = state.exhibits.find((x) => x.id === e.family) ?? e;
      for (const m of familyTree(head)) {
        if (placed.has(m.id)) continue;
        placed.add(m.id);
        chosen.push(state.exhibits.find((x) => x.id === m.id)!);
      }
    }
    return chosen;
  };
  /**
   * An export's page-image choices checked as the vault checks them before
   * anything else: a legend wants page images, and each stamp must fit its
   * corner of a letter page (612×792 points, 18 points clear at each side),
   * beside the other stamp when both are at the same edge.
   */
  const checkStamps = (o: ExportOptions, bates?: string, legend?: string | null): void => {
    const typed = (o.endorse ?? "").trim() || null;
    if (typed !== null && o.images === null)
      throw new BackendError("invalid_input", "a legend is stamped on page images: choose page images (pdf or tiff) to endorse them");
    if (o.images === null) return;
    // The widest number the digits allow, unless a page's own is given.
    const number = bates ?? `${o.bates_prefix}${"0".repeat(o.bates_width)}`;
    const text = legend === undefined ? typed : legend;
    const stamps: { text: string; corner: CornerChoice }[] = [{ text: number, corner: o.bates_corner }];
    if (text !== null) stamps.push({ text, corner: o.endorse_corner });
    const edge = (c: CornerChoice) => c.split("-")[0];
    stamps.forEach((stamp, i) => {
      const before = stamps.slice(0, i);
      if (before.some((b) => b.corner === stamp.corner))
        throw new BackendError("invalid_input", `the Bates number and the legend cannot share the ${stamp.corner} corner`);
      const beside = before.filter((b) => edge(b.corner) === edge(stamp.corner)).reduce((sum, b) => sum + mockStampWidth(b.text) + 18, 0);
      const room = 612 - 2 * 18 - beside;
      const width = mockStampWidth(stamp.text);
      if (width > room)
        throw new BackendError(
          "invalid_input",
          `the stamp “${stamp.text}” is ${Math.round(width)} points wide; ${Math.round(room)} fit in the ${stamp.corner} corner of a 612×792-point page${beside > 0 ? " beside the other stamp" : ""}; shorten it or move the stamps to opposite edges`,
        );
    });
  };
  /** The pages of a document as page images: a withheld one is its slip sheet. */
  const pagesOf = (e: Exhibit, withheld: boolean): number => (withheld ? 1 : 1 + (e.size % 3));
  /** The search that chose an export's exhibits, as recorded with the production. */
  const searchSelection = (o: ExportOptions): SearchSelection | null => {
    const search = (o.search ?? "").trim();
    if (search === "") return null;
    const hits = searchHits(search);
    return { name: (o.search_name ?? "").trim() || null, query: search, hits: hits.length, hits_sha256: mockSelectionDigest(hits) };
  };
  /**
   * An export's plan, with every exhibit as it would be produced (the plan
   * itself lists only the first rows, as the app is sent). A withheld
   * exhibit keeps its Bates number, a slip sheet in its place.
   */
  const planned = (o: ExportOptions): { plan: ExportPlan; rows: PlannedExhibit[]; pages: number[] } => {
    checkStamps(o);
    const chosen = choose(o);
    const next = nextFree(o.bates_prefix);
    const start = o.bates_start ?? next;
    if (start < next)
      throw new BackendError("invalid_input", `Bates ${o.bates_prefix}${pad(start, o.bates_width)} was already produced for another exhibit`);
    const number = (n: number) => `${o.bates_prefix}${pad(start + n, o.bates_width)}`;
    const earlier = state.productions.filter((p) => p.bates_prefix === o.bates_prefix);
    // With page images, every page has its number; a document's is its first page's.
    const pages = chosen.map((e) => (o.images === null ? 1 : pagesOf(e, state.designations.get(e.id)?.withheld ?? false)));
    const firstPage = pages.map((_, i) => pages.slice(0, i).reduce((a, n) => a + n, 0));
    const numbers = pages.reduce((a, n) => a + n, 0);
    const bates = (i: number) => number(firstPage[i]!);
    const last = number(numbers - 1);
    const rows = chosen.map((e, i): PlannedExhibit => {
      const withheld = state.designations.get(e.id)?.withheld ?? false;
      // At most 1,000 to a folder, as the vault lays a production out.
      const folder = pad(Math.floor(i / 1000) + 1, 4);
      return {
        exhibit_id: e.id,
        name: e.name,
        size: e.size,
        custodian: e.custodian,
        bates: bates(i),
        native_path: withheld ? `data/VOL001/IMAGES/${folder}/${bates(i)}.pdf` : `data/VOL001/NATIVES/${folder}/${bates(i)}.${e.name.split(".").pop()}`,
        withheld,
      };
    });
    const withheld = rows.filter((r) => r.withheld).length;
    const plan: ExportPlan = {
      exhibit_count: chosen.length,
      selection_sha256: mockSelectionDigest(chosen.map((e) => e.id)),
      // As the app does: the first rows only.
      exhibits: rows.slice(0, 200),
      bates_first: bates(0),
      bates_last: last,
      first_number: start,
      next_free: next,
      last_produced: next > 1 ? `${o.bates_prefix}${pad(next - 1, earlier.at(-1)?.bates_width ?? o.bates_width)}` : null,
      // Only what is produced is written: nothing of a withheld exhibit.
      total_bytes: chosen.filter((_, i) => !rows[i]!.withheld).reduce((a, e) => a + e.size, 0),
      qc: [
        `Bates ${bates(0)}–${last}: ${numbers} numbers, no gaps, no duplicates`,
        "every native has exactly one load-file row with its SHA-256 and MD5",
        earlier.length ? `no overlap with the ${earlier.length} earlier production(s) under ${o.bates_prefix}` : `no earlier production under ${o.bates_prefix}`,
        ...(withheld ? [`${withheld} withheld as privileged: a slip sheet each, and a privilege log of exactly those`] : []),
        ...(o.images === null ? [] : [`page images: ${numbers} pages, numbered by page; each document's pages counted before anything is written`]),
      ],
      warnings: o.dat_encoding === "windows1252" ? ["1 character(s) have no Windows-1252 form and were written as '?'; use UTF-8 to keep them"] : [],
      earlier,
      pages: o.images === null ? null : numbers,
      withheld_count: withheld,
      confidential_count: chosen.filter((e) => (state.designations.get(e.id)?.confidentiality ?? null) !== null).length,
    };
    return { plan, rows, pages };
  };
  const plan = (o: ExportOptions): ExportPlan => planned(o).plan;

  /** A typed fingerprint, checked as the backend does (empty: none). */
  const expectedKey = (typed: string | null): string | null => {
    const key = (typed ?? "").trim();
    if (key === "") return null;
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(key))
      throw new BackendError("invalid_input", `"${key}" is not a seal key fingerprint: expected SHA256: followed by 43 base64 characters, as ssh-keygen -l prints it`);
    return key;
  };
  /** The mock bundle's report against the pinned key, as the core's `verify_bundle`. */
  const bundleReport = (expected: string | null): BundleReport => {
    if (expected === null) return mockBundleReport({ signer_fingerprint: state.bundleKey });
    if (expected === state.bundleKey) return mockBundleReport({ signer_fingerprint: state.bundleKey, seal_key_pinning: "matches_pinned" });
    return mockBundleReport({
      ok: false,
      signer_fingerprint: state.bundleKey,
      seal_key_pinning: "differs_from_pinned",
      findings: [
        {
          severity: "error",
          exhibit: null,
          kind: "seal_key_not_pinned",
          event: null,
          message: `the bundle is sealed by key ${state.bundleKey}, not by the pinned key (${expected})`,
          action: "Do not rely on this bundle.",
        },
      ],
    });
  };
  /** The producer's key against the one pinned for it, as the core's import. */
  const admitKey = (accept: AcceptNewKey | null): ProducerKey => {
    if (accept && accept.fingerprint.trim() !== state.bundleKey)
      throw new BackendError("invalid_input", `refusing the bundle: the key accepted (${accept.fingerprint}) is not the key that sealed this bundle (${state.bundleKey})`);
    if (state.producerKey === null) {
      state.producerKey = state.bundleKey;
      append({ action: "producer_key_pinned", details: { fingerprint: state.bundleKey } });
      return "pinned_now";
    }
    if (state.producerKey === state.bundleKey) return "matches_pinned";
    if (!accept)
      throw new BackendError(
        "producer_key_changed",
        `refusing the bundle: productions of vault ${MOCK_MATTER.vault_id} were received here under seal key ${state.producerKey}, but this bundle is sealed by key ${state.bundleKey}`,
      );
    if (accept.reason.trim() === "") throw new BackendError("invalid_input", "say why the new seal key is accepted (for example who confirmed it, and how)");
    append({ action: "producer_key_accepted", purpose: accept.reason, details: { old_fingerprint: state.producerKey, new_fingerprint: state.bundleKey } });
    state.producerKey = state.bundleKey;
    return "accepted";
  };

  const b: Backend & { state: MockState } = {
    state,
    async appInfo(): Promise<AppInfo> {
      track("appInfo");
      return {
        version: "0.1.0",
        settings: state.settings,
        recent: state.recent.map((r) => ({ ...r })),
        open: state.open,
        typed_paths: state.typedPaths,
      };
    },
    async keepAlive() {},
    async pickPaths(purpose) {
      track(`pickPaths:${purpose}`);
      const picked: Partial<Record<typeof purpose, string>> = {
        intake_files: "/evidence/a.txt",
        bundle_file: "/home/dana/Productions/HAL000001-HAL000003.zip.age",
        bundle_folder: "/home/dana/Productions/HAL000001-HAL000003",
        identity_file: "/home/dana/Keys/halvorsen-counsel.agekey",
        firm_config: "/home/dana/Firm/custos-firm.toml",
      };
      return hold([picked[purpose] ?? "/evidence/folder"]);
    },
    async typedPath(path) {
      track("typedPath");
      return hold([path]);
    },
    async createVault(req) {
      track("createVault");
      if (!state.selections.delete(req.folder)) throw new BackendError("stale_selection", "that file selection is no longer available");
      if (!req.matter.trim()) throw new BackendError("invalid_input", "the matter name is required");
      if ([...req.passphrase].length < MIN_PASSPHRASE_CHARS)
        throw new BackendError("invalid_input", `the passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters`);
      state.open = { ...summary(), matter: { ...MOCK_MATTER, matter: req.matter, matter_number: req.matter_number, examiner: req.examiner } };
      state.exhibits = [];
      state.log = [mockEvent(1, { action: "vault_created" })];
      return state.open;
    },
    async openVault(target, passphrase) {
      track("openVault");
      // Like the app: a selection is used up by the attempt, right or wrong.
      if (target.kind === "selection" && !state.selections.delete(target.token))
        throw new BackendError("stale_selection", "that file selection is no longer available; choose the files again");
      if (target.kind === "recent" && !state.recent.some((r) => r.vault_id === target.vault_id))
        throw new BackendError("stale_selection", "that vault is not in the recent list any more");
      if (passphrase !== MOCK_PASSPHRASE) throw new BackendError("wrong_passphrase", "wrong passphrase: the key file could not be decrypted with it");
      // A recent vault whose matter the firm database holds is a copy of that firm vault.
      const recent = target.kind === "recent" ? state.recent.find((r) => r.vault_id === target.vault_id) : undefined;
      const listed = recent && state.firmMatters.find((m) => m.vault_id === recent.vault_id);
      state.open = recent && listed ? firmCopy(listed, recent.path) : summary();
      return state.open;
    },
    async openDemo() {
      track("openDemo");
      state.open = { ...summary(), demo: true };
      return state.open;
    },
    async firmMatters(config) {
      track("firmMatters");
      // Like the app: the config selection stays held (it is taken by a join).
      take(config);
      return wire(state.firmMatters);
    },
    async joinFirm(req) {
      track("joinFirm");
      // Like the app: the selections are checked first, and taken only once the copy is made.
      take(req.config);
      const [root] = state.selections.get(req.folder) ?? [];
      if (root === undefined) throw new BackendError("stale_selection", "that file selection is no longer available; choose the files again");
      const vaultId = req.vault_id.trim();
      const listed = state.firmMatters.find((m) => m.vault_id === vaultId);
      if (!listed) throw new BackendError("io", `${MOCK_FIRM} holds no catalog for matter ${vaultId}`);
      // The person's own key file in the catalog opens with their passphrase only.
      if (req.passphrase !== MOCK_PASSPHRASE)
        throw new BackendError("wrong_passphrase", "wrong passphrase or damaged key file: the key file could not be decrypted with it");
      state.selections.delete(req.folder);
      state.selections.delete(req.config);
      state.recent = [
        { vault_id: vaultId, path: root, last_opened: new Date().toISOString(), available: true },
        ...state.recent.filter((r) => r.vault_id !== vaultId),
      ];
      state.open = firmCopy(listed, root);
      return state.open;
    },
    async lockVault() {
      track("lockVault");
      state.open = null;
      state.lockListeners.forEach((l) => l("user"));
      return null;
    },
    async forgetRecent(vaultId) {
      track("forgetRecent");
      state.recent = state.recent.filter((r) => r.vault_id !== vaultId);
      return null;
    },
    async dashboard() {
      track("dashboard");
      const open = need();
      const counts = new Map<string, number>();
      state.exhibits.forEach((e) => counts.set(e.custodian ?? "", (counts.get(e.custodian ?? "") ?? 0) + 1));
      return {
        matter: open.matter,
        exhibits: state.exhibits.length,
        total_bytes: state.exhibits.reduce((a, e) => a + e.size, 0),
        events: state.log.length,
        custodians: [...counts].map(([name, exhibits]) => ({ name, exhibits })).sort((a, b) => b.exhibits - a.exhibits),
        last_verification: null,
        recent_events: [...state.log].reverse().slice(0, 12),
        recent_words: [...state.log].reverse().slice(0, 12).map((e) => mockWords(e).words),
        productions: wire([...state.productions].reverse()),
      };
    },
    async intakeSuggestions() {
      track("intakeSuggestions");
      need();
      const counted = (pick: (e: Exhibit) => string | null) => {
        const n = new Map<string, number>();
        for (const e of state.exhibits) {
          const v = pick(e);
          if (v) n.set(v, (n.get(v) ?? 0) + 1);
        }
        return [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
      };
      return { custodians: counted((e) => e.custodian), sources: counted((e) => e.source), methods: [], purposes: [] };
    },
    async exhibitWindow(q) {
      track("exhibitWindow");
      need();
      if (q.limit < 1 || q.limit > 2000) throw new BackendError("invalid_input", `a window holds 1 to 2000 rows (${q.limit} asked)`);
      const rows = mockMatching(state.exhibits, q);
      const counts = memberCounts();
      return wire({ total: rows.length, offset: q.offset, rows: rows.slice(q.offset, q.offset + q.limit).map((e) => listed(e, counts)) });
    },
    async exhibitIds(q) {
      track("exhibitIds");
      need();
      return mockMatching(state.exhibits, q).map((e) => e.id);
    },
    async searchExhibits(query, limit) {
      track("searchExhibits");
      need();
      return wire(mockSearch(state.exhibits, state.processed, query, limit));
    },
    async searchReport(terms) {
      track("searchReport");
      need();
      return wire(await mockSearchReport(state.exhibits, state.processed, terms));
    },
    async saveSearchReport(terms, format) {
      track(`saveSearchReport:${format}`);
      need();
      await mockSearchReport(state.exhibits, state.processed, terms);
      return `/home/dana/search-term-report.${format}`;
    },
    async savedSearches() {
      track("savedSearches");
      need();
      return wire(state.savedSearches);
    },
    async saveSearch(name, query) {
      track("saveSearch");
      const open = need();
      const n = name.trim();
      if (n === "" || [...n].length > 100 || /\p{Cc}/u.test(n))
        throw new BackendError("invalid_input", "a saved search's name is 1 to 100 characters, none of them control characters");
      mockParse(query);
      const same = state.savedSearches.find((x) => x.name === n);
      if (same && same.query === query) return wire(same);
      if (same) throw new BackendError("invalid_input", `a search named ${n} is already saved (for ${same.query}); delete it first or choose another name`);
      const saved: SavedSearch = { name: n, query, saved_at: "2026-06-03T09:30:00Z", saved_by: open.examiner };
      state.savedSearches = [...state.savedSearches, saved].sort((a, b) => byCodePoint(a.name.toLowerCase(), b.name.toLowerCase()));
      return wire(saved);
    },
    async deleteSavedSearch(name) {
      track("deleteSavedSearch");
      need();
      if (!state.savedSearches.some((x) => x.name === name)) throw new BackendError("invalid_input", `no search is saved as ${name}`);
      state.savedSearches = state.savedSearches.filter((x) => x.name !== name);
      return null;
    },
    async auditMappings() {
      track("auditMappings");
      need();
      return wire(state.mappings);
    },
    async csvColumns(exhibit) {
      track("csvColumns");
      need();
      detail(exhibit);
      const text = state.processed.get(exhibit)?.text ?? null;
      return text === null ? [] : mockCsvColumns(text.split("\n")[0] ?? "");
    },
    async saveAuditMapping(given) {
      track("saveAuditMapping");
      need();
      const m = mockMapping(given);
      const problem = mockMappingProblem(m);
      if (problem) throw new BackendError("invalid_input", problem);
      if (state.mappings.some((x) => x.mapping.name.toLowerCase() === m.name.toLowerCase()))
        throw new BackendError("invalid_input", `a mapping named ${m.name} is already saved; a saved mapping never changes: choose another name`);
      // The JSON the vault keeps: the optional columns only when named.
      const json = JSON.stringify(Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null)));
      const saved: SavedMapping = { mapping: m, sha256: await mockSha256(json), saved_at: "2026-06-03T09:45:00Z" };
      state.mappings.push(saved);
      append({ action: "setting_changed", details: { setting: "audit_mapping_saved", name: m.name, sha256: saved.sha256, mapping: JSON.parse(json) as Value } });
      // An export an earlier mapping fits is read through that one, not this.
      const earlier = state.mappings.slice(0, -1).map((x) => x.mapping);
      const fits = (id: string, x: AuditMapping) => readMapped(id, state.processed.get(id)?.text ?? "", x) !== null;
      const read = csvWithoutEvents()
        .filter((id) => !earlier.some((x) => fits(id, x)))
        .flatMap((id) => readThrough(id, m) ?? []);
      return wire({ saved, read });
    },
    async exhibitFacets() {
      track("exhibitFacets");
      need();
      const custodians = new Map<string, number>();
      const tags = new Map<string, number>();
      for (const e of state.exhibits) {
        custodians.set(e.custodian ?? "", (custodians.get(e.custodian ?? "") ?? 0) + 1);
        for (const t of e.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      }
      return {
        exhibits: state.exhibits.length,
        custodians: [...custodians].map(([name, exhibits]) => ({ name, exhibits })).sort((a, b) => b.exhibits - a.exhibits || (a.name < b.name ? -1 : 1)),
        tags: [...tags].map(([tag, exhibits]) => ({ tag, exhibits })).sort((a, b) => (a.tag < b.tag ? -1 : 1)),
      };
    },
    async exhibitDetail(id) {
      track("exhibitDetail");
      need();
      return wire({ detail: detail(id), events: state.log.filter((e) => e.exhibit === id).map(mockWords) });
    },
    async editExhibit(req) {
      track("editExhibit");
      need();
      const e = state.exhibits.find((x) => x.id === req.id);
      if (!e) throw new BackendError("not_found", `no exhibit ${req.id} in this vault`);
      if (req.description !== null && req.description !== e.description) {
        append({ action: "metadata_edited", exhibit: e.id, details: { field: "description", before: e.description, after: req.description } });
        e.description = req.description;
      }
      for (const t of req.add_tags) if (!e.tags.includes(t)) { e.tags.push(t); append({ action: "metadata_edited", exhibit: e.id, details: { field: "tags", added: t } }); }
      for (const t of req.remove_tags) if (e.tags.includes(t)) { e.tags = e.tags.filter((x) => x !== t); append({ action: "metadata_edited", exhibit: e.id, details: { field: "tags", removed: t } }); }
      return wire({ detail: detail(e.id), events: state.log.filter((x) => x.exhibit === e.id).map(mockWords) });
    },
    async designateExhibit(id, designation) {
      track("designateExhibit");
      need();
      // As the vault: checked first, then the exhibit looked up; the same designation again changes and logs nothing.
      const problem = mockDesignationProblem(designation);
      if (problem) throw new BackendError("invalid_input", problem);
      const before = detail(id).designation;
      const after: Designation = { ...designation };
      if (!mockSameDesignation(before, after)) {
        if (mockSameDesignation(after, mockNoDesignation())) state.designations.delete(id);
        else state.designations.set(id, after);
        append({ action: "metadata_edited", exhibit: id, details: { field: "designation", before, after } });
      }
      return wire({ detail: detail(id), events: state.log.filter((x) => x.exhibit === id).map(mockWords) });
    },
    async privilegeLog() {
      track("privilegeLog");
      need();
      return wire(privilegeLogRows());
    },
    async savePrivilegeLog(format) {
      track(`savePrivilegeLog:${format}`);
      need();
      privilegeLogRows();
      return `/home/dana/privilege-log.${format}`;
    },
    async tagExhibits(req, onEvent: (e: JobEvent) => void) {
      track("tagExhibits");
      need();
      if (!req.ids.length) throw new BackendError("invalid_input", "select at least one exhibit");
      for (const id of req.ids) detail(id);
      onEvent({ type: "begin", files: req.ids.length, bytes: req.ids.length });
      let done = 0;
      for (const id of req.ids) {
        await b.editExhibit({ id, description: null, add_tags: req.add_tags, remove_tags: req.remove_tags });
        onEvent({ type: "progress", bytes: ++done, items: done });
      }
      return req.ids.length;
    },
    async previewExhibit(id) {
      track("previewExhibit");
      need();
      const e = detail(id);
      append({ action: "viewed", exhibit: id });
      const url = `custos-preview://localhost/${"0".repeat(64)}/${id}`;
      if (e.mime === "text/html")
        return { kind: "html", mime: e.mime, url: null, text: "<p>Newsletter</p><script>parent.pwned = 1</script>", truncated: false, email: null, reason: null };
      if (e.mime.startsWith("image/")) return { kind: "image", mime: e.mime, url, text: null, truncated: false, email: null, reason: null };
      if (e.mime.startsWith("text/")) return { kind: "text", mime: e.mime, url: null, text: `Contents of ${e.name}`, truncated: false, email: null, reason: null };
      if (e.mime === "message/rfc822")
        return { kind: "email", mime: e.mime, url: null, text: null, truncated: false, reason: null, email: { from: "Erik Brandt <erik@example.com>", to: "e.brandt@example.net", cc: "", date: "2026-05-14T21:04:00Z", subject: "specs", body: "See attached.", attachments: ["spec.pdf"] } };
      return { kind: "none", mime: e.mime, url: null, text: null, truncated: false, email: null, reason: `No preview for ${e.mime} files.` };
    },
    async exhibitFamily(id) {
      track("exhibitFamily");
      need();
      const e = state.exhibits.find((x) => x.id === id);
      if (!e) throw new BackendError("not_found", `no exhibit ${id} in this vault`);
      const head = state.exhibits.find((x) => x.id === e.family) ?? e;
      return wire(familyTree(head));
    },
    async timeline(query) {
      track("timeline");
      need();
      return wire(mockTimelineSelect(state.timeline, query));
    },
    async saveTimeline(query, format) {
      track(`saveTimeline:${format}`);
      need();
      mockTimelineSelect(state.timeline, query);
      return `/home/dana/timeline.${format}`;
    },
    async timelineView(query, unit, limit) {
      track("timelineView");
      need();
      if (limit > MOCK_MAX_VIEW_EVENTS)
        throw new BackendError("invalid_input", `a timeline view lists at most ${MOCK_MAX_VIEW_EVENTS} events; ${limit} were asked for`);
      const events = mockTimelineSelect(state.timeline, query);
      const actors: string[] = [];
      for (const a of events.map((e) => e.actor).filter((a) => a !== "").sort((x, y) => byCodePoint(x.toLowerCase(), y.toLowerCase())))
        if (actors.at(-1)?.toLowerCase() !== a.toLowerCase()) actors.push(a);
      const actions = [...new Set(events.map((e) => e.action).filter((a) => a !== ""))].sort();
      return wire({ total: events.length, buckets: mockTimelineBuckets(events, unit), events: events.slice(0, limit), actors, actions });
    },
    async exhibitText(id) {
      track("exhibitText");
      need();
      detail(id);
      append({ action: "viewed", exhibit: id, details: { what: "text" } });
      return state.processed.get(id)?.text ?? null;
    },
    async processExhibits(req, onEvent: (e: JobEvent) => void) {
      track("processExhibits");
      need();
      const unknown = req.exhibits.filter((id) => !state.exhibits.some((x) => x.id === id));
      if (unknown.length) throw new BackendError("not_found", `no exhibit ${unknown.join(", ")} in this vault`);
      const all = req.exhibits.length === 0;
      const pending = (id: string) => (state.processed.get(id)?.processing.status ?? "pending") === "pending";
      const queue = all ? state.exhibits.map((x) => x.id).filter(pending) : [...req.exhibits];
      onEvent({ type: "begin", files: all ? 0 : queue.length, bytes: 0 });
      const exhibits: ProcessOutcome[] = [];
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        onEvent({ type: "file_started", path: id, size: 0 });
        exhibits.push(processOne(id, req.ocr));
        // The items found inside are processed too.
        if (!all) queue.push(...state.exhibits.filter((x) => x.parent === id && pending(x.id)).map((x) => x.id));
        onEvent({ type: "progress", bytes: 0, items: exhibits.length });
      }
      return wire({ exhibits, cancelled: false });
    },
    async intake(req, onEvent: (e: JobEvent) => void) {
      track("intake");
      need();
      const paths = req.selections.flatMap((t) => {
        const p = state.selections.get(t);
        if (!p) throw new BackendError("stale_selection", "that file selection is no longer available; choose the files again");
        state.selections.delete(t);
        return p;
      });
      onEvent({ type: "begin", files: paths.length, bytes: paths.length * 100 });
      const files = paths.map((path, i) => {
        const n = state.exhibits.length + 1;
        onEvent({ type: "file_started", path, size: 100 });
        const ex = mockExhibit(n, { path, name: path.split("/").pop() ?? path, custodian: req.custodian, tags: req.tags });
        state.exhibits.push(ex);
        append({ action: "collected", exhibit: ex.id });
        const outcome = { outcome: "stored" as const, exhibit: ex.id, sha256: ex.sha256 };
        onEvent({ type: "progress", bytes: (i + 1) * 100, items: i });
        onEvent({ type: "file_done", path, outcome });
        return { path, outcome };
      });
      return { stored: files.length, duplicates: 0, failed: 0, cancelled: false, files, warnings: [] };
    },
    async cancelJob() {
      track("cancelJob");
      return false;
    },
    async verifyVault(mode, reextract, onEvent) {
      track(reextract ? `verifyVault:${mode}:reextract` : `verifyVault:${mode}`);
      need();
      onEvent({ type: "begin", files: state.exhibits.length, bytes: 0 });
      if (reextract) {
        // Every processed exhibit's extractors run again (the mock's give the same outputs).
        const processed = [...state.processed.values()].filter((p) => p.processing.status === "done").length;
        onEvent({ type: "progress", bytes: 0, items: processed });
      }
      append({ action: "verified", details: { mode, reextract, ok: true, errors: 0, warnings: 0 } });
      return { ok: true, mode, exhibits: state.exhibits.length, events: state.log.length, findings: [] };
    },
    async custodyWindow(q) {
      track("custodyWindow");
      need();
      if (q.limit < 1 || q.limit > 2000) throw new BackendError("invalid_input", `a window holds 1 to 2000 rows (${q.limit} asked)`);
      for (const [which, day] of [["from", q.from], ["to", q.to]] as const) {
        if (day !== null && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new BackendError("invalid_input", `the '${which}' date '${day}' is not a day (YYYY-MM-DD)`);
      }
      let events = state.log.filter(
        (e) =>
          (q.exhibit === null || e.exhibit === q.exhibit) &&
          (q.action === null || e.action === q.action) &&
          (q.actor === null || e.actor === q.actor) &&
          (q.from === null || e.time >= q.from) &&
          (q.to === null || e.time < `${q.to}U`),
      );
      if (q.direction === "descending") events = events.slice().reverse();
      return wire({ total: events.length, offset: q.offset, events: events.slice(q.offset, q.offset + q.limit).map(mockWords) });
    },
    async saveTextFile(req) {
      track("saveTextFile");
      return `/home/dana/${req.suggested_name}`;
    },
    async saveSettings(req) {
      track("saveSettings");
      if (!req.examiner.trim()) throw new BackendError("invalid_input", "the examiner's name is required");
      if (req.idle_lock_minutes > 480) throw new BackendError("invalid_input", "the idle lock time must be at most 480 minutes (0 turns it off)");
      state.settings = { examiner: req.examiner.trim(), idle_lock_minutes: req.idle_lock_minutes };
      if (req.exhibit_prefix && state.open) state.open.matter.exhibit_prefix = req.exhibit_prefix;
      return state.settings;
    },
    async timestampSettings() {
      track("timestampSettings");
      need();
      return wire(state.timestamping);
    },
    async saveTimestampSettings(req) {
      track("saveTimestampSettings");
      need();
      const urls = req.tsa_urls.map((u) => u.trim()).filter((u) => u !== "");
      for (const u of urls) {
        if (!/^https?:\/\/[^\s/?#]+/i.test(u) || /\s/.test(u))
          throw new BackendError("invalid_input", `'${u}' is not a time-stamp authority address: it must start with http:// or https://`);
      }
      const t = state.timestamping;
      if (JSON.stringify(t.tsa_urls) !== JSON.stringify(urls)) {
        append({ action: "setting_changed", details: { setting: "tsa_urls", before: t.tsa_urls, after: urls } });
        t.tsa_urls = urls;
      }
      if (t.automatic !== req.automatic) {
        append({ action: "setting_changed", details: { setting: "automatic_timestamps", before: t.automatic, after: req.automatic } });
        t.automatic = req.automatic;
      }
      return wire(t);
    },
    async pickDestination(name) {
      track("pickDestination");
      return hold([`/home/dana/Productions/${name}`]);
    },
    async counselKeys() {
      track("counselKeys");
      need();
      return wire(state.counsel);
    },
    async addCounselKey(name, recipient) {
      track("addCounselKey");
      need();
      if (!name.trim()) throw new BackendError("invalid_input", "give the name of the person or firm holding the key");
      if (!/^age1[0-9a-z]{58}$/.test(recipient.trim())) throw new BackendError("invalid_input", `'${recipient}' is not an age X25519 recipient (age1…)`);
      const other = state.counsel.find((k) => k.recipient === recipient.trim());
      if (other) throw new BackendError("invalid_input", `this key is already in the address book as '${other.name}'`);
      const key = { id: state.counsel.length + 1, name: name.trim(), recipient: recipient.trim(), added_at: "2026-06-03T09:00:00.000000Z" };
      state.counsel.push(key);
      append({ action: "setting_changed", details: { setting: "counsel_key_added", name: key.name, recipient: key.recipient } });
      return wire(key);
    },
    async removeCounselKey(id) {
      track("removeCounselKey");
      need();
      state.counsel = state.counsel.filter((k) => k.id !== id);
      return null;
    },
    async productions() {
      track("productions");
      need();
      return wire(state.productions);
    },
    async planExport(options) {
      track("planExport");
      need();
      return wire(plan(options));
    },
    async stampPreview(options, exhibit) {
      track("stampPreview");
      need();
      const { rows, pages } = planned(options);
      if (options.images === null) throw new BackendError("invalid_input", "choose page images (pdf or tiff) to see a stamped page");
      const i = exhibit === null ? 0 : rows.findIndex((r) => r.exhibit_id === exhibit);
      if (i < 0) throw new BackendError("invalid_input", `${exhibit} is not among the exhibits chosen`);
      const row = rows[i]!;
      const typed = (options.endorse ?? "").trim() || null;
      // A designated confidentiality level is the document's legend.
      const legend = state.designations.get(row.exhibit_id)?.confidentiality ?? typed;
      checkStamps(options, row.bates, legend);
      return { data_url: MOCK_PAGE_PNG, exhibit_id: row.exhibit_id, bates: row.bates, legend, pages: pages[i]! };
    },
    async exportBundle(req, onEvent) {
      track("exportBundle");
      need();
      const [path] = take(req.destination);
      const { plan: p, rows } = planned(req.options);
      if (!/^[0-9a-f]{64}$/i.test(req.expect_selection))
        throw new BackendError("invalid_input", "give the digest of the exhibits reviewed (the plan's selection_sha256)");
      if (req.expect_selection !== p.selection_sha256)
        throw new BackendError("invalid_input", "the exhibits chosen are no longer the ones reviewed (tags or exhibits changed since); review them again");
      if (p.bates_first !== req.expect_first || p.bates_last !== req.expect_last)
        throw new BackendError("invalid_input", `the numbering changed since it was reviewed (${p.bates_first}–${p.bates_last} instead of ${req.expect_first}–${req.expect_last}); review it again`);
      const produced = rows.filter((e) => !e.withheld);
      const withheld = rows.filter((e) => e.withheld);
      onEvent({ type: "begin", files: p.exhibit_count, bytes: p.total_bytes });
      onEvent({ type: "progress", bytes: p.total_bytes, items: p.exhibit_count });
      state.selections.delete(req.destination);
      const sha = "b".repeat(64);
      const encrypted = req.options.recipients.length > 0 || !!req.options.passphrase;
      state.productions.push({
        id: state.productions.length + 1,
        bates_prefix: req.options.bates_prefix,
        bates_width: req.options.bates_width,
        bates_first: p.bates_first,
        bates_last: p.bates_last,
        // Every number given: a withheld exhibit keeps its own.
        exhibits: p.exhibit_count,
        bundle_sha256: sha,
        destination: path,
        produced_at: "2026-06-03T10:00:00.000000Z",
      });
      // The search that chose the exhibits, and the term report over those produced (none withheld).
      const search = searchSelection(req.options);
      const terms = (req.options.search_terms ?? "").trim() === "" ? null : req.options.search_terms!;
      const producedIds = new Set(produced.map((e) => e.exhibit_id));
      const search_report =
        terms === null ? null : await mockSearchReport(choose(req.options).filter((e) => producedIds.has(e.id)), state.processed, terms);
      const exported = (e: PlannedExhibit) => ({
        bates: e.bates,
        bundle_sha256: sha,
        destination: path,
        encrypted,
        recipients: [...req.options.recipients],
        search,
        search_terms_sha256: search_report?.terms_sha256 ?? null,
      });
      // As the vault records them: the exhibits produced, then those withheld (their ground, and nothing of them).
      produced.forEach((e) => append({ action: "exported", exhibit: e.exhibit_id, details: exported(e) }));
      withheld.forEach((e) => {
        const privilege = state.designations.get(e.exhibit_id)?.privilege ?? null;
        append({
          action: "exported",
          exhibit: e.exhibit_id,
          details: { ...exported(e), withheld: privilege === null ? "" : MOCK_PRIVILEGE_WORDS[privilege] },
        });
      });
      return {
        search,
        search_report,
        path,
        bundle_sha256: sha,
        bundle_bytes: p.total_bytes + 40_000,
        bates_first: p.bates_first,
        bates_last: p.bates_last,
        exhibits: produced.length,
        encrypted,
        signer_fingerprint: mockBundleReport().signer_fingerprint!,
        signer_identity: mockBundleReport().signer_identity!,
        bag: `${p.bates_first}-${p.bates_last}`,
        qc: [
          ...p.qc,
          ...(withheld.length ? [`privilege log: ${withheld.length} withheld document(s), each a slip sheet and a log row, and no other`] : []),
          "every native re-hashed while written: SHA-256 and MD5 match intake",
        ],
        withheld: withheld.map((e) => e.bates),
        pages: p.pages,
      };
    },
    async verifyBundle(source, onEvent) {
      track("verifyBundle");
      const [path] = take(source.bundle);
      if (source.identity) take(source.identity);
      if (path.endsWith(".age") && !source.identity && !source.passphrase)
        throw new BackendError("invalid_input", `${path} is not a bundle Custos can read: it is encrypted with age; give the identity (key file) it was encrypted to`);
      const expected = expectedKey(source.expect_key);
      onEvent({ type: "begin", files: 12, bytes: 4000 });
      onEvent({ type: "progress", bytes: 4000, items: 12 });
      return { path, bundle_sha256: "c".repeat(64), folder: !/\.(zip|age)$/.test(path), report: bundleReport(expected) };
    },
    async importBundle(source, accept, onEvent) {
      track("importBundle");
      need();
      const [path] = take(source.bundle);
      if (path.endsWith(".age") && !source.identity && !source.passphrase)
        throw new BackendError("invalid_input", `${path} is not a bundle Custos can read: it is encrypted with age; give the identity (key file) it was encrypted to`);
      if (source.identity) take(source.identity);
      const r = bundleReport(expectedKey(source.expect_key));
      if (!r.ok) throw new BackendError("invalid_input", `refusing the bundle: it fails verification with 1 finding(s), e.g. ${r.findings[0]?.message}`);
      const producer_key = admitKey(accept);
      onEvent({ type: "begin", files: r.exhibits, bytes: 3000 });
      const exhibits = Array.from({ length: r.exhibits }, (_, i) => {
        const native = `data/VOL001/NATIVES/0001/HAL00000${i + 1}.pdf`;
        onEvent({ type: "file_started", path: native, size: 1000 });
        const ex = mockExhibit(state.exhibits.length + 1, { name: `HAL00000${i + 1}.pdf` });
        state.exhibits.push(ex);
        append({ action: "received", exhibit: ex.id });
        const outcome = { outcome: "stored" as const, exhibit: ex.id, sha256: ex.sha256 };
        onEvent({ type: "progress", bytes: 1000 * (i + 1), items: i });
        onEvent({ type: "file_done", path: native, outcome });
        return { bates: `HAL00000${i + 1}`, outcome };
      });
      // Like the app: the selections are used up by a successful import only.
      state.selections.delete(source.bundle);
      if (source.identity) state.selections.delete(source.identity);
      return {
        bundle_sha256: "c".repeat(64),
        sender_fingerprint: r.signer_fingerprint!,
        sender_identity: r.signer_identity!,
        producer_key,
        key_expected: (source.expect_key ?? "") !== "",
        stored: exhibits.length,
        duplicates: 0,
        exhibits,
      };
    },
    async onDrop(cb) {
      state.dropListeners.push(cb);
      return () => (state.dropListeners = state.dropListeners.filter((l) => l !== cb));
    },
    async onLocked(cb) {
      state.lockListeners.push(cb);
      return () => (state.lockListeners = state.lockListeners.filter((l) => l !== cb));
    },
  };
  return b;
}

/** Simulates an OS drop on the window. */
export function dropOn(b: Backend & { state: MockState }, paths: string[]): void {
  const t = `drop-${b.state.selections.size + 1}-${Date.now()}`;
  b.state.selections.set(t, paths);
  b.state.dropListeners.forEach((l) => l({ token: t, paths }));
}
