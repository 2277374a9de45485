import { describe, expect, it } from "vitest";
import { ACTIONS, CUSTODY_CSV_HEADER, actionLabel, custodyCsvHeader, custodyCsvRows, guardCell, utcTime } from "./actions";
import type { Action } from "./bindings";
import { mockEvent, mockWords } from "./mock-backend";

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
      partial_output_removed: "Partial output removed",
      passphrase_changed: "Passphrase changed",
      exported: "Exported",
      received: "Received",
      setting_changed: "Setting changed",
      producer_key_pinned: "Producer key pinned",
      producer_key_accepted: "Producer key accepted",
      timestamped: "Timestamped by an outside authority",
      derived: "Derived by processing",
    };
    for (const [action, label] of Object.entries(expected)) expect(actionLabel(action)).toBe(label);
    // The filter offers exactly these, each once.
    expect([...ACTIONS].sort()).toEqual(Object.keys(expected).sort());
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
  it("shows UTC, microseconds included", () => {
    expect(utcTime("2026-06-01T23:59:30.123456Z")).toBe("2026-06-01 23:59:30 UTC");
    expect(utcTime("2026-06-01T23:30:00-02:00")).toBe("2026-06-02 01:30:00 UTC");
  });

  it("returns a time that does not parse unchanged", () => {
    expect(utcTime("yesterday")).toBe("yesterday");
  });
});

describe("custody log CSV", () => {
  it("guards cells a spreadsheet would run as formulas", () => {
    for (const bad of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(guardCell(bad)).toBe(`'${bad}`);
    for (const fine of ["EX-0001", "Dana Whitfield", "", "a=b", "'quoted", " =x"]) expect(guardCell(fine)).toBe(fine);
  });

  it("writes a header and one row per event, quoted and guarded, the words last", () => {
    const csv =
      custodyCsvHeader() +
      custodyCsvRows([
        { ...mockEvent(1, { action: "vault_created", details: {} }), words: "Vault created for “Halvorsen”" },
        {
          ...mockEvent(2, {
            action: "collected",
            exhibit: "EX-0001",
            actor: '=HYPERLINK("http://evil.example","x")',
            purpose: "Hold, per counsel",
            hash_algorithm: "SHA-256",
            hash_before: "ab",
            hash_after: "ab",
            hashes_match: true,
            details: { name: 'say "hi"' },
          }),
          words: '=Collected "say hi", 7 bytes',
        },
      ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(CUSTODY_CSV_HEADER.join(","));
    expect(lines[0]).toBe(
      "seq,time,action,exhibit,actor,released_by,received_by,purpose,method,tool,hash_algorithm,hash_before,hash_after,hashes_match,location,details,words",
    );
    expect(lines[1]).toBe("1,2026-06-01T10:01:00.000000Z,vault_created,,Dana Whitfield,,,,,Custos 0.1.0,,,,,ws-paralegal-2,{},Vault created for “Halvorsen”");
    expect(lines[2]).toBe(
      '2,2026-06-01T10:02:00.000000Z,collected,EX-0001,"\'=HYPERLINK(""http://evil.example"",""x"")",,,"Hold, per counsel",,Custos 0.1.0,SHA-256,ab,ab,true,ws-paralegal-2,"{""name"":""say \\""hi\\""""}","\'=Collected ""say hi"", 7 bytes"',
    );
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });

  it("writes windows one after another into one CSV", () => {
    const events = [mockEvent(1), mockEvent(2), mockEvent(3)].map(mockWords);
    expect(custodyCsvHeader() + custodyCsvRows(events.slice(0, 2)) + custodyCsvRows(events.slice(2))).toBe(custodyCsvHeader() + custodyCsvRows(events));
    expect(custodyCsvRows([])).toBe("");
  });
});
