import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import { BackendError, setBackend } from "../lib/backend";
import type { TimelineEvent, TimelineQuery, VaultSummary } from "../lib/bindings";
import { deferred } from "../lib/deferred";
import { MOCK_MATTER, createMockBackend, mockDateEvent, mockTimelineEvent, type MockState } from "../lib/mock-backend";
import { clearNotices, notices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Timeline from "./Timeline.svelte";
import { forgetTimeline, TIMELINE_LIMIT } from "./timeline/timeline.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

const MALLORY = "mallory@rival.example";
const ANNA = "anna@halvorsen.example";

/**
 * Three days with events: the PDF's creation (its own date, 2 March), a busy
 * 14 May (Anna views and downloads in the morning; Mallory downloads 55
 * files in four minutes at night: a mass download), and a share on 16 May.
 */
function events(): TimelineEvent[] {
  const burst = Array.from({ length: 55 }, (_, i) =>
    mockTimelineEvent(100 + i, {
      time: `2026-05-14T21:0${Math.floor(i / 14)}:${String(10 + (i % 14) * 3).padStart(2, "0")}Z`,
      actor: MALLORY,
      action: "FileDownloaded",
      object: `https://rival.sharepoint.example/docs/file-${i}.pdf`,
      exhibit: i === 0 ? "EX-0002" : null,
      join: i === 0 ? "name" : null,
      weak: i === 0,
      ip: "203.0.113.8",
      burst: true,
    }),
  );
  return [
    mockDateEvent({ time: "2026-03-02T09:15:00Z", action: "document created", exhibit: "EX-0001", object: "Lodestar spec v3.pdf" }),
    mockTimelineEvent(4, { time: "2026-05-14T09:10:00Z", actor: ANNA, action: "FileAccessed", join: "hash", ip: "10.0.4.17" }),
    mockTimelineEvent(5, { time: "2026-05-14T09:40:00Z", actor: ANNA, action: "FileDownloaded", join: "name_size", ip: "10.0.4.17" }),
    ...burst,
    mockTimelineEvent(200, { time: "2026-05-16T11:00:00Z", actor: ANNA, action: "SharingSet", join: "object_id" }),
  ];
}

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), timeline: events(), ...init });
  const views = vi.spyOn(mock, "timelineView");
  setBackend(mock);
  return { mock, views };
}

type Views = ReturnType<typeof install>["views"];

const ALL: TimelineQuery = { exhibit: null, actor: null, action: null, from: null, to: null, dates: true };
const lastCall = (views: Views) => views.mock.calls.at(-1)!;

const histogram = () => screen.getByTestId("timeline-histogram");
const bars = () => within(histogram()).getAllByRole("listitem").filter((li) => li.querySelector("button.bar"));
const barNames = () => bars().map((li) => li.querySelector("button.bar")!.getAttribute("aria-label"));
const bar = (name: string | RegExp) => within(histogram()).getByRole("button", { name });
const table = () => screen.getByTestId("timeline-events");
const rows = () => within(table()).getAllByRole("row").slice(1);
const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent?.replace(/\s+/g, " ").trim());
const count = () => screen.getByTestId("timeline-count").textContent?.trim();

const DAY_14 = "14 May 2026: 57 events, 56 downloads, 55 in a mass download";

