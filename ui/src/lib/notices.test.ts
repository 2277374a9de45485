import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearNotices, dismiss, notices, notify } from "./notices.svelte";

describe("notices", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    clearNotices();
    vi.useRealTimers();
  });

  it("adds notices in order with distinct ids", () => {
    const a = notify("info", "Imported 3 files");
    const b = notify("error", "Disk full");
    expect(a).not.toBe(b);
    expect(notices.items.map((n) => [n.kind, n.message])).toEqual([
      ["info", "Imported 3 files"],
      ["error", "Disk full"],
    ]);
  });

  it("lets info fade but keeps errors until dismissed", () => {
    notify("info", "Saved");
    const err = notify("error", "Hash mismatch");
    vi.advanceTimersByTime(60_000);
    expect(notices.items.map((n) => n.message)).toEqual(["Hash mismatch"]);
    dismiss(err);
    expect(notices.items).toHaveLength(0);
  });

  it("honours an explicit timeout", () => {
    notify("error", "Temporary", 1000);
    vi.advanceTimersByTime(999);
    expect(notices.items).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(notices.items).toHaveLength(0);
  });

  it("keeps only the five newest", () => {
    for (let i = 1; i <= 7; i++) notify("error", `E${i}`);
    expect(notices.items.map((n) => n.message)).toEqual(["E3", "E4", "E5", "E6", "E7"]);
  });
});
