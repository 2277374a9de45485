import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import type { TimelineQuery } from "./bindings";
import { createMockBackend, MOCK_MATTER, mockDateEvent, mockExhibit, mockProcessing, mockTimelineEvent, type MockProcessed } from "./mock-backend";

const open = { matter: MOCK_MATTER, path: "/v", demo: false, examiner: "Dana Whitfield" };

function mock() {
  const text = (t: string): MockProcessed => ({ processing: mockProcessing({ status: "done", kind: "text" }), metadata: [], derivations: [], text: t });
  return createMockBackend({
    open,
    exhibits: [
      mockExhibit(1, { name: "Falcon price list.pdf", mime: "application/pdf", tags: ["hot"] }),
      mockExhibit(2, { name: "notes.txt", custodian: "Zoë Évrard" }),
      mockExhibit(3, { name: "minutes.txt", custodian: "IT Department", tags: ["privileged"] }),
    ],
    processed: new Map([
      ["EX-0002", text("The FALCON délivery was late; see the price list.")],
      ["EX-0003", text("Board minutes: nothing about birds.")],
    ]),
  });
}

const ids = async (q: string) => (await mock().searchExhibits(q, 100)).map((h) => h.id);

describe("the mock's search", () => {
  it("finds words regardless of case and accents, phrases, prefixes, AND/OR/NOT and fields", async () => {
    expect(await ids("falcon")).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("delivery")).toEqual(["EX-0002"]);
    expect(await ids('"price list"')).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("min*")).toEqual(["EX-0003"]);
    expect(await ids("falcon NOT tag:hot")).toEqual(["EX-0002"]);
    expect(await ids("birds OR tag:hot")).toEqual(["EX-0001", "EX-0003"]);
    expect(await ids('custodian:"zoe evrard"')).toEqual(["EX-0002"]);
    expect(await ids("type:pdf")).toEqual(["EX-0001"]);
    expect(await ids("collected:2026-06-03..2026-06-04")).toEqual(["EX-0002", "EX-0003"]);
  });

  it("marks the words found in the snippet", async () => {
    const [hit] = await mock().searchExhibits("delivery", 10);
    expect(hit?.snippet).toBe("The FALCON «délivery» was late; see the price list.");
  });

  it("refuses what the vault refuses, with its message", async () => {
    const refusal = (q: string) => mock().searchExhibits(q, 10).then(() => null, (e: BackendError) => [e.code, e.message]);
    expect(await refusal("*cret")).toEqual([
      "invalid_input",
      "the query cannot be searched exactly: *cret: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly",
    ]);
    expect(await refusal('ab"c')).toEqual(["invalid_input", 'the query cannot be searched exactly: the quote at character 3 is never closed; add the closing "']);
    expect((await refusal("colour:red"))?.[1]).toMatch(/^the query cannot be searched exactly: colour: is not a field \(the fields are from, to, /);
  });
});

describe("the mock's search-term report", () => {
  const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

  it("counts each term's documents, with their families and unique to it, the total, and hashes the list and the set", async () => {
    const b = mock();
    // EX-0004 is found inside EX-0001: one family.
    b.state.exhibits.push(mockExhibit(4, { name: "birdsong.txt", parent: "EX-0001", family: "EX-0001" }));
    const list = "falcon\n\n  delivery \nbirdsong\nzebra\n";
    const r = await b.searchReport(list);
    expect(r.terms).toEqual([
      { term: "falcon", documents: 2, with_families: 3, unique: 1 },
      { term: "delivery", documents: 1, with_families: 1, unique: 0 },
      { term: "birdsong", documents: 1, with_families: 2, unique: 1 },
      { term: "zebra", documents: 0, with_families: 0, unique: 0 },
    ]);
    expect(r.total).toEqual({ term: "(any term)", documents: 3, with_families: 3, unique: 2 });
    expect(r.searched).toBe(4);
    expect(r.terms_sha256).toBe(sha256(list));
    const hashes = b.state.exhibits.map((e) => e.sha256).sort();
    expect(r.searched_sha256).toBe(sha256(hashes.map((h) => `${h}\n`).join("")));
  });

  it("refuses a list with a term it cannot search, naming the line, and a list without terms", async () => {
    const refusal = (list: string) => mock().searchReport(list).then(() => null, (e: BackendError) => [e.code, e.message]);
    expect(await refusal("falcon\n*cret\n")).toEqual([
      "invalid_input",
      "the query cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly",
    ]);
    expect(await refusal(" \n\n")).toEqual(["invalid_input", "the term list has no terms (one query per line)"]);
  });
});

