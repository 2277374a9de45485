import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { JobEvent, ProcessReport, VaultSummary } from "../lib/bindings";
import { deferred } from "../lib/deferred";
import {
  MOCK_MATTER,
  createMockBackend,
  mockDateEvent,
  mockExhibit,
  mockFamily,
  mockProcessing,
  mockTimeline,
  mockTimelineEvent,
  type MockState,
} from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Exhibit from "./Exhibit.svelte";
import { forgetExhibitList } from "./exhibits/list.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}

const region = (name: string | RegExp) => screen.getByRole("region", { name });
const timelineRows = () => within(screen.getByTestId("custody-timeline")).getAllByRole("row").slice(1);

beforeEach(() => {
  forgetExhibitList();
  reset("exhibit", { id: "EX-0001" });
  session.vault = vault();
  session.info = null;
  session.drops = [];
  session.job = null;
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Exhibit: metadata", () => {
  it("lists each value with where it was read and by which tool", async () => {
    install({
      processed: new Map([
        [
          "EX-0001",
          {
            processing: mockProcessing({ status: "done", kind: "pdf" }),
            metadata: [
              { field: "author", value: "Erik Brandt", source: "pdf:docinfo:Author", extractor: "custos-pdf 0.1.0" },
              { field: "date_created", value: "2026-03-02T09:15:00Z", source: "pdf:docinfo:CreationDate", extractor: "custos-pdf 0.1.0" },
            ],
            derivations: [],
            text: null,
          },
        ],
      ]),
    });
    render(Exhibit, { id: "EX-0001" });
    const table = await screen.findByTestId("metadata");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole("rowheader")).toHaveTextContent("Author");
    expect(rows[0]).toHaveTextContent("Erik Brandt");
    expect(rows[0]).toHaveTextContent("pdf:docinfo:Author");
    expect(rows[0]).toHaveTextContent("custos-pdf 0.1.0");
    expect(within(rows[1]!).getByRole("rowheader")).toHaveTextContent("Date created");
    expect(rows[1]).toHaveTextContent("pdf:docinfo:CreationDate");
    expect(screen.queryByText("No metadata read yet.")).not.toBeInTheDocument();
  });

  it("says when nothing was read yet", async () => {
    install();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(within(region(/^Metadata/)).getByText("No metadata read yet.")).toBeInTheDocument();
    expect(screen.queryByTestId("metadata")).not.toBeInTheDocument();
  });
});

