/**
 * Processing in words: what an exhibit was read as, what a derivation is,
 * and what a processing run did in all (for the intake result and the
 * detail screen).
 */
import type { ProcessOutcome, ProcessReport } from "./bindings";
import { formatCount, plural } from "./format";

const KINDS: Readonly<Record<string, string>> = {
  email: "e-mail message",
  msg: "Outlook message (MSG)",
  mbox: "mailbox (MBOX)",
  pst: "Outlook data file (PST)",
  zip: "ZIP archive",
  pdf: "PDF",
  html: "web page (HTML)",
  rtf: "rich text (RTF)",
  csv: "spreadsheet text (CSV)",
  audit_log: "audit-log export",
  text: "text",
  image: "image",
  docx: "Word document",
  xlsx: "Excel workbook",
  pptx: "PowerPoint presentation",
  odt: "OpenDocument text",
  ods: "OpenDocument spreadsheet",
  odp: "OpenDocument presentation",
  office: "Office document",
  other: "file with nothing more to read",
};

/** What an exhibit was read as ("e-mail message"); the vault's word when unknown here. */
export function kindLabel(kind: string): string {
  return KINDS[kind] ?? kind;
}

const DERIVED: Readonly<Record<string, string>> = {
  item: "Item found inside",
  metadata: "Metadata",
  text: "Text",
  ocr: "Text by OCR",
  events: "Audit-log events",
};

/** What a derivation made, in words ("Text by OCR"). */
export function derivationLabel(kind: string): string {
  return DERIVED[kind] ?? kind;
}

/** A metadata field's name for people: `date_sent` → "Date sent". */
export function fieldLabel(field: string): string {
  const words = field.replace(/[_-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : field;
}

/** What a processing run did, in all. */
export interface ProcessTotals {
  /** Exhibits worked on (those processed before and left alone are not counted). */
  processed: number;
  /** New exhibits found inside them. */
  newItems: number;
  /** Items found inside whose content was already an exhibit. */
  duplicateItems: number;
  /** Exhibits that could not be read. */
  failed: ProcessOutcome[];
  /** Exhibits left alone (processed before, nothing asked of them). */
  skipped: number;
  cancelled: boolean;
}

export function processTotals(report: ProcessReport): ProcessTotals {
  const worked = report.exhibits.filter((o) => o.status !== "skipped");
  return {
    processed: worked.length,
    newItems: worked.reduce((n, o) => n + o.new_items, 0),
    duplicateItems: worked.reduce((n, o) => n + o.duplicate_items, 0),
    failed: worked.filter((o) => o.status === "failed"),
    skipped: report.exhibits.length - worked.length,
    cancelled: report.cancelled,
  };
}

/** "Processed 12: 3 new exhibits found inside, 1 failed". */
export function processSummary(t: ProcessTotals): string {
  return `Processed ${formatCount(t.processed)}: ${plural(t.newItems, "new exhibit", "new exhibits")} found inside, ${formatCount(t.failed.length)} failed`;
}

/** "Processing 3 of 12…" while the exhibits named are worked on, then the items found inside them. */
export function processProgress(done: number, total: number): string {
  if (total === 0) return done === 0 ? "Preparing…" : `Processing… ${plural(done, "exhibit", "exhibits")} done`;
  if (done < total) return `Processing ${formatCount(done + 1)} of ${formatCount(total)}…`;
  return `Processing the items found inside… ${plural(done, "exhibit", "exhibits")} done`;
}
