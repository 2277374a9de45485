/**
 * The Timeline screen's state: the filters (actor, action, exhibit, the
 * exhibits' own dates, a range of days), the zoom (every day, one day hour
 * by hour, one hour of it), and the views the vault answered. It lives
 * outside the screen, so opening an exhibit and coming back finds the
 * timeline as it was; it is forgotten when the vault locks.
 */
import { backend, toBackendError } from "../../lib/backend";
import type { TimelineQuery, TimelineUnit, TimelineView } from "../../lib/bindings";
import { compareText } from "../../lib/components/table";
import { sentence } from "../../lib/format";
import { go } from "../../lib/router.svelte";
import { forgetOnClose, session } from "../../lib/session.svelte";

/** The most events listed at once; the rest are counted and reached by narrowing the range. */
export const TIMELINE_LIMIT = 1000;

/** The filters as chosen ("" for any). */
export interface TimelineFilters {
  actor: string;
  action: string;
  exhibit: string;
  /** The exhibits' own dates beside the audit events. */
  dates: boolean;
  /** First and last day (`2026-05-14`), either open. */
  from: string;
  to: string;
}

const NO_FILTERS: TimelineFilters = { actor: "", action: "", exhibit: "", dates: true, from: "", to: "" };

const orNull = (s: string) => (s.trim() === "" ? null : s.trim());

export class TimelineState {
  /** The vault shown (another vault's timeline starts afresh). */
  readonly vaultId: string | null;
  /** The filters. */
  filters = $state<TimelineFilters>({ ...NO_FILTERS });
  /** The day shown hour by hour (null: every day). */
  day = $state<string | null>(null);
  /** The hour of that day the list is narrowed to (`2026-05-14T09`; null: the whole day). */
  hour = $state<string | null>(null);
  /** What the histogram shows: counts per day, or per hour of `day`. */
  chart = $state.raw<TimelineView | null>(null);
  /** What the list shows (the chart's own view unless an hour is chosen). */
  list = $state.raw<TimelineView | null>(null);
  /** The day and hour the views shown answer (the zoom asked for may still be on its way). */
  shown = $state.raw<{ day: string | null; hour: string | null }>({ day: null, hour: null });
  /** A view is on its way. */
  loading = $state(false);
  /** Why the vault refused or failed the last view (nothing else is shown then). */
  error = $state<string | null>(null);
  /** Whether it was refused for what was asked (a range it cannot read), so asking again is no use. */
  refused = $state(false);
  /** The actors and actions to choose from, as seen over the filters' whole range. */
  actors = $state.raw<string[]>([]);
  actions = $state.raw<string[]>([]);
  /** The event last opened (focused again on return). */
  lastOpened: string | null = null;

  #seq = 0;
  /** The query the chart answers. */
  #chartKey: string | null = null;

  constructor(vaultId: string | null) {
    this.vaultId = vaultId;
  }

  /** The query of the filters alone. */
  base(): TimelineQuery {
    const f = this.filters;
    return {
      exhibit: orNull(f.exhibit),
      actor: orNull(f.actor),
      action: orNull(f.action),
      from: orNull(f.from),
      to: orNull(f.to),
      dates: f.dates,
    };
  }

  /** What the histogram asks for: every day in the range, or the hours of the day zoomed into. */
  chartRequest(): { query: TimelineQuery; unit: TimelineUnit } {
    const q = this.base();
    return this.day === null ? { query: q, unit: "day" } : { query: { ...q, from: this.day, to: this.day }, unit: "hour" };
  }

  /** What the list asks for: the chart's events, or those of the hour chosen. */
  listRequest(chart = this.chartRequest()): { query: TimelineQuery; unit: TimelineUnit } {
    return this.hour === null ? chart : { query: { ...chart.query, from: this.hour, to: this.hour }, unit: "hour" };
  }

  /**
   * The query of what the list shows: the filters, narrowed to the day or
   * hour shown (what "Save as" writes, every event of it, not only those
   * listed).
   */
  shownQuery(): TimelineQuery {
    const q = this.base();
    const { day, hour } = this.shown;
    const at = hour ?? day;
    return at === null ? q : { ...q, from: at, to: at };
  }

  /** Whether any filter narrows the timeline (the exhibits' own dates aside). */
  get filtering(): boolean {
    const f = this.filters;
    return [f.actor, f.action, f.exhibit, f.from, f.to].some((v) => v.trim() !== "");
  }

