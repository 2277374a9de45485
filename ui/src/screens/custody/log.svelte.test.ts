import { afterEach, describe, expect, it, vi } from "vitest";
import { setBackend } from "../../lib/backend";
import { MOCK_MATTER, createMockBackend, mockEvent } from "../../lib/mock-backend";
import { readCsv } from "./csv";
import { CustodyLog, NO_FILTER, exhibitId } from "./log.svelte";

function install(events: number) {
  const log = Array.from({ length: events }, (_, i) => mockEvent(i + 1, { action: i % 2 === 0 ? "viewed" : "collected" }));
  const mock = createMockBackend({ open: { matter: MOCK_MATTER, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null }, log });
  const windows = vi.spyOn(mock, "custodyWindow");
  setBackend(mock);
  return windows;
}

/** A log whose first window has come. */
async function loaded(log: CustodyLog) {
  log.reload();
  await vi.waitFor(() => expect(log.matching).not.toBeNull());
}

afterEach(() => setBackend(null));

describe("exhibitId", () => {
  it("asks for the whole id in the vault's spelling", () => {
    expect(exhibitId(" ex-0007 ", "EX-")).toBe("EX-0007");
    expect(exhibitId("EX-0007", "EX-")).toBe("EX-0007");
    expect(exhibitId("PX-0007", "EX-")).toBe("PX-0007");
    expect(exhibitId("ex-0007", "")).toBe("ex-0007");
    expect(exhibitId("  ", "EX-")).toBeNull();
  });
});

describe("CustodyLog", () => {
  it("numbers the rows of the whole log without asking the vault", async () => {
    const windows = install(5000);
    const log = new CustodyLog("EX-");
    await loaded(log);
    windows.mockClear();
    expect(await log.keys(0, 2)).toEqual(["5000", "4999", "4998"]);
    expect(await log.keys(4998, 9999)).toEqual(["2", "1"]);
    log.sortDirection = "ascending";
    expect(await log.keys(0, 2)).toEqual(["1", "2", "3"]);
    expect(windows).not.toHaveBeenCalled();
  });

  it("asks the vault which events filtered rows are, a window at a time", async () => {
    const windows = install(5000);
    const log = new CustodyLog("EX-");
    log.action = "collected";
    await loaded(log);
    expect(log.matching).toBe(2500);
    windows.mockClear();
    const keys = await log.keys(0, 2499);
    expect(keys).toHaveLength(2500);
    expect(keys.slice(0, 2)).toEqual(["5000", "4998"]);
    expect(windows.mock.calls.map(([q]) => [q.action, q.offset, q.limit])).toEqual([
      ["collected", 0, 2000],
      ["collected", 2000, 500],
    ]);
  });

  it("counts the whole log beside the events a filter keeps", async () => {
    install(10);
    const log = new CustodyLog("EX-");
    log.action = "viewed";
    await loaded(log);
    expect(log.matching).toBe(5);
    await vi.waitFor(() => expect(log.logTotal).toBe(10));
  });

  it("clears the selection for a new filter, not for a new order", async () => {
    install(10);
    const log = new CustodyLog("EX-");
    await loaded(log);
    log.selected = new Set(["3", "4"]);
    log.sortDirection = "ascending";
    log.reload({ keepSelection: true });
    expect(log.selected).toEqual(new Set(["3", "4"]));
    log.action = "viewed";
    log.reload();
    expect(log.selected.size).toBe(0);
  });
});

describe("readCsv", () => {
  it("reads only as far as the last event selected", async () => {
    const windows = install(5000);
    const progress: [number, number][] = [];
    const read = await readCsv(NO_FILTER, { only: new Set(["3", "1999"]), onProgress: (n, of) => progress.push([n, of]) });
    expect(read!.events).toBe(2);
    expect(read!.csv.split("\r\n").map((l) => l.split(",")[0])).toEqual(["seq", "3", "1999", ""]);
    expect(windows).toHaveBeenCalledTimes(1);
    expect(progress).toEqual([[2000, 5000]]);
  });

  it("gives nothing once stopped", async () => {
    const windows = install(10);
    const stop = new AbortController();
    stop.abort();
    expect(await readCsv(NO_FILTER, { signal: stop.signal })).toBeNull();
    expect(windows).not.toHaveBeenCalled();
  });
});