beforeEach(() => {
  forgetTimeline();
  reset("timeline");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  session.job = null;
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Timeline: the histogram", () => {
  it("shows a bar per day with events, named by its counts, mass downloads apart, and the days without events between", async () => {
    const { views } = install();
    render(Timeline);
    await waitFor(() => expect(barNames()).toEqual(["2 March 2026: 1 event", DAY_14, "16 May 2026: 1 event"]));
    expect(views).toHaveBeenCalledTimes(1);
    expect(views).toHaveBeenCalledWith(ALL, "day", TIMELINE_LIMIT);
    expect(screen.getByRole("heading", { level: 2, name: "Events per day" })).toBeInTheDocument();

    // The gaps: 72 days between 2 March and 14 May, one between 14 and 16 May.
    const gaps = within(histogram()).getAllByText(/days? without events$/, { selector: ".visually-hidden" });
    expect(gaps.map((g) => g.textContent)).toEqual(["72 days without events", "1 day without events"]);

    // The burst portion is its own segment, sized by its count, and marked.
    const day14 = bar(DAY_14);
    expect(day14.querySelector<HTMLElement>(".seg.burst")!.style.flexGrow).toBe("55");
    expect(day14.querySelector<HTMLElement>(".seg.download")!.style.flexGrow).toBe("1");
    expect(day14.querySelector<HTMLElement>(".seg.other")!.style.flexGrow).toBe("1");
    expect(day14.querySelector(".mark")).toHaveTextContent("⚠");
    expect(bar("16 May 2026: 1 event").querySelector(".mark")).toHaveTextContent("");

    expect(count()).toBe("59 events, oldest first.");
    expect(rows()).toHaveLength(59);
  });

  it("zooms into a day hour by hour, narrows the list to an hour, and back out to every day", async () => {
    const { views } = install();
    const user = userEvent.setup();
    render(Timeline);
    await user.click(await screen.findByRole("button", { name: DAY_14 }));

    expect(lastCall(views)).toEqual([{ ...ALL, from: "2026-05-14", to: "2026-05-14" }, "hour", TIMELINE_LIMIT]);
    await screen.findByRole("heading", { level: 2, name: "14 May 2026, hour by hour" });
    expect(barNames()).toEqual([
      "14 May 2026, 09:00–10:00 UTC: 2 events, 1 download",
      "14 May 2026, 21:00–22:00 UTC: 55 events, 55 downloads in a mass download",
    ]);
    // Every hour of the day has its place; the empty ones are no buttons.
    expect(histogram().querySelectorAll(".bars > li")).toHaveLength(24);
    // Focus moves to the first hour with events.
    expect(bar(/09:00–10:00/)).toHaveFocus();
    const crumbs = within(histogram()).getByRole("navigation", { name: "Zoom" });
    expect(within(crumbs).getByRole("button", { name: "All days" })).toBeInTheDocument();
    expect(within(crumbs).getByText("14 May 2026")).toHaveAttribute("aria-current", "location");
    expect(count()).toBe("57 events on 14 May 2026, oldest first.");

    // An hour narrows the list (the histogram keeps the day's hours).
    await user.click(bar(/09:00–10:00/));
    expect(lastCall(views)).toEqual([{ ...ALL, from: "2026-05-14T09", to: "2026-05-14T09" }, "hour", TIMELINE_LIMIT]);
    await waitFor(() => expect(count()).toBe("2 events on 14 May 2026, 09:00–10:00 UTC, oldest first."));
    expect(rows().map((r) => cells(r)[2])).toEqual(["FileAccessed", "FileDownloaded"]);
    expect(bar(/09:00–10:00/)).toHaveAttribute("aria-pressed", "true");
    expect(barNames()).toHaveLength(2);
    expect(within(crumbs).getByText("09:00–10:00 UTC")).toHaveAttribute("aria-current", "location");

    // The day's crumb shows the whole day again; Escape goes back to every day.
    await user.click(within(crumbs).getByRole("button", { name: "14 May 2026" }));
    await waitFor(() => expect(count()).toBe("57 events on 14 May 2026, oldest first."));
    expect(bar(/09:00–10:00/)).toHaveAttribute("aria-pressed", "false");

    await user.click(screen.getByRole("button", { name: "Back to all days" }));
    await waitFor(() => expect(barNames()).toEqual(["2 March 2026: 1 event", DAY_14, "16 May 2026: 1 event"]));
    expect(lastCall(views)).toEqual([ALL, "day", TIMELINE_LIMIT]);
    expect(screen.getByRole("heading", { level: 2, name: "Events per day" })).toBeInTheDocument();
    // Focus returns to the day zoomed into.
    await waitFor(() => expect(bar(DAY_14)).toHaveFocus());
    expect(count()).toBe("59 events, oldest first.");
  });

  it("is worked with the keyboard: arrows move between bars, Enter zooms in, Escape zooms out", async () => {
    install();
    const user = userEvent.setup();
    render(Timeline);
    (await screen.findByRole("button", { name: "2 March 2026: 1 event" })).focus();
    await user.keyboard("{ArrowRight}");
    expect(bar(DAY_14)).toHaveFocus();
    await user.keyboard("{End}");
    expect(bar("16 May 2026: 1 event")).toHaveFocus();
    await user.keyboard("{ArrowLeft}{Enter}");
    await screen.findByRole("heading", { level: 2, name: "14 May 2026, hour by hour" });
    await waitFor(() => expect(bar(/09:00–10:00/)).toHaveFocus());
    await user.keyboard("{ArrowRight} ");
    await waitFor(() => expect(bar(/21:00–22:00/)).toHaveAttribute("aria-pressed", "true"));
    await waitFor(() => expect(count()).toMatch(/^55 events on 14 May 2026, 21:00–22:00 UTC/));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(bar(/21:00–22:00/)).toHaveAttribute("aria-pressed", "false"));
    await user.keyboard("{Escape}");
    await screen.findByRole("heading", { level: 2, name: "Events per day" });
    await waitFor(() => expect(bar(DAY_14)).toHaveFocus());
  });
});

