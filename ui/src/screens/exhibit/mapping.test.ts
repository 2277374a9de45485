import { describe, expect, it } from "vitest";
import type { MappingSaved } from "../../lib/bindings";
import { emptyDraft, mappingColumnsText, mappingProblems, readLines, suggestedColumns, toMapping, validOffset, type MappingDraft } from "./mapping";

const draft = (over: Partial<MappingDraft["columns"]> = {}, rest: Partial<Omit<MappingDraft, "columns">> = {}): MappingDraft => ({
  ...emptyDraft(),
  name: "Docsys",
  columns: { ...emptyDraft().columns, time: "When", actor: "User", action: "What", object: "Document", ...over },
  ...rest,
});

describe("a column mapping, checked before it is sent", () => {
  it("wants a name and the four columns every event needs", () => {
    expect(mappingProblems(draft())).toEqual([]);
    expect(mappingProblems(emptyDraft()).map((p) => p.message)).toEqual([
      "Give the mapping a name.",
      "Choose the time column.",
      "Choose the actor column.",
      "Choose the action column.",
      "Choose the object column.",
    ]);
    expect(mappingProblems(draft({}, { name: "x".repeat(101) }))[0]).toEqual({ message: "A mapping's name is at most 100 characters.", fields: ["name"] });
  });

  it("refuses a column chosen twice, as the vault compares names (case, spaces and underscores aside)", () => {
    expect(mappingProblems(draft({ file_name: "user" }))).toEqual([
      { message: "The column “User” is chosen for both actor and file name: a column holds one thing.", fields: ["actor", "file_name"] },
    ]);
    expect(mappingProblems(draft({ action: "When", hash: "W_hen" }))).toEqual([
      { message: "The column “When” is chosen for time, action and content hash: a column holds one thing.", fields: ["time", "action", "hash"] },
    ]);
  });

  it("wants an offset as ±HH:MM of at most 14 hours, or none", () => {
    expect(["-05:00", "+01:00", "+14:00", "-00:30"].map(validOffset)).toEqual([true, true, true, true]);
    expect(["5", "-5:00", "05:00", "+15:00", "+01:60", "-05:00:00", "UTC-5"].map(validOffset)).toEqual(Array(7).fill(false));
    expect(mappingProblems(draft({}, { offset: "  " }))).toEqual([]);
    expect(mappingProblems(draft({}, { offset: "EST" }))).toEqual([{ message: "Write the UTC offset as ±HH:MM, e.g. -05:00 or +01:00.", fields: ["offset"] }]);
  });

  it("sends the names trimmed and an optional column not chosen as none", () => {
    expect(toMapping(draft({ device: " Workstation " }, { name: " Docsys ", offset: " -05:00 " }))).toEqual({
      name: "Docsys",
      time: "When",
      actor: "User",
      action: "What",
      object: "Document",
      ip: null,
      device: "Workstation",
      file_name: null,
      size: null,
      hash: null,
      utc_offset: "-05:00",
    });
  });
});

describe("a mapping in words", () => {
  it("guesses the columns from usual header names, each column once", () => {
    expect(suggestedColumns(["Event Time", "User_Name", "Operation", "File Path", "Client IP", "Name", "SHA256", "Notes"])).toEqual({
      time: "Event Time",
      actor: "User_Name",
      action: "Operation",
      object: "File Path",
      ip: "Client IP",
      device: "",
      file_name: "Name",
      size: "",
      hash: "SHA256",
    });
    expect(suggestedColumns([])).toEqual(emptyDraft().columns);
  });

  it("says how many events were read from each export", () => {
    const saved = { read: [{ exhibit: "EX-0003", events: 1, problems: 0 }, { exhibit: "EX-0007", events: 1204, problems: 2 }] } as MappingSaved;
    expect(readLines(saved)).toEqual(["1 event read from EX-0003", "1,204 events read from EX-0007 (2 rows could not be read)"]);
  });

  it("names the columns of a saved mapping", () => {
    expect(mappingColumnsText(toMapping(draft({ hash: "Checksum" })))).toBe("time: When, actor: User, action: What, object: Document, content hash: Checksum");
    expect(mappingColumnsText(toMapping(draft({}, { offset: "+01:00" })))).toBe(
      "time: When, actor: User, action: What, object: Document, times without a zone at UTC+01:00",
    );
  });
});
