import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { IntakeRequest, IntakeSummary, JobEvent, ProcessReport, ProcessRequest } from "../lib/bindings";
import { createMockBackend, dropOn, MOCK_MATTER, MOCK_PASSPHRASE, type MockState } from "../lib/mock-backend";
import { reset, router } from "../lib/router.svelte";
import { refreshInfo, session } from "../lib/session.svelte";
import Intake from "./Intake.svelte";
import { deferred } from "../lib/deferred";

type Mock = ReturnType<typeof createMockBackend>;
let mock: Mock;

async function openMock(init: Partial<MockState> = {}): Promise<Mock> {
  mock = createMockBackend(init);
  setBackend(mock);
  await mock.openVault({ kind: "recent", vault_id: MOCK_MATTER.vault_id }, MOCK_PASSPHRASE);
  await refreshInfo();
  // Like the app: drops wait in the session for this screen.
  await mock.onDrop((selection) => {
    session.drops = [...session.drops, selection];
  });
  return mock;
}


const chosen = () => screen.queryByRole("list", { name: /^Chosen/ });
const takeIn = () => screen.getByRole("button", { name: "Take in" });

beforeEach(() => {
  session.info = null;
  session.vault = null;
  session.drops = [];
  reset("intake");
});

afterEach(() => {
  setBackend(null);
  vi.restoreAllMocks();
});