describe("the mock's timeline view", () => {
  const all: TimelineQuery = { exhibit: null, actor: null, action: null, from: null, to: null, dates: true };
  const timeline = () =>
    createMockBackend({
      open,
      timeline: [
        mockTimelineEvent(2, { time: "2026-05-14T10:00:00Z", action: "FileDownloaded", actor: "Erik" }),
        mockTimelineEvent(1, { time: "2026-05-14T09:01:00Z", action: "FileDownloaded", burst: true, actor: "erik" }),
        mockTimelineEvent(3, { time: "2026-05-14T09:59:00Z", action: "FileAccessed", actor: "anna" }),
        mockTimelineEvent(4, { time: "2026-05-16T00:00:00Z", action: "FileSyncDownloadedFull", exhibit: null, actor: "anna" }),
        mockDateEvent({ time: "2026-03-02T09:15:00Z", actor: "" }),
      ],
    });

  it("counts per day or hour and lists the first events, in time order, with the actors and actions among them", async () => {
    const days = await timeline().timelineView(all, "day", 2);
    expect(days.total).toBe(5);
    expect(days.buckets).toEqual([
      { at: "2026-03-02", events: 1, downloads: 0, bursts: 0 },
      { at: "2026-05-14", events: 3, downloads: 2, bursts: 1 },
      { at: "2026-05-16", events: 1, downloads: 1, bursts: 0 },
    ]);
    expect(days.events.map((e) => e.time)).toEqual(["2026-03-02T09:15:00Z", "2026-05-14T09:01:00Z"]);
    expect(days.actors).toEqual(["anna", "erik"]);
    expect(days.actions).toEqual(["FileAccessed", "FileDownloaded", "FileSyncDownloadedFull", "document created"]);
    const hours = await timeline().timelineView({ ...all, from: "2026-05-14", to: "2026-05-14" }, "hour", 10);
    expect(hours.buckets.map((b) => [b.at, b.events])).toEqual([
      ["2026-05-14T09", 2],
      ["2026-05-14T10", 1],
    ]);
  });

  it("filters by exhibit, actor and action (any case), a day, hour or time range, and leaves the exhibits' own dates out unless asked", async () => {
    const view = (q: Partial<TimelineQuery>) => timeline().timelineView({ ...all, ...q }, "day", 100).then((v) => v.events.map((e) => e.row));
    expect(await view({ dates: false })).toEqual([1, 3, 2, 4]);
    expect(await view({ exhibit: "EX-0001", dates: false })).toEqual([1, 3, 2]);
    expect(await view({ actor: "ERIK" })).toEqual([1, 2]);
    expect(await view({ action: "fileaccessed" })).toEqual([3]);
    expect(await view({ from: "2026-05-14T09", to: "2026-05-14T09" })).toEqual([1, 3]);
    expect(await view({ from: "2026-05-14T10:00:00Z", to: "2026-05-16" })).toEqual([2, 4]);
    expect(await view({ to: "2026-05-13" })).toEqual([0]);
  });

  it("refuses a bound that is no day, hour or time, and more events than the vault lists", async () => {
    for (const bad of ["14 May", "2026-05-14T9", "2026-13-01", "2026-02-30"]) {
      await expect(timeline().timelineView({ ...all, from: bad }, "day", 10)).rejects.toMatchObject({ code: "invalid_input", message: expect.stringContaining(bad) });
    }
    await expect(timeline().timeline({ ...all, to: "yesterday" })).rejects.toBeInstanceOf(BackendError);
    await expect(timeline().timelineView(all, "day", 5001)).rejects.toMatchObject({ code: "invalid_input" });
  });
});
