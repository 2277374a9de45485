/**
 * The custody log as CSV, read from the vault a window at a time, oldest
 * first: a log may hold millions of events, so no more than one window of
 * them is held at once while the text grows.
 */
import { custodyCsvHeader, custodyCsvRows } from "../../lib/actions";
import { backend } from "../../lib/backend";
import { MAX_WINDOW, custodyQuery, type CustodyFilter } from "./log.svelte";

export interface CsvRead {
  /** The CSV text, the header first. */
  csv: string;
  /** Events written. */
  events: number;
}

export interface CsvOptions {
  /** Only these events (sequence numbers as text); every one matching when absent. */
  only?: ReadonlySet<string>;
  /** After each window: events read so far and how many match. */
  onProgress?: (read: number, total: number) => void;
  /** Stops the reading at the next window. */
  signal?: AbortSignal;
}

/**
 * The events `filter` matches as CSV, oldest first. Null when `signal`
 * stopped the reading (what was read is dropped). A failing window throws.
 */
export async function readCsv(filter: CustodyFilter, options: CsvOptions = {}): Promise<CsvRead | null> {
  const { only, onProgress, signal } = options;
  const parts = [custodyCsvHeader()];
  let read = 0;
  let written = 0;
  let total = Number.POSITIVE_INFINITY;
  while (read < total) {
    if (signal?.aborted) return null;
    const w = await backend().custodyWindow(custodyQuery(filter, "ascending", read, MAX_WINDOW));
    if (signal?.aborted) return null;
    const events = only ? w.events.filter((e) => only.has(String(e.seq))) : w.events;
    parts.push(custodyCsvRows(events));
    written += events.length;
    read += w.events.length;
    total = w.total;
    onProgress?.(read, total);
    // An empty window ends the read even if the count said more (never a
    // loop without end); with a selection, so does its last event.
    if (w.events.length === 0 || (only && written >= only.size)) break;
  }
  return { csv: parts.join(""), events: written };
}
