import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import type { TimelineQuery } from "./bindings";
import type { AuditMapping } from "./bindings";
import {
  MOCK_PAGE_PNG,
  createMockBackend,
  MOCK_FIRM,
  MOCK_FIRM_MATTERS,
  MOCK_MATTER,
  MOCK_PASSPHRASE,
  mockCsvColumns,
  mockCsvRecords,
  mockDateEvent,
  mockDocumentType,
  mockExhibit,
  mockFamily,
  mockProcessing,
  mockTimelineEvent,
  mockUtcAt,
  type MockProcessed,
} from "./mock-backend";

const open = { matter: MOCK_MATTER, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null };

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

  it("finds words near each other: w/N in either order, pre/N the left first, at most N words between, in one field", async () => {
    // EX-0002: "The FALCON délivery was late; see the price list."
    expect(await ids("falcon w/2 late")).toEqual(["EX-0002"]);
    expect(await ids("late w/2 falcon")).toEqual(["EX-0002"]);
    expect(await ids("falcon pre/2 late")).toEqual(["EX-0002"]);
    expect(await ids("late pre/2 falcon")).toEqual([]);
    expect(await ids("falcon pre/1 late")).toEqual([]);
    expect(await ids('falcon pre/5 "price list"')).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("fal* PRE/3 was")).toEqual(["EX-0002"]);
    // Not across fields: "falcon" in the name, "notes" nowhere near it.
    expect(await ids("price w/1 list")).toEqual(["EX-0001", "EX-0002"]);
    expect(await ids("falcon w/3 notes")).toEqual([]);
  });

  it("refuses a proximity joining anything but words, prefixes and phrases, and a distance out of range", async () => {
    const refusal = (q: string) => mock().searchExhibits(q, 10).then(() => null, (e: BackendError) => e.message);
    expect(await refusal("falcon pre/5 tag:hot")).toBe(
      "the query cannot be searched exactly: pre/5 joins words, prefixes and phrases, not groups, fields, dates or NOT",
    );
    expect(await refusal("a w/2 b w/2 c")).toBe("the query cannot be searched exactly: w/2 joins one w/N or pre/N at a time (group the rest with AND)");
    expect(await refusal("falcon pre/0 late")).toBe("the query cannot be searched exactly: pre/0: a proximity is pre/ and a number of words from 1 to 1000, e.g. pre/5");
    expect(await refusal("falcon pre/5")).toBe("the query cannot be searched exactly: pre/5 has nothing after it");
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

describe("the mock's saved searches", () => {
  it("saves a query under a name, the same again changing nothing, and refuses as the vault does", async () => {
    const b = mock();
    const saved = await b.saveSearch(" Falcon ", "falcon pre/2 late");
    expect(saved).toMatchObject({ name: "Falcon", query: "falcon pre/2 late", saved_by: "Dana Whitfield" });
    expect(await b.saveSearch("Falcon", "falcon pre/2 late")).toEqual(saved);
    await b.saveSearch("birds", "birds");
    expect((await b.savedSearches()).map((x) => x.name)).toEqual(["birds", "Falcon"]);
    await expect(b.saveSearch("Falcon", "osprey")).rejects.toMatchObject({
      message: "a search named Falcon is already saved (for falcon pre/2 late); delete it first or choose another name",
    });
    await expect(b.saveSearch("Secrets", "*cret")).rejects.toMatchObject({ message: expect.stringMatching(/^the query cannot be searched exactly: \*cret/) });
    await expect(b.saveSearch("  ", "falcon")).rejects.toMatchObject({ code: "invalid_input" });
    await b.deleteSavedSearch("birds");
    await expect(b.deleteSavedSearch("birds")).rejects.toMatchObject({ message: "no search is saved as birds" });
    expect((await b.savedSearches()).map((x) => x.name)).toEqual(["Falcon"]);
  });

  it("plans and writes an export chosen by a (saved) search, with its families, recorded with the production", async () => {
    const b = createMockBackend({ open, exhibits: [...mockFamily(1), mockExhibit(5, { name: "Lodestar notes.txt" })] });
    const options = {
      exhibits: [],
      tag: null,
      custodian: null,
      bates_prefix: "HAL",
      bates_start: null,
      bates_width: 6,
      recipients: [],
      passphrase: null,
      dat_encoding: "utf8" as const,
      organization: null,
      search: "name:bracket",
      search_name: null,
      search_terms: null,
      images: null,
      endorse: null,
      endorse_corner: "bottom-left" as const,
      bates_corner: "bottom-right" as const,
    };
    // An attachment found brings its whole family.
    expect((await b.planExport(options)).exhibits.map((e) => e.exhibit_id)).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004"]);
    await expect(b.planExport({ ...options, search: "osprey" })).rejects.toMatchObject({ message: "the selection is empty: the search osprey finds no exhibit" });
    await expect(b.planExport({ ...options, search: "name:bracket", exhibits: ["EX-0005"] })).rejects.toMatchObject({
      message: "the selection is empty: the search name:bracket finds no exhibit among those chosen",
    });
    await expect(b.planExport({ ...options, search: null, search_name: "Spec" })).rejects.toMatchObject({
      message: "a saved search's name was given without its query",
    });
    await expect(b.planExport({ ...options, search_name: "Spec" })).rejects.toMatchObject({
      message: "the saved search Spec is no longer the query name:bracket (changed or deleted since); choose it again",
    });
    await expect(b.planExport({ ...options, search_terms: "bracket\n*cret" })).rejects.toMatchObject({
      message: expect.stringMatching(/^the query cannot be searched exactly: line 2 \(\*cret\)/),
    });

    await b.saveSearch("Spec", "name:bracket");
    const plan = await b.planExport({ ...options, search_name: "Spec" });
    const [destination] = [(await b.pickDestination("x.zip"))!.token];
    const result = await b.exportBundle(
      {
        options: { ...options, search_name: "Spec", search_terms: "name:bracket\nname:notes" },
        destination,
        expect_first: plan.bates_first,
        expect_last: plan.bates_last,
        expect_selection: plan.selection_sha256,
      },
      () => {},
    );
    expect(result.search).toMatchObject({ name: "Spec", query: "name:bracket", hits: 1 });
    // The report counts over the documents produced only.
    expect(result.search_report?.searched).toBe(4);
    expect(result.search_report?.terms.map((t) => [t.term, t.documents, t.with_families])).toEqual([
      ["name:bracket", 1, 4],
      ["name:notes", 0, 0],
    ]);
    expect(b.state.log.filter((e) => e.action === "exported")[0]?.details).toMatchObject({ search: { name: "Spec", query: "name:bracket", hits: 1 } });
  });
});

describe("the mock's audit-log column mappings", () => {
  const EXPORT = 'When,User,What,Document,Bytes\r\n2026-05-14 21:02:11,erik,download,"/docs/Falcon price list.pdf",4096\r\n05/14/2026 09:15:00 PM,erik,"view, twice",/docs/x,\r\nsoon,erik,view,/docs/y,\r\n';
  const mapping = (over: Partial<AuditMapping> = {}): AuditMapping => ({
    name: "Docsys",
    time: "when",
    actor: "USER",
    action: "What",
    object: "Document",
    ip: null,
    device: null,
    file_name: "",
    size: "Bytes",
    hash: null,
    utc_offset: "-05:00",
    ...over,
  });
  const withExport = async () => {
    const b = createMockBackend({
      open,
      exhibits: [mockExhibit(1, { name: "Falcon price list.pdf", size: 4096 }), mockExhibit(2, { name: "docsys.csv", mime: "text/csv" })],
      timeline: [],
      contents: new Map([["EX-0002", EXPORT]]),
    });
    await b.processExhibits({ exhibits: [], ocr: false }, () => {});
    return b;
  };

  it("reads CSV records, quoted fields included, and the header's columns", () => {
    expect(mockCsvRecords('a,"b, c",d\r\n1,"x ""y""\nz",3\n\n').map((r) => r.fields)).toEqual([
      ["a", "b, c", "d"],
      ["1", 'x "y"\nz', "3"],
    ]);
    expect(mockCsvColumns("\uFEFF Time , ,User_Name\r\n")).toEqual(["Time", "User_Name"]);
  });

  it("reads times with a zone as they say, and times without one at the offset", () => {
    expect(mockUtcAt("2026-05-14T21:02:11+02:00", "-05:00")).toBe("2026-05-14T19:02:11Z");
    expect(mockUtcAt("2026-05-14 21:02:11", "-05:00")).toBe("2026-05-15T02:02:11Z");
    expect(mockUtcAt("2026-05-14 21:02:11", null)).toBe("2026-05-14T21:02:11Z");
    expect(mockUtcAt("5/14/2026 12:05:00 AM", "+01:00")).toBe("2026-05-13T23:05:00Z");
    expect(mockUtcAt("2026-02-30 10:00:00", null)).toBeNull();
    expect(mockUtcAt("yesterday", null)).toBeNull();
  });

  it("lists the columns of a processed CSV, and none of an exhibit without text", async () => {
    const b = await withExport();
    expect(await b.csvColumns("EX-0002")).toEqual(["When", "User", "What", "Document", "Bytes"]);
    b.state.exhibits.push(mockExhibit(3, { name: "scan.jpg", mime: "image/jpeg" }));
    await b.processExhibits({ exhibits: ["EX-0003"], ocr: false }, () => {});
    expect(await b.csvColumns("EX-0003")).toEqual([]);
    await expect(b.csvColumns("EX-0099")).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses a mapping as the vault does", async () => {
    const b = await withExport();
    const refusal = (m: AuditMapping) => b.saveAuditMapping(m).then(() => null, (e: BackendError) => e.message);
    expect(await refusal(mapping({ name: " " }))).toBe("a mapping's name is 1 to 100 characters, none of them control characters");
    expect(await refusal(mapping({ action: "  " }))).toBe("the action column is named by nothing");
    expect(await refusal(mapping({ hash: "w_hen" }))).toBe("the column w_hen is named for both time and hash");
    expect(await refusal(mapping({ utc_offset: "-5" }))).toBe("-5 is not an offset from UTC such as -05:00 or +01:00");
    expect(b.state.mappings).toHaveLength(0);
  });

  it("saves a mapping (logged, never changed) and reads every processed export it fits, then later ones when processed", async () => {
    const b = await withExport();
    const done = await b.saveAuditMapping(mapping());
    expect(done.saved.mapping).toEqual({ ...mapping(), time: "when", file_name: null });
    expect(done.saved.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(done.read).toEqual([{ exhibit: "EX-0002", events: 2, problems: 1 }]);
    expect(b.state.timeline.map((e) => [e.row, e.time, e.action, e.exhibit, e.join, e.weak])).toEqual([
      [1, "2026-05-15T02:02:11Z", "download", "EX-0001", "name_size", false],
      [2, "2026-05-15T02:15:00Z", "view, twice", null, null, false],
    ]);
    const detail = (await b.exhibitDetail("EX-0002")).detail;
    expect(detail.processing.kind).toBe("audit_log");
    expect(detail.processing.problems).toEqual([["row 3", "the time soon is in no known form"]]);
    expect(detail.derivations.at(-1)?.kind).toBe("events");
    expect(b.state.log.find((e) => e.action === "setting_changed")?.details).toMatchObject({ setting: "audit_mapping_saved", name: "Docsys", sha256: done.saved.sha256 });
    await expect(b.saveAuditMapping(mapping({ name: "DOCSYS" }))).rejects.toMatchObject({
      message: "a mapping named DOCSYS is already saved; a saved mapping never changes: choose another name",
    });
    expect(await b.auditMappings()).toEqual([done.saved]);

    // An export taken in later is read through it when processed.
    b.state.exhibits.push(mockExhibit(3, { name: "docsys-june.csv", mime: "text/csv" }));
    b.state.contents.set("EX-0003", EXPORT);
    const report = await b.processExhibits({ exhibits: ["EX-0003"], ocr: false }, () => {});
    expect(report.exhibits[0]).toMatchObject({ kind: "audit_log", status: "done" });
    expect(b.state.timeline.filter((e) => e.source_exhibit === "EX-0003")).toHaveLength(2);
  });
});

describe("the mock's designations for productions", () => {
  const withheld = { privilege: "work_product" as const, withheld: true, log_description: "Pricing analysis prepared for counsel", confidentiality: "CONFIDENTIAL" };

  it("starts with none, logs each change in the vault's words, and logs nothing for the same designation again", async () => {
    const b = mock();
    expect((await b.exhibitDetail("EX-0001")).detail.designation).toEqual({ privilege: null, withheld: false, log_description: "", confidentiality: null });
    const before = b.state.log.length;
    const view = await b.designateExhibit("EX-0001", withheld);
    expect(view.detail.designation).toEqual(withheld);
    await b.designateExhibit("EX-0001", { ...withheld });
    await b.designateExhibit("EX-0001", { privilege: null, withheld: false, log_description: "", confidentiality: null });
    const added = b.state.log.slice(before);
    expect(added.map((e) => [e.action, e.exhibit])).toEqual([
      ["metadata_edited", "EX-0001"],
      ["metadata_edited", "EX-0001"],
    ]);
    expect(added[0]!.details).toEqual({ field: "designation", before: { privilege: null, withheld: false, log_description: "", confidentiality: null }, after: withheld });
    const words = (await b.exhibitDetail("EX-0001")).events.slice(-2).map((e) => e.words);
    expect(words).toEqual([
      "Designated: Attorney work product claimed; withheld from productions (privilege log); confidentiality “CONFIDENTIAL”; log description “Pricing analysis prepared for counsel”",
      "Designations cleared",
    ]);
    expect(b.state.designations.size).toBe(0);
  });

  it("words a log description set alone as one part, without an empty one before it", async () => {
    const b = mock();
    await b.designateExhibit("EX-0001", { privilege: null, withheld: false, log_description: "Board minutes", confidentiality: null });
    await b.designateExhibit("EX-0001", { privilege: "attorney_client", withheld: false, log_description: "Board minutes", confidentiality: null });
    expect((await b.exhibitDetail("EX-0001")).events.slice(-2).map((e) => e.words)).toEqual([
      "Designated: log description “Board minutes”",
      "Designated: Attorney-client privilege claimed; log description “Board minutes”",
    ]);
  });

  it("refuses what the vault refuses, in its words, before looking the exhibit up", async () => {
    const b = mock();
    const refusal = (d: Partial<typeof withheld> & Record<string, unknown>, id = "EX-0001") =>
      b.designateExhibit(id, { ...withheld, ...d } as typeof withheld).then(() => null, (e: BackendError) => [e.code, e.message]);
    expect(await refusal({ privilege: null as never })).toEqual([
      "invalid_input",
      "a withheld document needs the privilege claimed for it (attorney-client, work product or common interest)",
    ]);
    expect(await refusal({ log_description: "  \n " })).toEqual([
      "invalid_input",
      "a withheld document needs a description for the privilege log (what it is, never its privileged content)",
    ]);
    const longDescription = "the privilege log description is at most 1000 characters, with no control characters";
    expect(await refusal({ log_description: "x".repeat(1001) })).toEqual(["invalid_input", longDescription]);
    expect(await refusal({ log_description: "E-mail\tto counsel" })).toEqual(["invalid_input", longDescription]);
    expect(await refusal({ log_description: "E-mail to counsel\nabout the agreement" })).toBeNull();
    expect(await refusal({ log_description: "é".repeat(1000) })).toBeNull();
    const level = "a confidentiality level is 1 to 100 characters, with no control characters";
    expect(await refusal({ confidentiality: " " })).toEqual(["invalid_input", level]);
    expect(await refusal({ confidentiality: "C".repeat(101) })).toEqual(["invalid_input", level]);
    expect(await refusal({ confidentiality: "CONFIDENTIAL\n" })).toEqual(["invalid_input", level]);
    expect(await refusal({}, "EX-0099")).toEqual(["not_found", "no exhibit EX-0099 in this vault"]);
    expect(await refusal({ withheld: false, privilege: null as never, log_description: "" })).toBeNull();
  });

  it("lists every withheld exhibit on the privilege log, from its designation and metadata only", async () => {
    const b = createMockBackend({ open, exhibits: [...mockFamily(1), mockExhibit(5, { name: "memo.docx", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" })] });
    expect(await b.privilegeLog()).toEqual([]);
    await b.processExhibits({ exhibits: ["EX-0001", "EX-0002"], ocr: false }, () => {});
    await b.designateExhibit("EX-0002", { privilege: "attorney_client", withheld: true, log_description: "Pricing memo to counsel", confidentiality: null });
    await b.designateExhibit("EX-0001", { privilege: "common_interest", withheld: true, log_description: "E-mail among co-defendants' counsel", confidentiality: "CONFIDENTIAL" });
    await b.designateExhibit("EX-0005", { privilege: "work_product", withheld: true, log_description: "Draft outline", confidentiality: null });
    // Claimed but produced: not on the log.
    await b.designateExhibit("EX-0003", { privilege: "attorney_client", withheld: false, log_description: "", confidentiality: null });
    expect(await b.privilegeLog()).toEqual([
      {
        bates: "",
        exhibit: "EX-0001",
        family: "EX-0001",
        date: "2026-05-14T21:04:00Z",
        document_type: "E-mail",
        author: "Erik Brandt <erik@example.com>",
        recipients: "e.brandt@example.net",
        privilege: "Common-interest privilege",
        description: "E-mail among co-defendants' counsel",
      },
      {
        bates: "",
        exhibit: "EX-0002",
        family: "EX-0001",
        date: "2026-03-02T09:15:00Z",
        document_type: "PDF document",
        author: "Erik Brandt",
        recipients: "",
        privilege: "Attorney-client privilege",
        description: "Pricing memo to counsel",
      },
      {
        bates: "",
        exhibit: "EX-0005",
        family: "EX-0005",
        date: "",
        document_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        author: "",
        recipients: "",
        privilege: "Attorney work product",
        description: "Draft outline",
      },
    ]);
    expect(await b.savePrivilegeLog("csv")).toBe("/home/dana/privilege-log.csv");
    expect(b.state.calls).toContain("savePrivilegeLog:csv");
    expect(mockDocumentType("msg", "application/vnd.ms-outlook")).toBe("E-mail");
    expect(mockDocumentType("audit_log", "text/csv")).toBe("Audit-log export");
    expect(mockDocumentType("other", "video/mp4")).toBe("video/mp4");
  });
});

describe("the mock's withheld documents in a production", () => {
  const options = {
    exhibits: [],
    tag: null,
    custodian: null,
    bates_prefix: "HAL",
    bates_start: null,
    bates_width: 6,
    recipients: [],
    passphrase: null,
    dat_encoding: "utf8" as const,
    organization: null,
    search: null,
    search_name: null,
    search_terms: null,
    images: null,
    endorse: null,
    endorse_corner: "bottom-left" as const,
    bates_corner: "bottom-right" as const,
  };

  it("puts a slip sheet in each withheld exhibit's place, its family keeping its numbers, and says so in the checks and the custody log", async () => {
    const b = createMockBackend({ open, exhibits: [...mockFamily(1), mockExhibit(5, { name: "memo.docx" })] });
    await b.designateExhibit("EX-0003", { privilege: "attorney_client", withheld: true, log_description: "Drawings sent to counsel", confidentiality: null });
    // Claimed but not withheld: produced as it is.
    await b.designateExhibit("EX-0005", { privilege: "work_product", withheld: false, log_description: "", confidentiality: "CONFIDENTIAL" });
    const plan = await b.planExport(options);
    expect(plan.exhibits.map((e) => [e.bates, e.exhibit_id, e.withheld, e.native_path])).toEqual([
      ["HAL000001", "EX-0001", false, "data/VOL001/NATIVES/0001/HAL000001.eml"],
      ["HAL000002", "EX-0002", false, "data/VOL001/NATIVES/0001/HAL000002.pdf"],
      ["HAL000003", "EX-0003", true, "data/VOL001/IMAGES/0001/HAL000003.pdf"],
      ["HAL000004", "EX-0004", false, "data/VOL001/NATIVES/0001/HAL000004.txt"],
      ["HAL000005", "EX-0005", false, "data/VOL001/NATIVES/0001/HAL000005.docx"],
    ]);
    // Counted, numbered, and nothing of it written.
    expect(plan.exhibit_count).toBe(5);
    expect(plan.total_bytes).toBe(1001 + 1002 + 1004 + 1005);
    expect(plan.qc).toContain("1 withheld as privileged: a slip sheet each, and a privilege log of exactly those");

    const destination = (await b.pickDestination("x.zip"))!.token;
    const request = { options, destination, expect_first: plan.bates_first, expect_last: plan.bates_last, expect_selection: plan.selection_sha256 };
    const result = await b.exportBundle(request, () => {});
    expect(result.withheld).toEqual(["HAL000003"]);
    expect(result.exhibits).toBe(4);
    expect(result.qc).toContain("privilege log: 1 withheld document(s), each a slip sheet and a log row, and no other");
    expect(b.state.productions.at(-1)).toMatchObject({ bates_first: "HAL000001", bates_last: "HAL000005", exhibits: 5 });
    // The exhibits produced, then the one withheld: its ground, and no hashes.
    const exported = b.state.log.filter((e) => e.action === "exported");
    expect(exported.map((e) => e.exhibit)).toEqual(["EX-0001", "EX-0002", "EX-0004", "EX-0005", "EX-0003"]);
    expect(exported.at(-1)).toMatchObject({ hash_before: null, hash_after: null, details: { bates: "HAL000003", withheld: "Attorney-client privilege" } });
    expect(exported[0]!.details).not.toHaveProperty("withheld");
    expect((await b.exhibitDetail("EX-0003")).events.at(-1)?.words).toBe(
      "Withheld (Attorney-client privilege) from a sealed bundle to /home/dana/Productions/x.zip: a slip sheet as HAL000003 and a privilege log row",
    );
    expect((await b.exhibitDetail("EX-0002")).events.at(-1)?.words).toBe("Produced as HAL000002 in a sealed bundle to /home/dana/Productions/x.zip");
  });

  it("adds no withheld check and withholds nothing when none is withheld", async () => {
    const b = createMockBackend({ open, exhibits: [mockExhibit(1), mockExhibit(2)] });
    const plan = await b.planExport(options);
    expect(plan.exhibits.some((e) => e.withheld)).toBe(false);
    expect(plan.qc.join("\n")).not.toMatch(/withheld/);
    const destination = (await b.pickDestination("x.zip"))!.token;
    const result = await b.exportBundle(
      { options: { ...options, recipients: ["age1" + "q".repeat(58)] }, destination, expect_first: plan.bates_first, expect_last: plan.bates_last, expect_selection: plan.selection_sha256 },
      () => {},
    );
    expect(result).toMatchObject({ withheld: [], exhibits: 2, encrypted: true });
    expect(result.qc.join("\n")).not.toMatch(/privilege log/);
    expect((await b.exhibitDetail("EX-0001")).events.at(-1)?.words).toBe("Produced as HAL000001 in an encrypted sealed bundle to /home/dana/Productions/x.zip");
  });
});

describe("the mock's page images", () => {
  const options = {
    exhibits: [],
    tag: null,
    custodian: null,
    bates_prefix: "HAL",
    bates_start: null,
    bates_width: 6,
    recipients: [],
    passphrase: null,
    dat_encoding: "utf8" as const,
    organization: null,
    search: null,
    search_name: null,
    search_terms: null,
    images: "tiff" as const,
    endorse: "CONFIDENTIAL",
    endorse_corner: "bottom-left" as const,
    bates_corner: "bottom-right" as const,
  };

  it("numbers by page, counts the designations, and writes the pages", async () => {
    const b = createMockBackend({ open, exhibits: [mockExhibit(1), mockExhibit(2), mockExhibit(3)] });
    await b.designateExhibit("EX-0002", { privilege: "attorney_client", withheld: true, log_description: "Note to counsel", confidentiality: null });
    await b.designateExhibit("EX-0003", { privilege: null, withheld: false, log_description: "", confidentiality: "CONFIDENTIAL – AEO" });
    const natives = await b.planExport({ ...options, images: null, endorse: null });
    expect([natives.pages, natives.bates_last, natives.withheld_count, natives.confidential_count]).toEqual([null, "HAL000003", 1, 1]);
    // 3 pages, a slip sheet, 2 pages.
    const plan = await b.planExport(options);
    expect([plan.pages, plan.bates_first, plan.bates_last]).toEqual([6, "HAL000001", "HAL000006"]);
    expect(plan.exhibits.map((e) => e.bates)).toEqual(["HAL000001", "HAL000004", "HAL000005"]);
    const destination = (await b.pickDestination("x.zip"))!.token;
    const result = await b.exportBundle(
      { options, destination, expect_first: plan.bates_first, expect_last: plan.bates_last, expect_selection: plan.selection_sha256 },
      () => {},
    );
    expect([result.pages, result.bates_last]).toEqual([6, "HAL000006"]);
  });

  it("previews a first page stamped with its number and legend, a designated level first, and refuses what would not fit", async () => {
    const b = createMockBackend({ open, exhibits: [mockExhibit(1), mockExhibit(2), mockExhibit(3)] });
    await b.designateExhibit("EX-0003", { privilege: null, withheld: false, log_description: "", confidentiality: "CONFIDENTIAL – AEO" });
    const first = await b.stampPreview(options, null);
    expect(first).toEqual({ data_url: MOCK_PAGE_PNG, exhibit_id: "EX-0001", bates: "HAL000001", legend: "CONFIDENTIAL", pages: 3 });
    expect(first.data_url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(await b.stampPreview(options, "EX-0003")).toMatchObject({ exhibit_id: "EX-0003", bates: "HAL000005", legend: "CONFIDENTIAL – AEO", pages: 2 });
    expect(await b.stampPreview({ ...options, endorse: null }, "EX-0002")).toMatchObject({ bates: "HAL000004", legend: null, pages: 1 });
    await expect(b.stampPreview(options, "EX-0009")).rejects.toMatchObject({ code: "invalid_input", message: "EX-0009 is not among the exhibits chosen" });

    await expect(b.stampPreview({ ...options, images: null, endorse: null }, null)).rejects.toMatchObject({
      message: "choose page images (pdf or tiff) to see a stamped page",
    });
    await expect(b.stampPreview({ ...options, images: null }, null)).rejects.toMatchObject({
      message: "a legend is stamped on page images: choose page images (pdf or tiff) to endorse them",
    });
    await expect(b.planExport({ ...options, images: null })).rejects.toBeInstanceOf(BackendError);
    await expect(b.stampPreview({ ...options, endorse_corner: "bottom-right" }, null)).rejects.toMatchObject({
      message: "the Bates number and the legend cannot share the bottom-right corner",
    });
    // Without a legend, the corners may be the same.
    expect(await b.stampPreview({ ...options, endorse: null, endorse_corner: "bottom-right" }, null)).toMatchObject({ legend: null });
    const long = "L".repeat(91);
    await expect(b.stampPreview({ ...options, endorse: long, endorse_corner: "top-left" }, null)).rejects.toMatchObject({
      message: `the stamp “${long}” is 592 points wide; 576 fit in the top-left corner of a 612×792-point page; shorten it or move the stamps to opposite edges`,
    });
    await expect(b.planExport({ ...options, endorse: long })).rejects.toMatchObject({
      message: expect.stringContaining("points wide; 500 fit in the bottom-left corner of a 612×792-point page beside the other stamp"),
    });
    expect(await b.stampPreview({ ...options, endorse: "L".repeat(88), endorse_corner: "top-left" }, null)).toMatchObject({ legend: "L".repeat(88) });
  });
});

describe("the mock's firm matters", () => {
  const [OKAFOR] = MOCK_FIRM_MATTERS as [(typeof MOCK_FIRM_MATTERS)[number]];

  it("lists the firm database's matters for a chosen firm config, which stays chosen", async () => {
    const b = createMockBackend();
    const config = (await b.pickPaths("firm_config"))!;
    expect(config.paths).toEqual(["/home/dana/Firm/custos-firm.toml"]);
    const first = await b.firmMatters(config.token);
    expect(first.map((m) => m.vault_id)).toEqual(MOCK_FIRM_MATTERS.map((m) => m.vault_id));
    expect(first[0]).toEqual({ vault_id: OKAFOR.vault_id, created: "2026-05-20T14:03:11Z", changes: 42 });
    expect(await b.firmMatters(config.token)).toEqual(first);
    await expect(b.firmMatters("sel-404")).rejects.toMatchObject({ code: "stale_selection" });
    const empty = createMockBackend({ firmMatters: [] });
    expect(await empty.firmMatters((await empty.pickPaths("firm_config"))!.token)).toEqual([]);
  });

  it("refuses a join the app would refuse, leaving the selections held", async () => {
    const b = createMockBackend();
    const config = (await b.pickPaths("firm_config"))!.token;
    const folder = (await b.pickPaths("new_vault"))!.token;
    const request = { config, vault_id: OKAFOR.vault_id, folder, passphrase: MOCK_PASSPHRASE };
    await expect(b.joinFirm({ ...request, passphrase: "not my passphrase" })).rejects.toMatchObject({ code: "wrong_passphrase" });
    await expect(b.joinFirm({ ...request, vault_id: "00000000-0000-4000-8000-00000000dead" })).rejects.toMatchObject({
      code: "io",
      message: `${MOCK_FIRM} holds no catalog for matter 00000000-0000-4000-8000-00000000dead`,
    });
    await expect(b.joinFirm({ ...request, config: "sel-404" })).rejects.toMatchObject({ code: "stale_selection" });
    await expect(b.joinFirm({ ...request, folder: "sel-404" })).rejects.toMatchObject({ code: "stale_selection" });
    expect(b.state.open).toBeNull();
    expect(b.state.recent.map((r) => r.vault_id)).toEqual([MOCK_MATTER.vault_id]);

    const opened = await b.joinFirm(request);
    expect(opened).toEqual({ matter: OKAFOR, path: "/evidence/folder", demo: false, examiner: "Dana Whitfield", firm: MOCK_FIRM });
    // Taken once the copy is made.
    await expect(b.joinFirm(request)).rejects.toMatchObject({ code: "stale_selection" });
  });

  it("remembers the copy as a recent vault that opens again as a firm vault; an ordinary vault has no firm", async () => {
    const b = createMockBackend();
    const config = (await b.pickPaths("firm_config"))!.token;
    const folder = (await b.pickPaths("new_vault"))!.token;
    await b.joinFirm({ config, vault_id: OKAFOR.vault_id, folder, passphrase: MOCK_PASSPHRASE });
    expect(b.state.recent.map((r) => [r.vault_id, r.path])).toEqual([
      [OKAFOR.vault_id, "/evidence/folder"],
      [MOCK_MATTER.vault_id, "/home/dana/Matters/Halvorsen"],
    ]);
    await b.lockVault();
    expect(await b.openVault({ kind: "recent", vault_id: OKAFOR.vault_id }, MOCK_PASSPHRASE)).toMatchObject({
      matter: { vault_id: OKAFOR.vault_id },
      path: "/evidence/folder",
      firm: MOCK_FIRM,
    });
    expect((await b.openVault({ kind: "recent", vault_id: MOCK_MATTER.vault_id }, MOCK_PASSPHRASE)).firm).toBeNull();
    expect((await b.openDemo()).firm).toBeNull();
    const created = await b.createVault({
      folder: (await b.pickPaths("new_vault"))!.token,
      matter: "New matter",
      matter_number: null,
      examiner: "Dana Whitfield",
      passphrase: MOCK_PASSPHRASE,
      recovery_recipient: null,
      exhibit_prefix: null,
    });
    expect(created.firm).toBeNull();
  });
});