describe("Exhibit: family", () => {
  it("shows the family tree, indented, with this exhibit marked, and opens a member", async () => {
    const mock = install({ exhibits: mockFamily(1) });
    const family = vi.spyOn(mock, "exhibitFamily");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0003" });
    const tree = await screen.findByRole("list", { name: "Family of EX-0003" });
    expect(family).toHaveBeenCalledWith("EX-0003");
    const items = within(tree).getAllByRole("listitem");
    expect(items.map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "EX-0001 Re: Lodestar pricing.eml",
      "↳ EX-0002 pricing-2026.pdf",
      "↳ EX-0003 drawings.zip (this exhibit)",
      "↳ EX-0004 bracket-rev4.txt",
    ]);
    expect(items.map((li) => li.style.paddingLeft)).toEqual(["0rem", "1.5rem", "1.5rem", "3rem"]);
    expect(items[2]).toHaveAttribute("aria-current", "true");
    expect(items.filter((li) => li.hasAttribute("aria-current"))).toHaveLength(1);
    expect(within(items[2]!).queryByRole("button")).not.toBeInTheDocument();

    await user.click(within(tree).getByRole("button", { name: "Open EX-0004, bracket-rev4.txt" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0004" });
  });

  it("has no family card for an exhibit with no parent and no children", async () => {
    const mock = install();
    const family = vi.spyOn(mock, "exhibitFamily");
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    expect(screen.queryByRole("region", { name: /^Family/ })).not.toBeInTheDocument();
    expect(family).not.toHaveBeenCalled();
  });
});

describe("Exhibit: text", () => {
  it("reads the text only when asked, logs the viewing and shows it as text", async () => {
    const mock = install({
      processed: new Map([
        ["EX-0001", { processing: mockProcessing({ status: "done", kind: "pdf" }), metadata: [], derivations: [], text: "Page 1\n<b>not bold</b>" }],
      ]),
    });
    const text = vi.spyOn(mock, "exhibitText");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    const button = within(region("Text")).getByRole("button", { name: "Show text" });
    expect(button).toHaveAccessibleDescription(/Viewing it is recorded in the custody log/);
    expect(text).not.toHaveBeenCalled();
    expect(timelineRows()).toHaveLength(1);

    await user.click(button);
    const shown = await screen.findByTestId("extracted-text");
    expect(text).toHaveBeenCalledTimes(1);
    expect(text).toHaveBeenCalledWith("EX-0001");
    expect(shown.tagName).toBe("PRE");
    expect(shown.textContent).toBe("Page 1\n<b>not bold</b>");
    expect(shown.querySelector("b")).toBeNull();
    await waitFor(() => expect(timelineRows()).toHaveLength(2));
    expect(timelineRows()[1]).toHaveTextContent("Viewed");

    await user.click(within(region("Text")).getByRole("button", { name: "Hide text" }));
    expect(screen.queryByTestId("extracted-text")).not.toBeInTheDocument();
  });

  it("says so when the exhibit has no text", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    await user.click(within(region("Text")).getByRole("button", { name: "Show text" }));
    expect(await within(region("Text")).findByText(/No text: nothing was read from this exhibit/)).toBeInTheDocument();
  });
});

describe("Exhibit: processing", () => {
  it("processes a pending exhibit on request and shows what was found", async () => {
    const mock = install();
    const process = vi.spyOn(mock, "processExhibits");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    const card = region("Processing");
    expect(card).toHaveTextContent("Not processed yet");
    expect(within(card).queryByRole("button", { name: "Recognise text (OCR)" })).not.toBeInTheDocument();

    await user.click(within(card).getByRole("button", { name: "Process now" }));
    expect(process).toHaveBeenCalledTimes(1);
    expect(process.mock.calls[0]![0]).toEqual({ exhibits: ["EX-0002"], ocr: false });
    const result = await screen.findByTestId("processing-result");
    expect(result).toHaveTextContent("Done: 2 new exhibits found inside, 4 metadata values");
    expect(result).toHaveTextContent("Processed 2: 0 new exhibits found inside, 0 failed of the items found inside.");
    // Read again: the state, the family, the metadata and the derivations.
    await waitFor(() => expect(region("Processing")).toHaveTextContent("Read as e-mail message."));
    expect(within(region("Processing")).queryByRole("button", { name: "Process now" })).not.toBeInTheDocument();
    const tree = await screen.findByRole("list", { name: "Family of EX-0002" });
    expect(within(tree).getAllByRole("listitem")).toHaveLength(3);
    expect(within(screen.getByTestId("metadata")).getAllByRole("row")).toHaveLength(5);
    expect(timelineRows().some((r) => r.textContent?.includes("Derived by processing"))).toBe(true);
  });

  it("lists the derivations with their tool, output hash and custody event, and opens an item", async () => {
    const mock = install();
    await mock.processExhibits({ exhibits: ["EX-0002"], ocr: false }, () => {});
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    const table = await screen.findByTestId("derivations");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual(["Item found inside", "Item found inside", "Metadata", "Text"]);
    const derived = mock.state.log.filter((e) => e.action === "derived" && e.exhibit === "EX-0002");
    expect(rows.map((r) => within(r).getAllByRole("cell")[3]!.textContent)).toEqual(derived.map((e) => String(e.seq)));
    expect(rows[2]).toHaveTextContent("custos-mail 0.1.0");
    const output = mock.state.processed.get("EX-0002")!.derivations[2]!.output_sha256;
    expect(rows[2]).toHaveTextContent(`${output.slice(0, 12)}…`);
    expect(within(rows[2]!).getByRole("button", { name: /^Copy output SHA-256 of metadata/ })).toBeInTheDocument();
    await user.click(within(rows[0]!).getByRole("button", { name: "Open exhibit EX-0004" }));
    expect(router.params).toEqual({ id: "EX-0004" });
  });

  it("recognises text on request when pages want OCR", async () => {
    const mock = install();
    await mock.processExhibits({ exhibits: ["EX-0001"], ocr: false }, () => {});
    const process = vi.spyOn(mock, "processExhibits");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    const card = region("Processing");
    expect(card).toHaveTextContent("Read as PDF.");
    expect(card).toHaveTextContent("1 page has no text to read (page 2)");
    expect(within(card).queryByRole("button", { name: "Process now" })).not.toBeInTheDocument();

    await user.click(within(card).getByRole("button", { name: "Recognise text (OCR)" }));
    expect(process).toHaveBeenCalledWith({ exhibits: ["EX-0001"], ocr: true }, expect.any(Function));
    expect(await screen.findByTestId("processing-result")).toHaveTextContent("1 page recognised");
    await waitFor(() => expect(region("Processing")).toHaveTextContent("with text recognised by OCR"));
    expect(within(region("Processing")).queryByRole("button", { name: "Recognise text (OCR)" })).not.toBeInTheDocument();
  });

  it("shows a failure with its reason and what could not be read inside", async () => {
    const mock = install({
      exhibits: [mockExhibit(1, { name: "drawings.zip", mime: "application/zip" })],
      processed: new Map([
        [
          "EX-0001",
          {
            processing: mockProcessing({
              status: "failed",
              kind: "zip",
              reason: "the archive is damaged",
              problems: [["secret.docx", "encrypted with a password"]],
            }),
            metadata: [],
            derivations: [],
            text: null,
          },
        ],
      ]),
    });
    const process = vi.spyOn(mock, "processExhibits");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("sha256");
    const card = region("Processing");
    expect(card).toHaveTextContent("Failed");
    expect(card).toHaveTextContent("Read as ZIP archive, but it could not be processed: The archive is damaged.");
    expect(within(card).getByRole("list", { name: /Not read inside/ })).toHaveTextContent("Not read: secret.docx — encrypted with a password");
    await user.click(within(card).getByRole("button", { name: "Process now" }));
    expect(process.mock.calls[0]![0]).toEqual({ exhibits: ["EX-0001"], ocr: false });
    // The vault leaves an exhibit processed before alone: said so, not hidden.
    expect(await screen.findByTestId("processing-result")).toHaveTextContent("Nothing new was done");
  });

  it("shows progress while processing and cancels on request", async () => {
    const mock = install();
    const job = deferred<ProcessReport>();
    let emit: (e: JobEvent) => void = () => {};
    mock.processExhibits = (_req, onEvent) => {
      emit = onEvent;
      return job.promise;
    };
    const cancelJob = vi.spyOn(mock, "cancelJob");
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    await user.click(screen.getByRole("button", { name: "Process now" }));
    expect(screen.getByRole("button", { name: "Process now" })).toBeDisabled();
    expect(session.job).toBe("processing");
    emit({ type: "begin", files: 1, bytes: 0 });
    const bar = () => screen.getByRole("progressbar", { name: "Processing" });
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuetext", "Processing 1 of 1…"));
    emit({ type: "progress", bytes: 0, items: 2 });
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuetext", "Processing the items found inside… 2 exhibits done"));

    await user.click(within(region("Processing")).getByRole("button", { name: "Cancel" }));
    expect(cancelJob).toHaveBeenCalledTimes(1);
    job.resolve({ exhibits: [], cancelled: true });
    expect(await screen.findByTestId("processing-result")).toHaveTextContent("Cancelled before the end");
    expect(screen.queryByRole("progressbar", { name: "Processing" })).not.toBeInTheDocument();
    expect(session.job).toBeNull();
  });
});

describe("Exhibit: what happened to this document", () => {
  const section = () => region(/^What happened to this document/);
  const rows = () => within(screen.getByTestId("document-timeline")).getAllByRole("row").slice(1);
  const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent?.replace(/\s+/g, " ").trim());

  it("lists the audit-log events joined to the exhibit in time order, how each was joined, weak joins and mass downloads marked", async () => {
    const mock = install();
    // Answered out of order: the screen puts them in time order itself.
    const timeline = vi.spyOn(mock, "timeline").mockResolvedValue([...mockTimeline()].reverse());
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("document-timeline");
    expect(timeline).toHaveBeenCalledWith({ exhibit: "EX-0001", actor: null, action: null, from: null, to: null, dates: true });
    expect(section()).toHaveTextContent("(4)");
    expect(rows().map(cells)).toEqual([
      ["2026-05-12 16:20:00 UTC", "erik.brandt", "view", "by hash", "10.0.4.17", "EX-0003, row 4"],
      ["2026-05-14 21:02:11 UTC", "erik.brandt", "download", "by name and size", "10.0.4.17", "EX-0003, row 9"],
      ["2026-05-14 21:03:40 UTC", "erik.brandt", "download mass download", "⚠ by name only — weak", "203.0.113.8", "EX-0003, row 12"],
      ["2026-05-15 08:30:00 UTC", "erik.brandt", "share", "by its id or address", "—", "EX-0003, row 15"],
    ]);
    const weak = within(section()).getAllByTestId("weak-join");
    expect(weak).toHaveLength(1);
    expect(rows()[2]).toContainElement(weak[0]!);
    expect(weak[0]).toHaveClass("badge");
    const burst = within(section()).getAllByTestId("mass-download");
    expect(burst).toHaveLength(1);
    expect(rows()[2]).toContainElement(burst[0]!);
    expect(burst[0]).toHaveClass("badge");
  });

  it("opens the audit-log export an event was read from", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("document-timeline");
    await user.click(within(section()).getByRole("button", { name: "EX-0003, row 12" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0003" });
  });

  it("shows no section for an exhibit no event is joined to", async () => {
    const mock = install();
    const timeline = vi.spyOn(mock, "timeline");
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("sha256");
    await waitFor(() => expect(timeline).toHaveBeenCalledWith({ exhibit: "EX-0002", actor: null, action: null, from: null, to: null, dates: true }));
    await expect(timeline.mock.results[0]!.value).resolves.toEqual([]);
    await tick();
    expect(screen.queryByRole("region", { name: /What happened/ })).not.toBeInTheDocument();
    expect(screen.queryByText(/What happened to this document/)).not.toBeInTheDocument();
    expect(screen.queryByTestId("document-timeline")).not.toBeInTheDocument();
  });

  it("shows the document's own dates beside the audit events, labelled as its own metadata", async () => {
    install();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("document-timeline");
    // The default fixture: four audit events and the PDF's creation and modification dates.
    expect(section()).toHaveTextContent("(6)");
    expect(section()).toHaveTextContent("and the dates recorded in the document itself");
    expect(rows().map(cells)).toEqual([
      ["2026-03-02 09:15:00 UTC", "Erik Brandt", "document created", "its own date", "—", "from the document's own metadata"],
      ["2026-05-12 16:20:00 UTC", "erik.brandt", "view", "by hash", "10.0.4.17", "EX-0003, row 4"],
      ["2026-05-14 20:58:00 UTC", "Erik Brandt", "document modified", "its own date", "—", "from the document's own metadata"],
      ["2026-05-14 21:02:11 UTC", "erik.brandt", "download", "by name and size", "10.0.4.17", "EX-0003, row 9"],
      ["2026-05-14 21:03:40 UTC", "erik.brandt", "download mass download", "⚠ by name only — weak", "203.0.113.8", "EX-0003, row 12"],
      ["2026-05-15 08:30:00 UTC", "erik.brandt", "share", "by its id or address", "—", "EX-0003, row 15"],
    ]);
    // An own date opens no export: only the audit rows are buttons.
    expect(within(screen.getByTestId("document-timeline")).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "EX-0003, row 4",
      "EX-0003, row 9",
      "EX-0003, row 12",
      "EX-0003, row 15",
    ]);
  });

  it("shows an e-mail's own dates when no audit event is tied to it", async () => {
    install({
      timeline: [
        mockTimelineEvent(3, { exhibit: "EX-0001" }),
        mockDateEvent({ exhibit: "EX-0002", time: "2026-05-14T21:04:00Z", action: "e-mail sent", actor: "Erik Brandt <erik@example.com>" }),
        mockDateEvent({ exhibit: "EX-0002", time: "2026-05-14T21:04:09Z", action: "e-mail received", actor: "e.brandt@example.net" }),
      ],
    });
    render(Exhibit, { id: "EX-0002" });
    await screen.findByTestId("document-timeline");
    expect(section()).toHaveTextContent("The dates recorded in the document itself; no audit-log export has an event tied to it.");
    expect(rows().map(cells)).toEqual([
      ["2026-05-14 21:04:00 UTC", "Erik Brandt <erik@example.com>", "e-mail sent", "its own date", "—", "from the document's own metadata"],
      ["2026-05-14 21:04:09 UTC", "e.brandt@example.net", "e-mail received", "its own date", "—", "from the document's own metadata"],
    ]);
  });

  it("opens the timeline on the exhibit", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("document-timeline");
    await user.click(within(section()).getByRole("button", { name: "Show on the timeline" }));
    expect(router.screen).toBe("timeline");
    expect(router.params).toEqual({ exhibit: "EX-0001" });
  });

  it("says when the events could not be read", async () => {
    const mock = install();
    vi.spyOn(mock, "timeline").mockRejectedValue(new BackendError("internal", "the export could not be parsed"));
    render(Exhibit, { id: "EX-0001" });
    expect(await within(await screen.findByRole("region", { name: "What happened to this document" })).findByRole("alert")).toHaveTextContent(
      "the export could not be parsed",
    );
  });
});