  /**
   * Asks the vault for the views the filters and the zoom select. A refused
   * or failed view leaves nothing on show: no earlier answer stands for it.
   * `refresh`: read the histogram anew even when it answers the same query.
   */
  async load(refresh = false): Promise<void> {
    const seq = ++this.#seq;
    const chart = this.chartRequest();
    const list = this.listRequest(chart);
    const chartKey = JSON.stringify(chart);
    const zoom = { day: this.day, hour: this.hour };
    const keep = !refresh && this.chart !== null && this.#chartKey === chartKey ? this.chart : null;
    this.loading = true;
    try {
      let chartView: TimelineView;
      let listView: TimelineView;
      if (list === chart) {
        chartView = listView = await backend().timelineView(chart.query, chart.unit, TIMELINE_LIMIT);
      } else {
        // The histogram needs its counts only; the list asks for the events of the hour.
        [chartView, listView] = await Promise.all([
          keep ?? backend().timelineView(chart.query, chart.unit, 0),
          backend().timelineView(list.query, list.unit, TIMELINE_LIMIT),
        ]);
      }
      if (seq !== this.#seq) return;
      this.chart = chartView;
      this.#chartKey = chartKey;
      this.list = listView;
      this.shown = zoom;
      this.error = null;
      this.refused = false;
      this.#takeOptions(chartView);
    } catch (e) {
      if (seq !== this.#seq) return;
      this.chart = null;
      this.list = null;
      this.#chartKey = null;
      this.shown = zoom;
      const err = toBackendError(e);
      this.error = sentence(err.message);
      this.refused = err.code === "invalid_input";
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** The actors and actions to choose from: those over the whole range (not a day zoomed into), each list kept while it is the filter chosen. */
  #takeOptions(view: TimelineView): void {
    const f = this.filters;
    const sorted = (values: string[]) => [...values].sort(compareText);
    if (this.day === null && !f.actor) this.actors = sorted(view.actors);
    if (this.day === null && !f.action) this.actions = sorted(view.actions);
    if (f.actor && !this.actors.includes(f.actor)) this.actors = sorted([...this.actors, f.actor]);
    if (f.action && !this.actions.includes(f.action)) this.actions = sorted([...this.actions, f.action]);
  }

  /** Changes filters and shows the timeline for them. A new range of days shows every day of it again. */
  setFilters(change: Partial<TimelineFilters>): Promise<void> {
    const next = { ...this.filters, ...change };
    if (next.from !== this.filters.from || next.to !== this.filters.to) {
      this.day = null;
      this.hour = null;
    }
    this.filters = next;
    return this.load();
  }

  /** Takes away every filter (the exhibits' own dates stay as chosen). */
  clearFilters(): Promise<void> {
    return this.setFilters({ actor: "", action: "", exhibit: "", from: "", to: "" });
  }

  /** Starts afresh on one exhibit's or one actor's events (the screen opened for them). */
  preset(p: { exhibit?: string; actor?: string }): Promise<void> {
    this.filters = { ...NO_FILTERS, exhibit: p.exhibit ?? "", actor: p.actor ?? "" };
    this.day = null;
    this.hour = null;
    this.actors = [];
    this.actions = [];
    return this.load(true);
  }

  /** Shows one day hour by hour. */
  zoomIn(day: string): Promise<void> {
    this.day = day;
    this.hour = null;
    return this.load();
  }

  /** Shows every day again. */
  zoomOut(): Promise<void> {
    this.day = null;
    this.hour = null;
    return this.load();
  }

  /** Narrows the list to one hour of the day shown (or back to the whole day when it was that hour). */
  pickHour(hour: string | null): Promise<void> {
    this.hour = hour === this.hour ? null : hour;
    return this.load();
  }

  /** Opens an exhibit's detail; its back link returns here. */
  open(id: string, key: string | null = null): void {
    this.lastOpened = key;
    go("exhibit", { id, from: "timeline" });
  }
}

let current: TimelineState | null = null;

/** The timeline of the open vault, as it was left. */
export function timelineState(): TimelineState {
  const vaultId = session.vault?.matter.vault_id ?? null;
  if (!current || current.vaultId !== vaultId) current = new TimelineState(vaultId);
  return current;
}

/** Forgets the timeline (the vault locked; tests). */
export function forgetTimeline(): void {
  current = null;
}

forgetOnClose(forgetTimeline);