describe("Intake: choosing", () => {
  it("explains the drop zone and starts with nothing chosen", async () => {
    await openMock();
    render(Intake);
    expect(screen.getByRole("heading", { level: 1, name: "Intake" })).toBeInTheDocument();
    expect(screen.getByText(/Drop files or folders anywhere on this window/)).toBeInTheDocument();
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
    expect(takeIn()).toBeDisabled();
    expect(screen.getByText("Add files or folders first.")).toBeInTheDocument();
    expect(screen.getByLabelText("Verify each file after copying (recommended)")).toBeChecked();
    expect(screen.queryByLabelText("Path to take in")).toBeNull();
  });

  it("takes the selections dropped before it opened", async () => {
    await openMock();
    dropOn(mock, ["/evidence/usb/inbox.pst", "/evidence/usb/notes.docx"]);
    expect(session.drops).toHaveLength(1);
    render(Intake);
    expect(within(chosen()!).getByText("/evidence/usb/inbox.pst")).toBeInTheDocument();
    expect(within(chosen()!).getByText("/evidence/usb/notes.docx")).toBeInTheDocument();
    expect(session.drops).toHaveLength(0);
    expect(takeIn()).toBeEnabled();
  });

  it("lists files dropped while it is open", async () => {
    await openMock();
    render(Intake);
    dropOn(mock, ["/evidence/phone-export"]);
    flushSync();
    expect(await screen.findByText("/evidence/phone-export")).toBeInTheDocument();
    expect(session.drops).toHaveLength(0);
    dropOn(mock, ["/evidence/second.pdf"]);
    expect(await screen.findByText("/evidence/second.pdf")).toBeInTheDocument();
    expect(within(chosen()!).getAllByRole("listitem")).toHaveLength(2);
  });

  it("adds files and folders from the dialogs, and removes them", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(screen.getByRole("button", { name: "Add folder…" }));
    expect(mock.state.calls).toEqual(expect.arrayContaining(["pickPaths:intake_files", "pickPaths:intake_folder"]));
    expect(within(chosen()!).getByText("/evidence/a.txt")).toBeInTheDocument();
    expect(within(chosen()!).getByText("/evidence/folder")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Remove /evidence/a.txt" }));
    expect(screen.queryByText("/evidence/a.txt")).toBeNull();
    expect(within(chosen()!).getAllByRole("listitem")).toHaveLength(1);
  });

  it("ignores a cancelled dialog", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.pickPaths = async () => null;
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("offers a typed path only when typed paths are allowed", async () => {
    const user = userEvent.setup();
    await openMock({ typedPaths: true });
    render(Intake);
    const field = screen.getByLabelText("Path to take in");
    expect(field).toHaveAttribute("id", "typed-intake-path");
    await user.type(field, "/srv/evidence/batch-7");
    await user.click(screen.getByRole("button", { name: "Add path" }));
    expect(mock.state.calls).toContain("typedPath");
    expect(within(chosen()!).getByText("/srv/evidence/batch-7")).toBeInTheDocument();
    expect(field).toHaveValue("");
  });

  it("shows why a typed path was refused", async () => {
    const user = userEvent.setup();
    await openMock({ typedPaths: true });
    mock.typedPath = async () => {
      throw new BackendError("invalid_input", "batch-7 is not an absolute path");
    };
    render(Intake);
    await user.type(screen.getByLabelText("Path to take in"), "batch-7{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Batch-7 is not an absolute path.");
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
  });
});

describe("Intake: taking in", () => {
  it("takes in the chosen files with the batch details and summarises the result", async () => {
    const user = userEvent.setup();
    await openMock();
    const intake = vi.spyOn(mock, "intake");
    render(Intake);
    dropOn(mock, ["/evidence/one.txt", "/evidence/two.txt", "/evidence/three.txt"]);
    await screen.findByText("/evidence/one.txt");

    await user.type(screen.getByLabelText("Custodian"), "Erik Brandt");
    await user.type(screen.getByLabelText("Source (device or account)"), "Laptop HX-2231");
    await user.type(screen.getByLabelText("Collection method"), "Logical copy");
    await user.type(screen.getByLabelText("Purpose or authority"), "Litigation hold of 2026-05-20");
    await user.type(screen.getByLabelText("Description"), "Files from the desktop");
    await user.type(screen.getByLabelText("Tags"), "hot, laptop , ,hot");
    await user.click(screen.getByLabelText("Verify each file after copying (recommended)"));
    await user.click(takeIn());

    const summary = await screen.findByTestId("intake-summary");
    expect(summary).toHaveTextContent("3 stored, 0 duplicates, 0 failed");
    expect(summary).not.toHaveTextContent(/Cancelled/);

    const request = intake.mock.calls[0]![0] as IntakeRequest;
    expect(request).toEqual({
      selections: [expect.stringMatching(/^drop-/)],
      custodian: "Erik Brandt",
      source: "Laptop HX-2231",
      method: "Logical copy",
      purpose: "Litigation hold of 2026-05-20",
      description: "Files from the desktop",
      tags: ["hot", "laptop"],
      verify_after_copy: false,
      collected_at: null,
    });

    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText("/evidence/one.txt")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Stored")).toBeInTheDocument();
    await user.click(within(rows[1]!).getByRole("button", { name: "Open exhibit EX-0005" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0005" });
  });

  it("sends empty batch fields as absent, and verifies by default", async () => {
    const user = userEvent.setup();
    await openMock();
    const intake = vi.spyOn(mock, "intake");
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.type(screen.getByLabelText("Custodian"), "   ");
    await user.click(takeIn());
    await screen.findByTestId("intake-summary");
    expect(intake.mock.calls[0]![0]).toMatchObject({
      custodian: null,
      source: null,
      method: null,
      purpose: null,
      description: null,
      tags: [],
      verify_after_copy: true,
      collected_at: null,
    });
  });

  it("offers the custodians and sources recorded before", async () => {
    await openMock();
    render(Intake);
    const custodian = screen.getByLabelText("Custodian");
    const list = document.getElementById(custodian.getAttribute("list")!)!;
    await waitFor(() => expect([...list.querySelectorAll("option")].map((o) => o.value)).toEqual(["Erik Brandt", "IT Department"]));
    const source = document.getElementById(screen.getByLabelText("Source (device or account)").getAttribute("list")!)!;
    expect([...source.querySelectorAll("option")].map((o) => o.value)).toContain("Laptop HX-2231");
  });

  it("sends a stated collection time in UTC, and refuses one in the future before using up the files", async () => {
    const user = userEvent.setup();
    await openMock();
    const intake = vi.spyOn(mock, "intake");
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    const when = screen.getByLabelText("Collected at (UTC, if before today's intake)");
    await user.type(when, "2999-01-01T10:00");
    await user.click(takeIn());
    expect(await screen.findByRole("alert")).toHaveTextContent("The collection time is in the future.");
    expect(intake).not.toHaveBeenCalled();
    expect(chosen()).toBeInTheDocument();
    await user.clear(when);
    await user.type(when, "2026-05-20T14:30");
    await user.click(takeIn());
    await screen.findByTestId("intake-summary");
    expect(intake.mock.calls[0]![0]).toMatchObject({ collected_at: "2026-05-20T14:30:00Z" });
  });

  it("shows a failed automatic time stamp as a warning beside a standing intake", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.intake = async (): Promise<IntakeSummary> => ({
      stored: 1,
      duplicates: 0,
      failed: 0,
      cancelled: false,
      files: [{ path: "/evidence/a.txt", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "ab".repeat(32) } }],
      warnings: ["no timestamp from https://freetsa.org/tsr: no answer: connection refused"],
    });
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());

    expect(await screen.findByTestId("intake-summary")).toHaveTextContent("1 stored, 0 duplicates, 0 failed");
    expect(screen.getByTestId("intake-warning")).toHaveTextContent(
      "Taken in, but no timestamp from https://freetsa.org/tsr: no answer: connection refused.",
    );
  });

  it("lists failures first with their reasons", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.intake = async (): Promise<IntakeSummary> => ({
      stored: 1,
      duplicates: 1,
      failed: 1,
      cancelled: false,
      files: [
        { path: "/evidence/a.txt", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "ab".repeat(32) } },
        { path: "/evidence/b.txt", outcome: { outcome: "duplicate", exhibit: "EX-0001", sha256: "cd".repeat(32) } },
        { path: "/evidence/locked.xlsx", outcome: { outcome: "failed", reason: "permission denied (os error 13)" } },
      ],
      warnings: [],
    });
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());

    expect(await screen.findByTestId("intake-summary")).toHaveTextContent("1 stored, 1 duplicate, 1 failed");
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual([
      "/evidence/locked.xlsx",
      "/evidence/a.txt",
      "/evidence/b.txt",
    ]);
    expect(within(rows[0]!).getByText("Failed")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Permission denied (os error 13).")).toBeInTheDocument();
    expect(within(rows[0]!).queryByRole("button")).toBeNull();
    expect(within(rows[2]!).getByText("Duplicate")).toBeInTheDocument();
    expect(within(rows[2]!).getByRole("button", { name: "Open exhibit EX-0001" })).toBeInTheDocument();
  });

  it("shows progress while running and cancels on request", async () => {
    const user = userEvent.setup();
    await openMock();
    const pending = deferred<IntakeSummary>();
    let emit: (e: JobEvent) => void = () => {};
    mock.intake = (_req, onEvent) => {
      emit = onEvent;
      return pending.promise;
    };
    const cancelJob = vi.spyOn(mock, "cancelJob");
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add folder…" }));
    await user.click(takeIn());

    const progress = () => screen.getByRole("progressbar", { name: "Overall progress" }) as HTMLProgressElement;
    await screen.findByRole("progressbar", { name: "Overall progress" });
    // Indeterminate until the total is known.
    expect(progress()).not.toHaveAttribute("value");
    emit({ type: "begin", files: 4, bytes: 4000 });
    emit({ type: "file_started", path: "/evidence/folder/1.txt", size: 1000 });
    emit({ type: "progress", bytes: 1000, items: 0 });
    emit({ type: "file_done", path: "/evidence/folder/1.txt", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "ab".repeat(32) } });
    emit({ type: "file_started", path: "/evidence/folder/2.txt", size: 1000 });
    emit({ type: "progress", bytes: 2000, items: 0 });
    emit({ type: "file_done", path: "/evidence/folder/2.txt", outcome: { outcome: "failed", reason: "file changed while being read" } });
    emit({ type: "file_started", path: "/evidence/folder/3.txt", size: 1000 });
    flushSync();

    const bar = progress();
    expect(bar.value).toBe(2000);
    expect(bar.max).toBe(4000);
    expect(bar).toHaveAttribute("aria-valuetext", "2 of 4 files · 2.0 kB of 4.0 kB");
    expect(screen.getByTestId("intake-current")).toHaveTextContent("/evidence/folder/3.txt");
    expect(screen.getByRole("status")).toHaveTextContent("1 stored, 0 duplicates, 1 failed");

    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(cancelJob).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("button", { name: "Cancelling…" })).toBeDisabled();

    pending.resolve({
      stored: 1,
      duplicates: 0,
      failed: 1,
      cancelled: true,
      files: [
        { path: "/evidence/folder/1.txt", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "ab".repeat(32) } },
        { path: "/evidence/folder/2.txt", outcome: { outcome: "failed", reason: "file changed while being read" } },
      ],
      warnings: [],
    });
    const summary = await screen.findByTestId("intake-summary");
    expect(summary).toHaveTextContent("1 stored, 0 duplicates, 1 failed");
    expect(summary).toHaveTextContent("Cancelled — files not yet acknowledged were not taken in");
  });

  it("clears the list after an intake: selections are used once", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());
    await screen.findByTestId("intake-summary");
    await user.click(screen.getByRole("button", { name: "Take in more" }));
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
    expect(takeIn()).toBeDisabled();
    expect(screen.queryByTestId("intake-summary")).toBeNull();
  });

  it("says so when a selection is stale and clears the list", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    // The backend forgot the selection (e.g. the vault was locked meanwhile).
    mock.state.selections.clear();
    await user.click(takeIn());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "That file selection is no longer available; choose the files again.",
    );
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
    expect(screen.queryByTestId("intake-summary")).toBeNull();
  });

  it("shows other errors and asks for the files again", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.intake = async () => {
      throw new BackendError("busy", "another intake, verification, export or import is running");
    };
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Another intake, verification, export or import is running. Add the files or folders again to retry.",
    );
    expect(screen.getByText("Nothing chosen yet.")).toBeInTheDocument();
  });

  it("keeps files dropped during a run for the next batch", async () => {
    const user = userEvent.setup();
    await openMock();
    const pending = deferred<IntakeSummary>();
    mock.intake = () => pending.promise;
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());
    await screen.findByRole("progressbar");
    dropOn(mock, ["/evidence/late.msg"]);
    pending.resolve({ stored: 0, duplicates: 0, failed: 0, cancelled: false, files: [], warnings: [] });
    expect(await screen.findByTestId("intake-summary")).toHaveTextContent("0 stored, 0 duplicates, 0 failed");
    expect(screen.getByText("No files were found in what was chosen.")).toBeInTheDocument();
    expect(screen.getByText(/1 more item was dropped meanwhile/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Take in more" }));
    expect(within(chosen()!).getByText("/evidence/late.msg")).toBeInTheDocument();
    await waitFor(() => expect(takeIn()).toBeEnabled());
  });
});

