import { describe, expect, it } from "vitest";
import { actionLabel, detailsText, utcDate, utcTime } from "./actions";
import type { Action } from "./bindings";

describe("actionLabel", () => {
  it("names every action in words", () => {
    const expected: Record<Action, string> = {
      vault_created: "Vault created",
      vault_unlocked: "Vault unlocked",
      collected: "Collected",
      duplicate_source_recorded: "Duplicate source recorded",
      metadata_edited: "Metadata edited",
      viewed: "Viewed",
      extracted: "Extracted",
      verified: "Verified",
      stray_object_quarantined: "Stray object quarantined",
      passphrase_changed: "Passphrase changed",
      exported: "Exported",
      received: "Received",
      setting_changed: "Setting changed",
    };
    for (const [action, label] of Object.entries(expected)) expect(actionLabel(action)).toBe(label);
  });

  it("spells out an action it does not know instead of hiding it", () => {
    expect(actionLabel("key_rotated")).toBe("Key rotated");
    expect(actionLabel("sealed")).toBe("Sealed");
    expect(actionLabel("")).toBe("");
  });

  it("does not mistake inherited object properties for labels", () => {
    expect(actionLabel("constructor")).toBe("Constructor");
    expect(actionLabel("toString")).toBe("ToString");
  });
});

describe("event times", () => {
  it("shows UTC and the UTC date, microseconds included", () => {
    expect(utcTime("2026-06-01T23:59:30.123456Z")).toBe("2026-06-01 23:59:30 UTC");
    expect(utcDate("2026-06-01T23:59:30.123456Z")).toBe("2026-06-01");
    expect(utcDate("2026-06-01T23:30:00-02:00")).toBe("2026-06-02");
  });

  it("returns a time that does not parse unchanged", () => {
    expect(utcTime("yesterday")).toBe("yesterday");
    expect(utcDate("yesterday")).toBe("");
  });
});

describe("detailsText", () => {
  it("writes details on one line with strings quoted", () => {
    expect(detailsText({ field: "description", before: "", after: "Signed copy" })).toBe(
      'field: "description", before: "", after: "Signed copy"',
    );
    expect(detailsText({ mode: "full", ok: false, errors: 2 })).toBe('mode: "full", ok: false, errors: 2');
    expect(detailsText({ files: ["a.txt", "b.txt"], seal: { id: "x" } })).toBe(
      'files: ["a.txt","b.txt"], seal: {"id":"x"}',
    );
  });

  it("gives nothing for no details", () => {
    expect(detailsText({})).toBe("");
    expect(detailsText(null)).toBe("");
    expect(detailsText("note")).toBe('"note"');
  });
});