describe("Timeline: filters", () => {
  it("offers the actors and actions found, and passes each filter to the vault", async () => {
    const { views } = install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });

    const actor = screen.getByRole("combobox", { name: "Actor" });
    expect(within(actor).getAllByRole("option").map((o) => o.textContent)).toEqual(["All actors", ANNA, "Erik Brandt", MALLORY]);
    const action = screen.getByRole("combobox", { name: "Action" });
    expect(within(action).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "All actions",
      "document created",
      "FileAccessed",
      "FileDownloaded",
      "SharingSet",
    ]);

    await user.selectOptions(actor, MALLORY);
    expect(lastCall(views)).toEqual([{ ...ALL, actor: MALLORY }, "day", TIMELINE_LIMIT]);
    await waitFor(() => expect(barNames()).toEqual(["14 May 2026: 55 events, 55 downloads in a mass download"]));
    // The other actors stay on offer, to change to.
    expect(within(actor).getAllByRole("option")).toHaveLength(4);

    await user.selectOptions(actor, "All actors");
    await user.selectOptions(action, "FileDownloaded");
    expect(lastCall(views)).toEqual([{ ...ALL, action: "FileDownloaded" }, "day", TIMELINE_LIMIT]);
    await waitFor(() => expect(count()).toBe("56 events, oldest first."));

    await user.type(screen.getByRole("searchbox", { name: "Exhibit" }), "EX-0001");
    await waitFor(() => expect(lastCall(views)).toEqual([{ ...ALL, action: "FileDownloaded", exhibit: "EX-0001" }, "day", TIMELINE_LIMIT]));
    await waitFor(() => expect(count()).toBe("1 event, oldest first."));

    await user.click(screen.getByRole("checkbox", { name: "Show the exhibits' own dates" }));
    expect(lastCall(views)).toEqual([{ ...ALL, action: "FileDownloaded", exhibit: "EX-0001", dates: false }, "day", TIMELINE_LIMIT]);

    await fireEvent.input(screen.getByLabelText("From (UTC day)"), { target: { value: "2026-05-01" } });
    expect(lastCall(views)).toEqual([
      { ...ALL, action: "FileDownloaded", exhibit: "EX-0001", dates: false, from: "2026-05-01" },
      "day",
      TIMELINE_LIMIT,
    ]);
    await fireEvent.input(screen.getByLabelText("To (UTC day)"), { target: { value: "2026-05-15" } });
    expect(lastCall(views)).toEqual([
      { ...ALL, action: "FileDownloaded", exhibit: "EX-0001", dates: false, from: "2026-05-01", to: "2026-05-15" },
      "day",
      TIMELINE_LIMIT,
    ]);

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(lastCall(views)).toEqual([{ ...ALL, dates: false }, "day", TIMELINE_LIMIT]);
    expect(screen.getByRole("searchbox", { name: "Exhibit" })).toHaveValue("");
    await waitFor(() => expect(count()).toBe("58 events, oldest first."));
  });

  it("the exhibits' own dates come and go with the checkbox", async () => {
    install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: "2 March 2026: 1 event" });
    expect(rows()[0]).toHaveTextContent("document created");
    expect(cells(rows()[0]!).slice(4)).toEqual(["EX-0001", "its own date", "—", "Own metadata"]);

    await user.click(screen.getByRole("checkbox", { name: "Show the exhibits' own dates" }));
    await waitFor(() => expect(barNames()).toEqual([DAY_14, "16 May 2026: 1 event"]));
    expect(screen.queryByText("Own metadata")).toBeNull();
  });

  it("shows the vault's refusal of a range, and nothing of the last answer", async () => {
    const { mock, views } = install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    expect(screen.getByTestId("timeline-events")).toBeInTheDocument();

    views.mockRejectedValueOnce(new BackendError("invalid_input", "2026-05-14T9 is not a day (2025-05-14), an hour (2025-05-14T09) or an RFC 3339 time"));
    await fireEvent.input(screen.getByLabelText("From (UTC day)"), { target: { value: "2026-05-14" } });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "The timeline could not be shown: 2026-05-14T9 is not a day (2025-05-14), an hour (2025-05-14T09) or an RFC 3339 time.",
    );
    // Nothing stale: no bars, no events, no count, and no use asking again.
    expect(screen.queryByTestId("timeline-histogram")).toBeNull();
    expect(screen.queryByTestId("timeline-events")).toBeNull();
    expect(screen.queryByTestId("timeline-count")).toBeNull();
    expect(within(alert).queryByRole("button")).toBeNull();
    expect(screen.getByLabelText("From (UTC day)")).toHaveAttribute("aria-invalid", "true");

    // The mock refuses such a bound itself, as the vault does.
    await expect(mock.timelineView({ ...ALL, from: "2026-05-14T9" }, "day", 10)).rejects.toMatchObject({ code: "invalid_input" });

    // A range it takes shows the timeline again.
    await fireEvent.input(screen.getByLabelText("From (UTC day)"), { target: { value: "2026-05-15" } });
    await waitFor(() => expect(barNames()).toEqual(["16 May 2026: 1 event"]));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("offers to try again when the timeline could not be read", async () => {
    const { views } = install();
    views.mockRejectedValueOnce(new BackendError("internal", "the vault could not be read"));
    const user = userEvent.setup();
    render(Timeline);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The timeline could not be shown: The vault could not be read.");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await screen.findByRole("button", { name: DAY_14 });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says when no event matches the filters, with a way to clear them", async () => {
    install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    await user.type(screen.getByRole("searchbox", { name: "Exhibit" }), "EX-0099{Enter}");
    await waitFor(() => expect(count()).toBe("No events match the filters."));
    expect(screen.queryByTestId("timeline-histogram")).toBeNull();
    expect(screen.queryByTestId("timeline-empty")).toBeNull();
    await user.click(within(screen.getByRole("region", { name: "Events" })).getByRole("button", { name: "Clear filters" }));
    await screen.findByRole("button", { name: DAY_14 });
  });
});

