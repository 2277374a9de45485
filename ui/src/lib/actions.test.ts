import { describe, expect, it } from "vitest";
import { CUSTODY_CSV_HEADER, actionLabel, custodyCsv, detailsText, guardCell, utcDate, utcTime } from "./actions";
import type { Action } from "./bindings";
import { mockEvent } from "./mock-backend";

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

describe("custody log CSV", () => {
  it("guards cells a spreadsheet would run as formulas", () => {
    for (const bad of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(guardCell(bad)).toBe(`'${bad}`);
    for (const fine of ["EX-0001", "Dana Whitfield", "", "a=b", "'quoted", " =x"]) expect(guardCell(fine)).toBe(fine);
  });

  it("writes a header and one row per event, quoted and guarded", () => {
    const csv = custodyCsv([
      mockEvent(1, { action: "vault_created", details: {} }),
      mockEvent(2, {
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
    ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(CUSTODY_CSV_HEADER.join(","));
    expect(lines[0]).toBe(
      "seq,time,action,exhibit,actor,released_by,received_by,purpose,method,tool,hash_algorithm,hash_before,hash_after,hashes_match,location,details",
    );
    expect(lines[1]).toBe("1,2026-06-01T10:01:00.000000Z,vault_created,,Dana Whitfield,,,,,Custos 0.1.0,,,,,ws-paralegal-2,{}");
    expect(lines[2]).toBe(
      '2,2026-06-01T10:02:00.000000Z,collected,EX-0001,"\'=HYPERLINK(""http://evil.example"",""x"")",,,"Hold, per counsel",,Custos 0.1.0,SHA-256,ab,ab,true,ws-paralegal-2,"{""name"":""say \\""hi\\""""}"',
    );
    expect(lines[3]).toBe("");
    expect(lines).toHaveLength(4);
  });
});
