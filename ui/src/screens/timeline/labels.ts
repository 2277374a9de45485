/**
 * Words for the Timeline screen: days and hours as people read them, a
 * bar's counts in a sentence, how an event was tied to its exhibit, where it
 * was read from, and the gaps between the days that have events. All pure.
 */
import type { TimelineBucket, TimelineEvent } from "../../lib/bindings";
import { formatCount, plural } from "../../lib/format";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** A UTC day (`2026-05-14`, or the day of an hour or time) as people write it: "14 May 2026". Unchanged when it is not one. */
export function dayLabel(at: string): string {
  const m = DAY.exec(at);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && month ? `${Number(m[3])} ${month} ${m[1]}` : at;
}

/** The month of a day, short: "May 2026". */
export function monthLabel(at: string): string {
  const m = DAY.exec(at);
  const month = m ? SHORT_MONTHS[Number(m[2]) - 1] : undefined;
  return m && month ? `${month} ${m[1]}` : at;
}

/** The month of a day, alone: "May". */
export function monthShort(at: string): string {
  const m = DAY.exec(at);
  return (m ? SHORT_MONTHS[Number(m[2]) - 1] : undefined) ?? at;
}

/** The two digits of an hour (`2026-05-14T09`): "09". */
export function hourOf(at: string): string {
  return at.slice(11, 13);
}

/** An hour (`2026-05-14T09`) as a span of the clock: "09:00–10:00". */
export function hourSpan(at: string): string {
  const h = Number(hourOf(at));
  if (!Number.isInteger(h) || at.length !== 13) return at;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(h)}:00–${pad(h + 1)}:00`;
}

/** An hour in full: "14 May 2026, 09:00–10:00 UTC". */
export function hourLabel(at: string): string {
  return `${dayLabel(at)}, ${hourSpan(at)} UTC`;
}

/** A bucket's counts in words: "57 events, 55 downloads in a mass download". */
export function countsText(b: TimelineBucket): string {
  const parts = [plural(b.events, "event", "events")];
  if (b.downloads > 0 && b.bursts === b.downloads) {
    parts.push(`${plural(b.downloads, "download", "downloads")} in a mass download`);
  } else {
    if (b.downloads > 0) parts.push(plural(b.downloads, "download", "downloads"));
    if (b.bursts > 0) parts.push(`${formatCount(b.bursts)} in a mass download`);
  }
  return parts.join(", ");
}

/** What a bar of the histogram says: "14 May 2026: 57 events, 55 downloads in a mass download". */
export function bucketLabel(b: TimelineBucket): string {
  const when = b.at.length === 13 ? hourLabel(b.at) : dayLabel(b.at);
  return `${when}: ${countsText(b)}`;
}

/** Whole days from one day to another (`2026-05-14` to `2026-05-16`: 2). */
export function daysBetween(from: string, to: string): number {
  const t = (s: string) => Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
  return Math.round((t(to) - t(from)) / 86_400_000);
}

/** One place on the day histogram: a day with events, or the days without any between two of them. */
export type DaySlot = { kind: "day"; bucket: TimelineBucket } | { kind: "gap"; days: number; after: string };

/** The days with events in order, with the run of days without events marked between two that are not next to each other. */
export function daySlots(buckets: readonly TimelineBucket[]): DaySlot[] {
  const out: DaySlot[] = [];
  let last: string | null = null;
  for (const bucket of buckets) {
    if (last !== null) {
      const skipped = daysBetween(last, bucket.at) - 1;
      if (skipped > 0) out.push({ kind: "gap", days: skipped, after: last });
    }
    out.push({ kind: "day", bucket });
    last = bucket.at;
  }
  return out;
}

/** The 24 hours of a day (`2026-05-14`), each with its bucket when it has events. */
export function dayHours(day: string, buckets: readonly TimelineBucket[]): { at: string; bucket: TimelineBucket | null }[] {
  const byHour = new Map(buckets.map((b) => [b.at, b]));
  return Array.from({ length: 24 }, (_, h) => {
    const at = `${day}T${String(h).padStart(2, "0")}`;
    return { at, bucket: byHour.get(at) ?? null };
  });
}

const JOINS: Record<string, string> = {
  hash: "by hash",
  object_id: "by its id or address",
  name_size: "by name and size",
  name: "by name only",
};

/** How an event was tied to its exhibit, in words ("—" when it was not). */
export function joinLabel(join: string | null): string {
  return join === null ? "—" : (JOINS[join] ?? join);
}

/** Whether an event is one of an exhibit's own dates rather than a row of an audit-log export. */
export const isOwnDate = (ev: TimelineEvent): boolean => ev.source === "metadata";

/** Where an audit event was read from: "EX-0003, row 12". */
export function rowSource(ev: TimelineEvent): string {
  return `${ev.source_exhibit}, row ${formatCount(ev.row)}`;
}

/** A key for an event, unique within a timeline (an exhibit gives each date once). */
export function eventKey(ev: TimelineEvent): string {
  return `${ev.source}|${ev.source_exhibit}|${ev.row}|${ev.action}|${ev.time}`;
}

/** What a mass download is, for a badge's title. */
export const MASS_DOWNLOAD_HINT = "Part of a mass download: more than 50 downloads by one actor within 5 minutes";
/** What a weak tie is, for a badge's title. */
export const WEAK_JOIN_HINT = "Tied by file name alone: another file of the same name may be meant";
/** What an exhibit's own date is, for a title. */
export const OWN_DATE_HINT = "A date recorded in the exhibit itself: an e-mail sent or received, a document created or modified, a photograph taken";
