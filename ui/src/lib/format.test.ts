import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileDay, fileSlug, formatBytes, formatDuration, formatTime, parseTime, plural, sentence, shortHash, toCsv } from "./format";

describe("formatBytes", () => {
  it("counts small sizes in bytes", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(999)).toBe("999 bytes");
  });

  it("uses decimal units with one decimal below 100", () => {
    expect(formatBytes(1000)).toBe("1.0 kB");
    expect(formatBytes(1536)).toBe("1.5 kB");
    expect(formatBytes(12_345_678)).toBe("12.3 MB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
    expect(formatBytes(140e9)).toBe("140 GB");
    expect(formatBytes(2.5e12)).toBe("2.5 TB");
  });

  it("rolls over to the next unit instead of showing 1000", () => {
    expect(formatBytes(999_960)).toBe("1.0 MB");
  });

  it("does not pretend to format nonsense", () => {
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("formatTime", () => {
  const savedTz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = "America/New_York";
  });
  afterAll(() => {
    process.env.TZ = savedTz;
  });

  it("shows UTC and local time", () => {
    expect(formatTime("2024-03-05T14:22:07Z")).toBe(
      "2024-03-05 14:22:07 UTC (local 2024-03-05 09:22:07 −05:00)",
    );
  });

  it("handles daylight saving and a date change", () => {
    expect(formatTime("2024-07-01T02:00:00Z")).toBe(
      "2024-07-01 02:00:00 UTC (local 2024-06-30 22:00:00 −04:00)",
    );
  });

  it("accepts microseconds and offsets", () => {
    expect(formatTime("2024-03-05T14:22:07.123456Z")).toBe(
      "2024-03-05 14:22:07 UTC (local 2024-03-05 09:22:07 −05:00)",
    );
    expect(formatTime("2024-03-05T15:22:07.5+01:00")).toBe(
      "2024-03-05 14:22:07 UTC (local 2024-03-05 09:22:07 −05:00)",
    );
    expect(parseTime("2024-03-05T14:22:07.999999Z")?.getUTCMilliseconds()).toBe(999);
  });

  it("returns text that is not a time unchanged", () => {
    expect(formatTime("not a time")).toBe("not a time");
    expect(parseTime("")).toBeNull();
  });
});

describe("shortHash", () => {
  it("cuts long digests to 12 characters and marks the cut", () => {
    const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    expect(shortHash(sha)).toBe("9f86d081884c…");
  });

  it("leaves short values alone", () => {
    expect(shortHash("abc")).toBe("abc");
    expect(shortHash("0123456789ab")).toBe("0123456789ab");
  });
});

describe("formatDuration", () => {
  it("names rough durations", () => {
    expect(formatDuration(0.0003)).toBe("less than a second");
    expect(formatDuration(1)).toBe("1 second");
    expect(formatDuration(59)).toBe("59 seconds");
    expect(formatDuration(60)).toBe("1 minute");
    expect(formatDuration(3 * 3600)).toBe("3 hours");
    expect(formatDuration(2 * 86400)).toBe("2 days");
    expect(formatDuration(70 * 86400)).toBe("2 months");
    expect(formatDuration(5 * 365.25 * 86400)).toBe("5 years");
    expect(formatDuration(1e16)).toBe("centuries");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("centuries");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("toCsv", () => {
  it("joins plain fields with commas and ends records with CRLF", () => {
    expect(toCsv([["a", "b"], ["1", "2"]])).toBe("a,b\r\n1,2\r\n");
  });

  it("quotes fields with commas, quotes and line breaks", () => {
    expect(toCsv([["Smith, J.", 'say "hi"', "line1\nline2", "cr\rhere", "plain"]])).toBe(
      '"Smith, J.","say ""hi""","line1\nline2","cr\rhere",plain\r\n',
    );
  });

  it("keeps empty fields and leading spaces as they are", () => {
    expect(toCsv([["", " x ", "=1+1"]])).toBe(", x ,=1+1\r\n");
    expect(toCsv([])).toBe("");
  });
});

describe("sentence", () => {
  it("capitalises and ends a backend message", () => {
    expect(sentence("the vault is locked")).toBe("The vault is locked.");
    expect(sentence("Done!")).toBe("Done!");
    expect(sentence("  ")).toBe("Something went wrong.");
  });
});

describe("plural", () => {
  it("chooses the form by count", () => {
    expect(plural(1, "file", "files")).toBe("1 file");
    expect(plural(0, "file", "files")).toBe("0 files");
    expect(plural(3, "file", "files")).toBe("3 files");
  });
});

describe("file names", () => {
  it("makes text fit for a file name", () => {
    expect(fileSlug("Halvorsen Dynamics v. Brandt")).toBe("halvorsen-dynamics-v-brandt");
    expect(fileSlug("  Zoë Évrard / 2026  ")).toBe("zoe-evrard-2026");
    expect(fileSlug("—")).toBe("");
    expect(fileSlug("a ".repeat(40))).toHaveLength(59);
  });

  it("writes the local day as YYYYMMDD", () => {
    expect(fileDay(new Date(2026, 0, 5, 23, 59))).toBe("20260105");
  });
});