describe("Exhibit: reading a CSV export as an audit log", () => {
  const EXPORT = [
    "When,User,What,Document,Workstation,Bytes",
    "2026-05-14 21:02:11,erik.brandt,download,/projects/lodestar/Lodestar spec v3.pdf,WS-14,4096",
    "2026-05-14 21:03:00,erik.brandt,view,/projects/lodestar/notes.txt,WS-14,",
    "not a time,erik.brandt,view,/projects/x.txt,WS-14,",
  ].join("\r\n");

  /** A PDF the log names, and two CSV exports in a format no reader knows, processed. */
  async function installExports(init: Partial<MockState> = {}) {
    const mock = install({
      exhibits: [
        mockExhibit(1, { name: "Lodestar spec v3.pdf", mime: "application/pdf", size: 4096 }),
        mockExhibit(2, { name: "docsys-export-may.csv", mime: "text/csv", custodian: "IT Department" }),
        mockExhibit(3, { name: "docsys-export-june.csv", mime: "text/csv", custodian: "IT Department" }),
      ],
      timeline: [],
      contents: new Map([
        ["EX-0002", EXPORT],
        ["EX-0003", EXPORT.split("\r\n").slice(0, 2).join("\r\n")],
      ]),
      ...init,
    });
    await mock.processExhibits({ exhibits: [], ocr: false }, () => {});
    return mock;
  }

  const dialog = () => screen.getByRole("dialog");

  it("offers it only for a processed CSV not read as an audit log", async () => {
    const mock = await installExports();
    const { unmount } = render(Exhibit, { id: "EX-0002" });
    const card = await screen.findByTestId("processing");
    expect(card).toHaveTextContent("Read as spreadsheet text (CSV).");
    expect(within(card).getByRole("button", { name: "Read as an audit log…" })).toBeInTheDocument();
    unmount();
    render(Exhibit, { id: "EX-0001" });
    await screen.findByTestId("processing");
    expect(screen.queryByRole("button", { name: "Read as an audit log…" })).toBeNull();
    expect(mock.state.calls).not.toContain("csvColumns");
  });

  it("names the columns, checks the mapping, saves it and says what was read from each export", async () => {
    const mock = await installExports();
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await user.click(await screen.findByRole("button", { name: "Read as an audit log…" }));
    expect(dialog()).toHaveAccessibleName("Read as an audit log");
    const name = within(dialog()).getByLabelText("Mapping name");
    await waitFor(() => expect(name).toHaveFocus());
    // The header's columns, with a first guess from their names.
    const time = within(dialog()).getByLabelText("Time");
    expect(within(time).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Choose a column…",
      "When",
      "User",
      "What",
      "Document",
      "Workstation",
      "Bytes",
    ]);
    expect(time).toHaveValue("When");
    expect(within(dialog()).getByLabelText("Actor")).toHaveValue("User");
    expect(within(dialog()).getByLabelText("Action")).toHaveValue("");
    expect(within(dialog()).getByLabelText("Object")).toHaveValue("Document");
    expect(within(dialog()).getByLabelText("Device")).toHaveValue("Workstation");
    expect(within(dialog()).getByLabelText("File size")).toHaveValue("Bytes");
    expect(within(dialog()).getByLabelText("IP address")).toHaveValue("");

    // Checked here first: a name, every required column, none twice, an offset ±HH:MM.
    const save = within(dialog()).getByRole("button", { name: "Save mapping and read" });
    await user.click(save);
    let problems = within(dialog()).getByRole("alert");
    expect(problems).toHaveTextContent("Give the mapping a name.");
    expect(problems).toHaveTextContent("Choose the action column.");
    expect(within(dialog()).getByLabelText("Action")).toHaveAttribute("aria-invalid", "true");
    await user.selectOptions(within(dialog()).getByLabelText("Action"), "User");
    await user.type(name, "Docsys");
    await user.type(within(dialog()).getByLabelText("UTC offset of times written without a zone"), "5");
    problems = within(dialog()).getByRole("alert");
    expect(problems).toHaveTextContent("The column “User” is chosen for both actor and action: a column holds one thing.");
    expect(problems).toHaveTextContent("Write the UTC offset as ±HH:MM, e.g. -05:00 or +01:00.");
    expect(within(dialog()).getByLabelText("Actor")).toHaveAttribute("aria-invalid", "true");
    expect(mock.state.calls).not.toContain("saveAuditMapping");

    await user.selectOptions(within(dialog()).getByLabelText("Action"), "What");
    await user.clear(within(dialog()).getByLabelText("UTC offset of times written without a zone"));
    await user.type(within(dialog()).getByLabelText("UTC offset of times written without a zone"), "-05:00");
    expect(within(dialog()).queryByRole("alert")).toBeNull();
    await user.click(save);

    const done = await screen.findByTestId("mapping-saved");
    expect(dialog()).toHaveAccessibleName("Mapping saved");
    expect(done).toHaveTextContent("The mapping “Docsys” is saved and recorded in the custody log.");
    expect(within(done).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "2 events read from EX-0002 (1 row could not be read)",
      "1 event read from EX-0003",
    ]);
    expect(mock.state.mappings.map((m) => m.mapping)).toEqual([
      {
        name: "Docsys",
        time: "When",
        actor: "User",
        action: "What",
        object: "Document",
        ip: null,
        device: "Workstation",
        file_name: null,
        size: "Bytes",
        hash: null,
        utc_offset: "-05:00",
      },
    ]);
    expect(mock.state.log.find((e) => e.action === "setting_changed")?.details).toMatchObject({ setting: "audit_mapping_saved", name: "Docsys" });
    // Zone-less times at -05:00; the download joined to the PDF by its name and size.
    const read = mock.state.timeline.filter((e) => e.source_exhibit === "EX-0002");
    expect(read.map((e) => [e.time, e.action, e.exhibit, e.join])).toEqual([
      ["2026-05-15T02:02:11Z", "download", "EX-0001", "name_size"],
      ["2026-05-15T02:03:00Z", "view", null, null],
    ]);
    // The exhibit read again: now an audit-log export.
    await waitFor(() => expect(screen.getByTestId("processing")).toHaveTextContent("Read as audit-log export."));

    await user.click(within(dialog()).getByRole("button", { name: "Open the timeline" }));
    expect(router.screen).toBe("timeline");
  });

  it("shows the vault's refusal, and why the columns could not be read", async () => {
    const mock = await installExports({
      mappings: [
        {
          mapping: { name: "docsys", time: "A", actor: "B", action: "C", object: "D", ip: null, device: null, file_name: null, size: null, hash: null, utc_offset: null },
          sha256: "e".repeat(64),
          saved_at: "2026-06-01T09:00:00Z",
        },
      ],
    });
    const user = userEvent.setup();
    render(Exhibit, { id: "EX-0002" });
    await user.click(await screen.findByRole("button", { name: "Read as an audit log…" }));
    await user.type(within(dialog()).getByLabelText("Mapping name"), "DocSys");
    await user.selectOptions(within(dialog()).getByLabelText("Action"), "What");
    await user.click(within(dialog()).getByRole("button", { name: "Save mapping and read" }));
    expect(await within(dialog()).findByRole("alert")).toHaveTextContent(
      "The mapping was not saved: A mapping named DocSys is already saved; a saved mapping never changes: choose another name.",
    );
    expect(mock.state.mappings).toHaveLength(1);
    await user.click(within(dialog()).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();

    mock.csvColumns = async () => {
      throw new BackendError("object_damaged", "the stored object of EX-0002 failed authentication");
    };
    await user.click(screen.getByRole("button", { name: "Read as an audit log…" }));
    expect(await within(dialog()).findByRole("alert")).toHaveTextContent(
      "The columns could not be read: The stored object of EX-0002 failed authentication.",
    );
    expect(within(dialog()).getByRole("button", { name: "Save mapping and read" })).toBeDisabled();
  });
});
