/**
 * Reading a CSV export in no known format as an audit log: which column of
 * its header holds what (a column mapping), checked here as the vault
 * checks it before it is sent (the four columns every event needs, no
 * column named twice, an offset ±HH:MM for times written without a zone),
 * and what saving one read, in words. All pure.
 */
import type { AuditMapping, MappingSaved } from "../../lib/bindings";
import { plural } from "../../lib/format";

/** A column a mapping names. */
export type MappingField = "time" | "actor" | "action" | "object" | "ip" | "device" | "file_name" | "size" | "hash";

/** The columns a mapping names, in order: the four every event needs, then the optional ones. */
export const MAPPING_FIELDS: readonly { field: MappingField; label: string; required: boolean; hint: string }[] = [
  { field: "time", label: "Time", required: true, hint: "When it happened" },
  { field: "actor", label: "Actor", required: true, hint: "Who (a user name or address)" },
  { field: "action", label: "Action", required: true, hint: "What was done, in the log's own word" },
  { field: "object", label: "Object", required: true, hint: "On what: a path, a URL or a name" },
  { field: "ip", label: "IP address", required: false, hint: "The client's address" },
  { field: "device", label: "Device", required: false, hint: "The device or workstation" },
  { field: "file_name", label: "File name", required: false, hint: "Else the last part of the object's path" },
  { field: "size", label: "File size", required: false, hint: "In bytes" },
  { field: "hash", label: "Content hash", required: false, hint: "SHA-256, SHA-1 or MD5 of the file" },
];

/** The mapping as chosen in the dialog ("" for a column not chosen). */
export interface MappingDraft {
  name: string;
  columns: Record<MappingField, string>;
  /** The offset of times written without a zone ("" for none: UTC). */
  offset: string;
}

/** A draft with no column chosen. */
export function emptyDraft(): MappingDraft {
  return { name: "", columns: { time: "", actor: "", action: "", object: "", ip: "", device: "", file_name: "", size: "", hash: "" }, offset: "" };
}

/** What is wrong with a draft: the message, and the columns (or fields) it is about. */
export interface MappingProblem {
  message: string;
  fields: (MappingField | "name" | "offset")[];
}

/** A column name as the vault compares them: case, spaces and underscores aside. */
export const columnKey = (c: string): string => c.trim().toLowerCase().replace(/[ _]/g, "");

/** Whether `offset` is an offset from UTC as ±HH:MM (at most 14 hours). */
export function validOffset(offset: string): boolean {
  const m = /^[+-](\d{2}):(\d{2})$/.exec(offset.trim());
  return m !== null && Number(m[1]) <= 14 && Number(m[2]) < 60;
}

/** The problems of a draft, in the order of the form (none: it can be sent). */
export function mappingProblems(d: MappingDraft): MappingProblem[] {
  const out: MappingProblem[] = [];
  const name = d.name.trim();
  if (name === "") out.push({ message: "Give the mapping a name.", fields: ["name"] });
  else if ([...name].length > 100) out.push({ message: "A mapping's name is at most 100 characters.", fields: ["name"] });
  for (const f of MAPPING_FIELDS) {
    if (f.required && d.columns[f.field].trim() === "") out.push({ message: `Choose the ${f.label.toLowerCase()} column.`, fields: [f.field] });
  }
  const chosen = MAPPING_FIELDS.filter((f) => d.columns[f.field].trim() !== "");
  const seen = new Set<string>();
  for (const [i, f] of chosen.entries()) {
    const key = columnKey(d.columns[f.field]);
    if (seen.has(key)) continue;
    const same = chosen.slice(i).filter((g) => columnKey(d.columns[g.field]) === key);
    seen.add(key);
    if (same.length > 1) {
      const labels = same.map((g) => g.label.toLowerCase());
      const what = `${same.length === 2 ? "both " : ""}${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
      out.push({ message: `The column “${d.columns[f.field]}” is chosen for ${what}: a column holds one thing.`, fields: same.map((g) => g.field) });
    }
  }
  if (d.offset.trim() !== "" && !validOffset(d.offset)) out.push({ message: "Write the UTC offset as ±HH:MM, e.g. -05:00 or +01:00.", fields: ["offset"] });
  return out;
}

/** The mapping a draft sends: names as chosen (trimmed), an optional column not chosen null. */
export function toMapping(d: MappingDraft): AuditMapping {
  const opt = (v: string) => (v.trim() === "" ? null : v.trim());
  const c = d.columns;
  return {
    name: d.name.trim(),
    time: c.time.trim(),
    actor: c.actor.trim(),
    action: c.action.trim(),
    object: c.object.trim(),
    ip: opt(c.ip),
    device: opt(c.device),
    file_name: opt(c.file_name),
    size: opt(c.size),
    hash: opt(c.hash),
    utc_offset: opt(d.offset),
  };
}

/** Header names that usually hold each column (compared as the vault compares them). */
const USUAL: Record<MappingField, readonly string[]> = {
  time: ["time", "timestamp", "datetime", "date", "eventtime", "when", "occurred", "createdat", "logtime"],
  actor: ["actor", "user", "username", "userid", "account", "who", "login", "performedby"],
  action: ["action", "event", "eventtype", "operation", "activity", "eventname"],
  object: ["object", "path", "filepath", "document", "url", "target", "item", "resource", "fullpath"],
  ip: ["ip", "ipaddress", "clientip", "sourceip", "address"],
  device: ["device", "workstation", "computer", "host", "hostname", "machine"],
  file_name: ["filename", "name", "documentname"],
  size: ["size", "filesize", "bytes", "length"],
  hash: ["hash", "sha256", "sha1", "md5", "checksum"],
};

/** The columns a header's names suggest, each at most once (a first guess, for the user to check). */
export function suggestedColumns(columns: readonly string[]): Record<MappingField, string> {
  const out = emptyDraft().columns;
  const taken = new Set<string>();
  for (const f of MAPPING_FIELDS) {
    const hit = columns.find((c) => !taken.has(c) && USUAL[f.field].includes(columnKey(c)));
    if (hit !== undefined) {
      out[f.field] = hit;
      taken.add(hit);
    }
  }
  return out;
}

/** "12 events read from EX-0003" (with the rows that could not be read), one for each export read. */
export function readLines(saved: MappingSaved): string[] {
  return saved.read.map(
    (r) => `${plural(r.events, "event", "events")} read from ${r.exhibit}${r.problems > 0 ? ` (${plural(r.problems, "row", "rows")} could not be read)` : ""}`,
  );
}

/** The columns a saved mapping names, in words ("time: When, actor: User, …, offset -05:00"). */
export function mappingColumnsText(m: AuditMapping): string {
  const named = MAPPING_FIELDS.flatMap((f) => {
    const c = m[f.field];
    return c ? [`${f.label.toLowerCase()}: ${c}`] : [];
  });
  return [...named, ...(m.utc_offset ? [`times without a zone at UTC${m.utc_offset}`] : [])].join(", ");
}
