import { describe, expect, it } from "vitest";
import type { ProcessOutcome } from "./bindings";
import { derivationLabel, fieldLabel, kindLabel, processProgress, processSummary, processTotals } from "./processing";

const outcome = (exhibit: string, over: Partial<ProcessOutcome> = {}): ProcessOutcome => ({
  exhibit,
  kind: "pdf",
  status: "done",
  reason: null,
  new_items: 0,
  duplicate_items: 0,
  fields: 0,
  text_chars: 0,
  ocr_pages: 0,
  low_confidence_pages: [],
  problems: [],
  ...over,
});

describe("processing in words", () => {
  it("counts what a run did, leaving out exhibits it left alone", () => {
    const t = processTotals({
      exhibits: [
        outcome("EX-0001", { kind: "email", new_items: 2, duplicate_items: 1 }),
        outcome("EX-0002", { status: "skipped" }),
        outcome("EX-0003", { kind: "zip", status: "failed", reason: "damaged" }),
        outcome("EX-0004", { new_items: 1 }),
      ],
      cancelled: false,
    });
    expect(t.processed).toBe(3);
    expect(t.newItems).toBe(3);
    expect(t.duplicateItems).toBe(1);
    expect(t.skipped).toBe(1);
    expect(t.failed.map((o) => o.exhibit)).toEqual(["EX-0003"]);
    expect(processSummary(t)).toBe("Processed 3: 3 new exhibits found inside, 1 failed");
    expect(processSummary(processTotals({ exhibits: [outcome("EX-0001", { new_items: 1 })], cancelled: false }))).toBe(
      "Processed 1: 1 new exhibit found inside, 0 failed",
    );
  });

  it("says how far a run is, also past the exhibits named", () => {
    expect(processProgress(0, 0)).toBe("Preparing…");
    expect(processProgress(2, 12)).toBe("Processing 3 of 12…");
    expect(processProgress(12, 12)).toBe("Processing the items found inside… 12 exhibits done");
    expect(processProgress(1, 0)).toBe("Processing… 1 exhibit done");
  });

  it("names kinds, derivations and fields for people, keeping unknown words", () => {
    expect(kindLabel("email")).toBe("e-mail message");
    expect(kindLabel("pst")).toBe("Outlook data file (PST)");
    expect(kindLabel("cad")).toBe("cad");
    expect(derivationLabel("ocr")).toBe("Text by OCR");
    expect(derivationLabel("item")).toBe("Item found inside");
    expect(fieldLabel("date_sent")).toBe("Date sent");
    expect(fieldLabel("from")).toBe("From");
  });
});