describe("Timeline: the events", () => {
  it("badges and highlights the downloads of a mass download, and marks a weak tie", async () => {
    install();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    const all = rows();
    const burst = all.filter((r) => r.classList.contains("burst"));
    expect(burst).toHaveLength(55);
    for (const r of burst) expect(within(r).getByTestId("mass-download")).toHaveTextContent("Mass download");
    expect(all.filter((r) => !r.classList.contains("burst")).every((r) => within(r).queryByTestId("mass-download") === null)).toBe(true);

    const first = burst[0]!;
    expect(cells(first)).toEqual([
      "2026-05-14 21:00:10",
      MALLORY,
      "FileDownloaded ⚠ Mass download",
      "https://rival.sharepoint.example/docs/file-0.pdf",
      "EX-0002",
      "by name only ⚠ weak",
      "203.0.113.8",
      "EX-0003, row 100",
    ]);
    expect(within(first).getByTestId("weak-join")).toHaveClass("badge");
    // Not tied to any exhibit: a dash.
    expect(cells(burst[1]!)[4]).toBe("—");
    expect(cells(all[1]!)).toEqual([
      "2026-05-14 09:10:00",
      ANNA,
      "FileAccessed",
      "Lodestar spec v3.pdf",
      "EX-0001",
      "by hash",
      "10.0.4.17",
      "EX-0003, row 4",
    ]);
    expect(cells(all.at(-1)!)[5]).toBe("by its id or address");
    expect(cells(all[2]!)[5]).toBe("by name and size");
  });

  it("opens the exhibit an event is tied to, and its back link returns to the timeline as it was", async () => {
    install();
    const user = userEvent.setup();
    render(App);
    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("button", { name: "Timeline" }));
    await user.click(await screen.findByRole("button", { name: DAY_14 }));
    await screen.findByRole("heading", { level: 2, name: "14 May 2026, hour by hour" });
    await user.click(within(rows()[0]!).getByRole("button", { name: "EX-0001" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0001", from: "timeline" });
    // The rail shows where it was opened from.
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("button", { name: "Timeline" })).toHaveAttribute("aria-current", "page");

    await user.click(await screen.findByRole("button", { name: "← Timeline" }));
    expect(router.screen).toBe("timeline");
    await screen.findByRole("heading", { level: 2, name: "14 May 2026, hour by hour" });
    await waitFor(() => expect(within(rows()[0]!).getByRole("button", { name: "EX-0001" })).toHaveFocus());
  });

  it("opens the audit-log export a row was read from", async () => {
    install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    await user.click(within(rows()[1]!).getByRole("button", { name: "EX-0003, row 4" }));
    expect(router.params).toEqual({ id: "EX-0003", from: "timeline" });
  });

  it("lists the first 1,000 events and says how many more there are", async () => {
    const { mock, views } = install();
    views.mockImplementation(async (query, unit, limit) => {
      const view = await createMockBackend({ open: vault(), timeline: events() }).timelineView(query, unit, limit);
      return { ...view, total: 5432, events: view.events.slice(0, 3) };
    });
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    expect(count()).toBe("Showing the first 3 of 5,432 events; 5,429 more — narrow the range to see them.");
    expect(rows()).toHaveLength(3);
    expect(mock.state.calls).not.toContain("timeline");
  });

  it("drops an answer overtaken by a newer one", async () => {
    const { views } = install();
    const user = userEvent.setup();
    render(Timeline);
    await screen.findByRole("button", { name: DAY_14 });
    const slow = deferred<Awaited<ReturnType<typeof views>>>();
    views.mockImplementationOnce(() => slow.promise);
    await user.selectOptions(screen.getByRole("combobox", { name: "Actor" }), MALLORY);
    await user.selectOptions(screen.getByRole("combobox", { name: "Actor" }), ANNA);
    await waitFor(() => expect(count()).toBe("3 events, oldest first."));
    slow.resolve({ total: 1, buckets: [{ at: "2020-01-01", events: 1, downloads: 0, bursts: 0 }], events: [], actors: [], actions: [] });
    await new Promise((r) => setTimeout(r, 20));
    expect(count()).toBe("3 events, oldest first.");
    expect(barNames()).toEqual([DAY_14.replace(/: .*/, ": 2 events, 1 download"), "16 May 2026: 1 event"]);
  });
});

describe("Timeline: saving it", () => {
  it("saves every event shown, the filters and the day or hour chosen, as CSV or as a PDF exhibit, and says where", async () => {
    const { mock } = install();
    const saves = vi.spyOn(mock, "saveTimeline");
    const user = userEvent.setup();
    render(Timeline);
    await waitFor(() => expect(count()).toBe("59 events, oldest first."));
    expect(screen.getByRole("group", { name: "Save the events shown" })).toHaveAccessibleDescription(
      "Saves every event shown with the filters chosen, not only the first listed, each with the export and row it was read from.",
    );

    await user.selectOptions(screen.getByRole("combobox", { name: "Actor" }), ANNA);
    await waitFor(() => expect(count()).toBe("3 events, oldest first."));
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(saves).toHaveBeenCalledTimes(1));
    expect(saves).toHaveBeenLastCalledWith({ ...ALL, actor: ANNA }, "csv");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Timeline saved to /home/dana/timeline.csv (3 events)."));

    // Zoomed into a day, then an hour: what is shown is what is saved.
    await user.selectOptions(screen.getByRole("combobox", { name: "Actor" }), "");
    await user.click(await screen.findByRole("button", { name: DAY_14 }));
    await waitFor(() => expect(count()).toBe("57 events on 14 May 2026, oldest first."));
    await user.click(screen.getByRole("button", { name: "Save as PDF exhibit…" }));
    await waitFor(() => expect(saves).toHaveBeenCalledTimes(2));
    expect(saves).toHaveBeenLastCalledWith({ ...ALL, from: "2026-05-14", to: "2026-05-14" }, "pdf");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Timeline saved to /home/dana/timeline.pdf (57 events)."));
    await user.click(bar(/21:00–22:00/));
    await waitFor(() => expect(count()).toBe("55 events on 14 May 2026, 21:00–22:00 UTC, oldest first."));
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(saves).toHaveBeenCalledTimes(3));
    expect(saves).toHaveBeenLastCalledWith({ ...ALL, from: "2026-05-14T21", to: "2026-05-14T21" }, "csv");

    // Cancelled: nothing said. Refused: the reason, in a callout.
    clearNotices();
    mock.saveTimeline = async () => null;
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Save as CSV…" })).toBeEnabled());
    expect(notices.items).toHaveLength(0);
    mock.saveTimeline = async () => {
      throw new BackendError("io", "cannot write /home/dana/timeline.pdf: disk full");
    };
    await user.click(screen.getByRole("button", { name: "Save as PDF exhibit…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The PDF was not saved: Cannot write /home/dana/timeline.pdf: disk full.");
  });
});

describe("Timeline: reaching it", () => {
  it("says what appears here when the vault has no events yet", async () => {
    install({ timeline: [] });
    const user = userEvent.setup();
    render(Timeline);
    const empty = await screen.findByTestId("timeline-empty");
    expect(empty).toHaveTextContent("No events yet");
    expect(empty).toHaveTextContent("Audit-log exports from Microsoft 365, Google Drive or Box appear here once they are taken in and processed");
    expect(empty).toHaveTextContent("e-mails sent and received, documents created and modified, photographs taken");
    expect(screen.getByTestId("timeline-empty-mapping")).toHaveTextContent(
      "A CSV export in another format (a document system's log, a USB device history) can be read as an audit log through a column mapping: open its exhibit and choose “Read as an audit log…”.",
    );
    expect(screen.queryByRole("button", { name: "Save as CSV…" })).toBeNull();
    expect(screen.queryByTestId("timeline-histogram")).toBeNull();
    await user.click(screen.getByRole("checkbox", { name: "Show the exhibits' own dates" }));
    await waitFor(() => expect(screen.getByTestId("timeline-empty")).toHaveTextContent("Turn on “Show the exhibits' own dates”"));
  });

  it("is on the rail next to Search", async () => {
    install();
    const user = userEvent.setup();
    reset("dashboard");
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    const labels = within(nav).getAllByRole("button").map((b) => b.textContent?.trim());
    expect(labels.slice(labels.indexOf("Search"), labels.indexOf("Search") + 2)).toEqual(["Search", "Timeline"]);
    await user.click(within(nav).getByRole("button", { name: "Timeline" }));
    expect(router.screen).toBe("timeline");
    expect(await screen.findByRole("heading", { level: 1, name: "Timeline" })).toBeInTheDocument();
    expect(within(nav).getByRole("button", { name: "Timeline" })).toHaveAttribute("aria-current", "page");
  });

  it("opens on one exhibit's or one actor's events when asked", async () => {
    const { views } = install();
    const { rerender } = render(Timeline, { exhibit: "EX-0001" });
    await waitFor(() => expect(lastCall(views)).toEqual([{ ...ALL, exhibit: "EX-0001" }, "day", TIMELINE_LIMIT]));
    expect(screen.getByRole("searchbox", { name: "Exhibit" })).toHaveValue("EX-0001");
    await waitFor(() => expect(count()).toBe("4 events, oldest first."));

    await rerender({ exhibit: undefined, actor: MALLORY });
    await waitFor(() => expect(lastCall(views)).toEqual([{ ...ALL, actor: MALLORY }, "day", TIMELINE_LIMIT]));
    expect(screen.getByRole("searchbox", { name: "Exhibit" })).toHaveValue("");
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Actor" })).toHaveValue(MALLORY));
  });
});
