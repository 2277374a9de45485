import { describe, expect, it } from "vitest";
import { mockDateEvent, mockTimelineEvent } from "../../lib/mock-backend";
import { bucketLabel, countsText, dayHours, dayLabel, daySlots, eventKey, hourLabel, hourSpan, joinLabel, monthLabel, monthShort, rowSource } from "./labels";

const bucket = (at: string, events: number, downloads = 0, bursts = 0) => ({ at, events, downloads, bursts });

describe("timeline words", () => {
  it("writes days and hours as people read them", () => {
    expect(dayLabel("2026-05-14")).toBe("14 May 2026");
    expect(dayLabel("2026-01-01T09")).toBe("1 January 2026");
    expect(dayLabel("not a day")).toBe("not a day");
    expect(monthLabel("2026-12-31")).toBe("Dec 2026");
    expect(monthShort("2026-03-02")).toBe("Mar");
    expect(hourSpan("2026-05-14T09")).toBe("09:00–10:00");
    expect(hourSpan("2026-05-14T23")).toBe("23:00–24:00");
    expect(hourLabel("2026-05-14T09")).toBe("14 May 2026, 09:00–10:00 UTC");
  });

  it("says a bar's counts, mass downloads apart", () => {
    expect(countsText(bucket("2026-05-14", 1))).toBe("1 event");
    expect(countsText(bucket("2026-05-14", 3, 1))).toBe("3 events, 1 download");
    expect(countsText(bucket("2026-05-14", 57, 55, 55))).toBe("57 events, 55 downloads in a mass download");
    expect(countsText(bucket("2026-05-14", 1200, 1100, 60))).toBe("1,200 events, 1,100 downloads, 60 in a mass download");
    expect(bucketLabel(bucket("2026-05-14", 57, 55, 55))).toBe("14 May 2026: 57 events, 55 downloads in a mass download");
    expect(bucketLabel(bucket("2026-05-14T21", 2, 2))).toBe("14 May 2026, 21:00–22:00 UTC: 2 events, 2 downloads");
  });

  it("marks the runs of days without events between days with events", () => {
    const slots = daySlots([bucket("2026-02-27", 1), bucket("2026-02-28", 1), bucket("2026-03-02", 2), bucket("2027-03-02", 1)]);
    expect(slots.map((s) => (s.kind === "day" ? s.bucket.at : `gap ${s.days}`))).toEqual([
      "2026-02-27",
      "2026-02-28",
      "gap 1",
      "2026-03-02",
      "gap 364",
      "2027-03-02",
    ]);
    expect(daySlots([])).toEqual([]);
  });

  it("gives a day its 24 hours, each with its bucket when it has events", () => {
    const hours = dayHours("2026-05-14", [bucket("2026-05-14T00", 1), bucket("2026-05-14T21", 4)]);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ at: "2026-05-14T00", bucket: bucket("2026-05-14T00", 1) });
    expect(hours[9]).toEqual({ at: "2026-05-14T09", bucket: null });
    expect(hours[21]!.bucket?.events).toBe(4);
    expect(hours[23]!.at).toBe("2026-05-14T23");
  });

  it("says how an event was tied and where it was read from, and keys each event apart", () => {
    expect(["hash", "object_id", "name_size", "name", null, "other"].map(joinLabel)).toEqual([
      "by hash",
      "by its id or address",
      "by name and size",
      "by name only",
      "—",
      "other",
    ]);
    expect(rowSource(mockTimelineEvent(1234))).toBe("EX-0003, row 1,234");
    // Dates of one exhibit have no rows: their action and time keep them apart.
    const created = mockDateEvent({ action: "document created" });
    const modified = mockDateEvent({ action: "document modified" });
    expect(eventKey(created)).not.toBe(eventKey(modified));
    expect(eventKey(mockTimelineEvent(4))).not.toBe(eventKey(mockTimelineEvent(5)));
  });
});
