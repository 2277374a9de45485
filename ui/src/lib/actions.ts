/**
 * How custody events read to people: action names in words, times in UTC;
 * and the custody log as CSV. All pure.
 */
import type { Action, LoggedEvent } from "./bindings";
import { formatUtc, parseTime, toCsv } from "./format";

/**
 * Every action the custody log records, in words. A record of every
 * `Action`, so an action added to the vault fails the type check until it
 * has its words here.
 */
const LABELS: Readonly<Record<Action, string>> = {
  vault_created: "Vault created",
  vault_unlocked: "Vault unlocked",
  collected: "Collected",
  duplicate_source_recorded: "Duplicate source recorded",
  metadata_edited: "Metadata edited",
  viewed: "Viewed",
  extracted: "Extracted",
  verified: "Verified",
  stray_object_quarantined: "Stray object quarantined",
  partial_output_removed: "Partial output removed",
  passphrase_changed: "Passphrase changed",
  exported: "Exported",
  received: "Received",
  setting_changed: "Setting changed",
  producer_key_pinned: "Producer key pinned",
  producer_key_accepted: "Producer key accepted",
  timestamped: "Timestamped by an outside authority",
  derived: "Derived by processing",
};

/** Every action the custody log records (e.g. for a filter's choices). */
export const ACTIONS: readonly Action[] = Object.keys(LABELS) as Action[];

/**
 * An action name in words: "duplicate_source_recorded" → "Duplicate source
 * recorded". An action this version does not know is still spelled out from
 * its snake_case name, never hidden.
 */
export function actionLabel(action: string): string {
  if (Object.prototype.hasOwnProperty.call(LABELS, action)) return LABELS[action as Action];
  const words = action.replace(/_+/g, " ").trim();
  if (!words) return action;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An event time as "2026-06-01 10:02:00 UTC"; a value that does not parse is returned unchanged. */
export function utcTime(iso: string): string {
  const date = parseTime(iso);
  return date ? formatUtc(date) : iso;
}

/** The columns of a custody log CSV, in order. */
export const CUSTODY_CSV_HEADER = [
  "seq",
  "time",
  "action",
  "exhibit",
  "actor",
  "released_by",
  "received_by",
  "purpose",
  "method",
  "tool",
  "hash_algorithm",
  "hash_before",
  "hash_after",
  "hashes_match",
  "location",
  "details",
  "words",
] as const;

/**
 * Guards a CSV cell against formula injection: a spreadsheet would run a
 * cell that begins with =, +, -, @, a tab or a carriage return, so such a
 * cell gets a leading single quote and is read as text.
 */
export function guardCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The header row of a custody log CSV, line end included. */
export function custodyCsvHeader(): string {
  return toCsv([[...CUSTODY_CSV_HEADER]]);
}

/**
 * Custody events as CSV rows (RFC 4180), without the header, so that a long
 * log is written a window at a time: values as recorded (actions by their
 * stored names, times in UTC, details as compact JSON), the event in words
 * last, every cell guarded against formula injection.
 */
export function custodyCsvRows(events: readonly LoggedEvent[]): string {
  const text = (v: string | null) => v ?? "";
  const rows: string[][] = [];
  for (const e of events) {
    rows.push(
      [
        String(e.seq),
        e.time,
        e.action,
        text(e.exhibit),
        e.actor,
        text(e.released_by),
        text(e.received_by),
        text(e.purpose),
        text(e.method),
        e.tool,
        text(e.hash_algorithm),
        text(e.hash_before),
        text(e.hash_after),
        e.hashes_match === null ? "" : String(e.hashes_match),
        text(e.location),
        e.details === null ? "" : JSON.stringify(e.details),
        e.words,
      ].map(guardCell),
    );
  }
  return toCsv(rows);
}