describe("Intake: processing what was stored", () => {
  const outcome = (exhibit: string, over: Partial<ProcessReport["exhibits"][number]> = {}): ProcessReport["exhibits"][number] => ({
    exhibit,
    kind: "email",
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

  it("processes the exhibits stored, without OCR by default, and summarises", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.intake = async (): Promise<IntakeSummary> => ({
      stored: 2,
      duplicates: 1,
      failed: 1,
      cancelled: false,
      files: [
        { path: "/evidence/a.eml", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "ab".repeat(32) } },
        { path: "/evidence/b.txt", outcome: { outcome: "duplicate", exhibit: "EX-0001", sha256: "cd".repeat(32) } },
        { path: "/evidence/c.xlsx", outcome: { outcome: "failed", reason: "permission denied" } },
        { path: "/evidence/d.zip", outcome: { outcome: "stored", exhibit: "EX-0005", sha256: "ef".repeat(32) } },
      ],
      warnings: [],
    });
    const process = vi.fn(
      async (_req: ProcessRequest, _onEvent: (e: JobEvent) => void): Promise<ProcessReport> => ({
        exhibits: [
          outcome("EX-0004", { new_items: 2 }),
          outcome("EX-0005", { kind: "zip", status: "failed", reason: "the archive is damaged" }),
          outcome("EX-0006", { kind: "pdf" }),
          outcome("EX-0007", { kind: "text", new_items: 1 }),
        ],
        cancelled: false,
      }),
    );
    mock.processExhibits = process;
    render(Intake);
    expect(screen.getByLabelText("Recognise text in images and scans (OCR, slower)")).not.toBeChecked();
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());

    const summary = await screen.findByTestId("intake-process-summary");
    expect(process).toHaveBeenCalledTimes(1);
    expect(process.mock.calls[0]![0]).toEqual({ exhibits: ["EX-0004", "EX-0005"], ocr: false });
    expect(summary).toHaveTextContent("Processed 4: 3 new exhibits found inside, 1 failed.");
    const failures = screen.getByRole("list", { name: "Processing" });
    expect(within(failures).getAllByRole("listitem")).toHaveLength(1);
    expect(failures).toHaveTextContent("The archive is damaged.");
    await user.click(within(failures).getByRole("button", { name: "Open exhibit EX-0005" }));
    expect(router.params).toEqual({ id: "EX-0005" });
  });

  it("asks for OCR when ticked, shows progress and lets processing be cancelled", async () => {
    const user = userEvent.setup();
    await openMock();
    const job = deferred<ProcessReport>();
    let emit: (e: JobEvent) => void = () => {};
    const process = vi.fn((_req: ProcessRequest, onEvent: (e: JobEvent) => void) => {
      emit = onEvent;
      return job.promise;
    });
    mock.processExhibits = process;
    const cancelJob = vi.spyOn(mock, "cancelJob");
    render(Intake);
    dropOn(mock, ["/evidence/scan-1.png", "/evidence/scan-2.png"]);
    await screen.findByText("/evidence/scan-1.png");
    await user.click(screen.getByLabelText("Recognise text in images and scans (OCR, slower)"));
    await user.click(takeIn());

    await screen.findByTestId("intake-summary");
    await waitFor(() => expect(process).toHaveBeenCalledTimes(1));
    expect(process.mock.calls[0]![0]).toEqual({ exhibits: ["EX-0004", "EX-0005"], ocr: true });
    expect(session.job).toBe("processing");
    emit({ type: "begin", files: 2, bytes: 0 });
    emit({ type: "progress", bytes: 0, items: 1 });
    const processing = screen.getByTestId("intake-processing");
    await waitFor(() => expect(within(processing).getByRole("status")).toHaveTextContent("Processing 2 of 2…"));
    expect(screen.getByRole("progressbar", { name: "Processing, with text recognition (OCR)" })).toHaveAttribute("aria-valuetext", "Processing 2 of 2…");
    expect(screen.getByRole("button", { name: "Take in more" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Cancel processing" }));
    expect(cancelJob).toHaveBeenCalledTimes(1);
    job.resolve({ exhibits: [outcome("EX-0004", { kind: "image", ocr_pages: 1 })], cancelled: true });
    const summary = await screen.findByTestId("intake-process-summary");
    expect(summary).toHaveTextContent("Processed 1: 0 new exhibits found inside, 0 failed");
    expect(summary).toHaveTextContent("Cancelled — what was finished is kept");
    expect(session.job).toBeNull();
    expect(screen.getByRole("button", { name: "Take in more" })).toBeEnabled();
  });

  it("runs the mock vault's processing on what was stored", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Intake);
    dropOn(mock, ["/evidence/notes.txt"]);
    await screen.findByText("/evidence/notes.txt");
    await user.click(takeIn());
    expect(await screen.findByTestId("intake-process-summary")).toHaveTextContent("Processed 1: 0 new exhibits found inside, 0 failed.");
    expect(mock.state.processed.get("EX-0004")?.processing.status).toBe("done");
    expect(mock.state.log.some((e) => e.action === "derived" && e.exhibit === "EX-0004")).toBe(true);
  });

  it("does not process when nothing new was stored", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.intake = async (): Promise<IntakeSummary> => ({
      stored: 0,
      duplicates: 1,
      failed: 0,
      cancelled: false,
      files: [{ path: "/evidence/b.txt", outcome: { outcome: "duplicate", exhibit: "EX-0001", sha256: "cd".repeat(32) } }],
      warnings: [],
    });
    const process = vi.spyOn(mock, "processExhibits");
    render(Intake);
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());
    await screen.findByTestId("intake-summary");
    expect(process).not.toHaveBeenCalled();
    expect(screen.queryByTestId("intake-processing")).not.toBeInTheDocument();
  });

  it("says so when processing cannot run, the intake standing", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.processExhibits = async () => {
      throw new BackendError("internal", "OCR needs Tesseract: install it and try again");
    };
    render(Intake);
    await user.click(screen.getByLabelText("Recognise text in images and scans (OCR, slower)"));
    await user.click(screen.getByRole("button", { name: "Add files…" }));
    await user.click(takeIn());
    expect(await screen.findByTestId("intake-summary")).toHaveTextContent("1 stored");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Processing did not finish: OCR needs Tesseract: install it and try again. The files are stored; process them later from each exhibit's page.",
    );
  });
});

