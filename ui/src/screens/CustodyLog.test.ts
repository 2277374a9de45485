import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIONS, actionLabel } from "../lib/actions";
import { BackendError, setBackend } from "../lib/backend";
import type { CustodyEvent, CustodyPage, CustodyQuery, SaveTextRequest, VaultSummary } from "../lib/bindings";
import { compareText } from "../lib/components/table";
import { deferred } from "../lib/deferred";
import { MOCK_MATTER, createMockBackend, mockEvent, type MockState } from "../lib/mock-backend";
import { clearNotices, notices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import CustodyLog from "./CustodyLog.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function sampleLog(): CustodyEvent[] {
  return [
    mockEvent(1, { action: "vault_created", time: "2026-05-30T08:00:00.000000Z" }),
    mockEvent(2, {
      action: "collected",
      exhibit: "EX-0001",
      time: "2026-05-31T23:59:59.999999Z",
      hash_algorithm: "SHA-256",
      hash_before: "ab".repeat(32),
      hash_after: "ab".repeat(32),
      hashes_match: true,
      details: { name: "x.pdf", size: 7 },
    }),
    mockEvent(3, { action: "collected", exhibit: "EX-00010", time: "2026-06-01T00:00:00.000000Z", actor: "Mara Holt", details: { name: "y.pdf" } }),
    mockEvent(4, { action: "viewed", exhibit: "EX-0001", time: "2026-06-01T12:00:00.000000Z", actor: "Mara Holt" }),
    mockEvent(5, {
      action: "metadata_edited",
      exhibit: "EX-0002",
      time: "2026-06-02T09:00:00.000000Z",
      location: "@SUM(1+1)",
      details: { field: "description", after: 'Note, "quoted"' },
    }),
    mockEvent(6, { action: "verified", time: "2026-06-03T09:00:00.000000Z", actor: "-Admin", details: { mode: "full", ok: true } }),
  ];
}

/** A long log: event n by "Dana Whitfield", every third by "Mara Holt". */
function longLog(n: number): CustodyEvent[] {
  return Array.from({ length: n }, (_, i) => mockEvent(i + 1, { action: "viewed", exhibit: "EX-0001", actor: i % 3 === 0 ? "Mara Holt" : "Dana Whitfield" }));
}

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), log: sampleLog(), ...init });
  // The mock's own windows, for a test that holds some of them back.
  const base = mock.custodyWindow;
  const windows = vi.spyOn(mock, "custodyWindow");
  setBackend(mock);
  return { mock, windows, base };
}

type WindowSpy = ReturnType<typeof install>["windows"];

/** The queries the table sent for its rows (not the count nor the CSV). */
const tableQueries = (windows: WindowSpy): CustodyQuery[] => windows.mock.calls.map(([q]) => q).filter((q) => q.limit === 200);

const lastTableQuery = (windows: WindowSpy): CustodyQuery => tableQueries(windows).at(-1)!;

const NO_FILTER = { exhibit: null, action: null, actor: null, from: null, to: null };

function bodyRows(): HTMLElement[] {
  return Array.from(screen.getByRole("grid", { name: "Custody events" }).querySelectorAll<HTMLElement>(".vt-body [role='row']"));
}

const seqsShown = () => bodyRows().map((r) => Number(r.querySelectorAll("[role='gridcell']")[1]?.textContent?.trim()));

const countText = () => screen.getByTestId("event-count").textContent?.trim();

async function loaded(total: number) {
  await screen.findByText(new RegExp(`of ${total.toLocaleString("en-US")} events`));
}

async function seqs(expected: number[]) {
  await waitFor(() => expect(seqsShown()).toEqual(expected));
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`;
};

beforeEach(() => {
  reset("log");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("CustodyLog", () => {
  it("opens at the newest event, each with its number, UTC time, action, exhibit, examiner, location, hash result and words", async () => {
    const { windows } = install();
    render(CustodyLog);
    await loaded(6);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(countText()).toBe("6 of 6 events");
    expect(seqsShown()).toEqual([6, 5, 4, 3, 2, 1]);
    expect(screen.getByRole("columnheader", { name: /No\./ })).toHaveAttribute("aria-sort", "descending");
    expect(windows.mock.calls[0]![0]).toEqual({ ...NO_FILTER, direction: "descending", offset: 0, limit: 200 });

    const second = bodyRows()[4]!;
    expect(second).toHaveTextContent("2026-05-31 23:59:59");
    expect(second).toHaveTextContent("Collected");
    expect(second).toHaveTextContent("EX-0001");
    expect(second).toHaveTextContent("Dana Whitfield");
    expect(second).toHaveTextContent("ws-paralegal-2");
    expect(second).toHaveTextContent("SHA-256 ✓ match");
    // The details in words, as the vault gives them, not as raw fields.
    expect(second).toHaveTextContent("Collected “x.pdf”");
    expect(second).not.toHaveTextContent("size: 7");
    const fifth = bodyRows()[1]!;
    expect(fifth).toHaveTextContent("Metadata edited");
    expect(fifth).toHaveTextContent('Description set to “Note, "quoted"”');
    expect(fifth).not.toHaveTextContent('field: "description"');
    expect(bodyRows()[5]).toHaveTextContent("Vault created");
  });

  it("flips to the oldest first at a click on the number's header, and back", async () => {
    const { windows } = install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const header = screen.getByRole("button", { name: /No\./ });
    // The vault orders by sequence number only: no other column sorts.
    expect(screen.queryByRole("button", { name: /Time/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Action/ })).not.toBeInTheDocument();

    await user.click(header);
    await seqs([1, 2, 3, 4, 5, 6]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, direction: "ascending", offset: 0, limit: 200 });
    expect(screen.getByRole("columnheader", { name: /No\./ })).toHaveAttribute("aria-sort", "ascending");

    await user.click(header);
    await seqs([6, 5, 4, 3, 2, 1]);
    expect(lastTableQuery(windows).direction).toBe("descending");
  });

  it("offers every action and has the vault filter by it, counting against the whole log", async () => {
    const { windows } = install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const actionSelect = screen.getByLabelText("Action");
    const options = within(actionSelect).getAllByRole("option");
    // Every action the vault records, not only those in the events loaded.
    expect(options.map((o) => o.textContent)).toEqual(["All actions", ...ACTIONS.map(actionLabel).sort(compareText)]);
    expect(options).toHaveLength(ACTIONS.length + 1);
    expect(within(actionSelect).getByRole("option", { name: "Passphrase changed" })).toHaveValue("passphrase_changed");

    await user.selectOptions(actionSelect, "Collected");
    await seqs([3, 2]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, action: "collected", direction: "descending", offset: 0, limit: 200 });
    await waitFor(() => expect(countText()).toBe("2 of 6 events"));

    await user.selectOptions(actionSelect, "Passphrase changed");
    await waitFor(() => expect(screen.getByText("No events match the filters.")).toBeInTheDocument());
    expect(countText()).toBe("0 of 6 events");

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await seqs([6, 5, 4, 3, 2, 1]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, direction: "descending", offset: 0, limit: 200 });
  });

  it("applies the exhibit and examiner typed after a pause, a whole id in the vault's spelling", async () => {
    const { windows } = install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const asked = tableQueries(windows).length;

    await user.type(screen.getByLabelText("Exhibit"), "ex-0001");
    await seqs([4, 2]);
    expect(lastTableQuery(windows).exhibit).toBe("EX-0001");
    // Not a query per key typed: the text is sent once, whole.
    expect(tableQueries(windows).slice(asked).map((q) => q.exhibit)).toEqual(["EX-0001"]);
    expect(countText()).toBe("2 of 6 events");

    await user.type(screen.getByLabelText("Examiner"), "Mara Holt");
    await seqs([4]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, exhibit: "EX-0001", actor: "Mara Holt", direction: "descending", offset: 0, limit: 200 });

    await user.clear(screen.getByLabelText("Exhibit"));
    await seqs([4, 3]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, actor: "Mara Holt", direction: "descending", offset: 0, limit: 200 });
  });

  it("never lets an older answer overwrite a newer one", async () => {
    const { windows, base } = install();
    const slow = deferred<void>();
    windows.mockImplementation(async (q: CustodyQuery) => {
      if (q.exhibit === "EX-0001") await slow.promise;
      return base(q);
    });
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const input = screen.getByLabelText("Exhibit");

    await user.type(input, "EX-0001");
    await waitFor(() => expect(lastTableQuery(windows).exhibit).toBe("EX-0001"));
    await user.clear(input);
    await user.type(input, "EX-0002");
    await seqs([5]);
    expect(countText()).toBe("1 of 6 events");

    // The answer for EX-0001 comes last; it is dropped.
    slow.resolve();
    await new Promise((r) => setTimeout(r, 50));
    expect(seqsShown()).toEqual([5]);
    expect(countText()).toBe("1 of 6 events");
  });

  it("pre-fills the exhibit filter from its prop and asks for nothing else", async () => {
    const { windows } = install();
    render(CustodyLog, { exhibit: "EX-0002" });
    await loaded(6);
    expect(screen.getByLabelText("Exhibit")).toHaveValue("EX-0002");
    expect(seqsShown()).toEqual([5]);
    expect(countText()).toBe("1 of 6 events");
    for (const q of tableQueries(windows)) expect(q.exhibit).toBe("EX-0002");
    // The whole log's count: one event asked for, no filter.
    expect(windows).toHaveBeenCalledWith({ ...NO_FILTER, direction: "descending", offset: 0, limit: 1 });
  });

  it("has the vault filter by UTC day", async () => {
    const { windows } = install();
    render(CustodyLog);
    await loaded(6);
    const from = screen.getByLabelText("From (UTC date)");
    const to = screen.getByLabelText("To (UTC date)");

    await fireEvent.input(from, { target: { value: "2026-06-01" } });
    await seqs([6, 5, 4, 3]);
    expect(lastTableQuery(windows)).toEqual({ ...NO_FILTER, from: "2026-06-01", direction: "descending", offset: 0, limit: 200 });

    await fireEvent.input(to, { target: { value: "2026-06-01" } });
    await seqs([4, 3]);
    expect(lastTableQuery(windows)).toMatchObject({ from: "2026-06-01", to: "2026-06-01" });

    await fireEvent.input(from, { target: { value: "" } });
    await fireEvent.input(to, { target: { value: "2026-05-31" } });
    // 23:59:59.999999 UTC on 31 May is still 31 May.
    await seqs([2, 1]);
    expect(lastTableQuery(windows)).toMatchObject({ from: null, to: "2026-05-31" });

    await fireEvent.input(from, { target: { value: "2026-06-02" } });
    await seqs([]);
    expect(screen.getByText(/The from date is after the to date/)).toBeInTheDocument();
  });

  it("shows an empty date input as empty, and a filled one as filled", async () => {
    install();
    render(CustodyLog);
    await loaded(6);
    for (const label of ["From (UTC date)", "To (UTC date)"]) {
      const input = screen.getByLabelText(label);
      expect(input).toHaveClass("empty");
      await fireEvent.input(input, { target: { value: "2026-06-01" } });
      expect(input).not.toHaveClass("empty");
      await fireEvent.input(input, { target: { value: "" } });
      expect(input).toHaveClass("empty");
    }
    await fireEvent.input(screen.getByLabelText("From (UTC date)"), { target: { value: "2026-06-01" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Clear filters" }));
    expect(screen.getByLabelText("From (UTC date)")).toHaveClass("empty");
  });

  it("holds no more than the windows drawn of a long log", async () => {
    const { windows } = install({ log: longLog(5000) });
    render(CustodyLog);
    await loaded(5000);
    expect(countText()).toBe("5,000 of 5,000 events");
    expect(seqsShown()[0]).toBe(5000);
    const rendered = bodyRows().length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);

    // Far down the table: the window there is fetched, and only it.
    const grid = screen.getByRole("grid", { name: "Custody events" });
    grid.scrollTop = 4900 * 28;
    grid.dispatchEvent(new Event("scroll"));
    await waitFor(() => expect(seqsShown()).toContain(100));
    expect(tableQueries(windows).map((q) => q.offset)).toContain(4800);
    expect(tableQueries(windows).map((q) => q.offset)).not.toContain(2000);
    for (const r of windows.mock.results) expect((await (r.value as Promise<CustodyPage>)).events.length).toBeLessThanOrEqual(200);
  });

  it("exports the matching events as guarded CSV, read a window at a time oldest first, with the words last", async () => {
    const { mock, windows } = install();
    const save = vi.fn(async (req: SaveTextRequest) => `/home/dana/Exports/${req.suggested_name}`);
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.type(screen.getByLabelText("Examiner"), "Dana Whitfield");
    await seqs([5, 2, 1]);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));

    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(windows).toHaveBeenCalledWith({ ...NO_FILTER, actor: "Dana Whitfield", direction: "ascending", offset: 0, limit: 2000 });
    const req = save.mock.calls[0]![0];
    expect(req.suggested_name).toBe(`custody-log-halvorsen-dynamics-v-brandt-${today()}.csv`);
    const lines = req.content.split("\r\n");
    expect(lines[0]).toBe(
      "seq,time,action,exhibit,actor,released_by,received_by,purpose,method,tool,hash_algorithm,hash_before,hash_after,hashes_match,location,details,words",
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^1,2026-05-30T08:00:00\.000000Z,vault_created,,Dana Whitfield,.*,vault created$/);
    expect(lines[2]).toBe(
      `2,2026-05-31T23:59:59.999999Z,collected,EX-0001,Dana Whitfield,,,,,Custos 0.1.0,SHA-256,${"ab".repeat(32)},${"ab".repeat(32)},true,ws-paralegal-2,"{""name"":""x.pdf"",""size"":7}",Collected “x.pdf”`,
    );
    // Formula guard on the location, RFC 4180 quoting of the details and words.
    expect(lines[3]).toBe(
      `5,2026-06-02T09:00:00.000000Z,metadata_edited,EX-0002,Dana Whitfield,,,,,Custos 0.1.0,,,,,'@SUM(1+1),"{""field"":""description"",""after"":""Note, \\""quoted\\""""}","Description set to “Note, ""quoted""”"`,
    );
    expect(lines[4]).toBe("");
    expect(req.content).not.toContain("Mara Holt");

    await waitFor(() =>
      expect(notices.items.map((n) => [n.kind, n.message])).toContainEqual([
        "success",
        `Custody log saved to /home/dana/Exports/${req.suggested_name} (3 events).`,
      ]),
    );
  });

  it("reads a long log for the CSV 2,000 events at a time, saying how far it got", async () => {
    const { mock, windows, base } = install({ log: longLog(5000) });
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    windows.mockImplementation(async (q: CustodyQuery) => {
      if (q.limit === 2000) await gates[q.offset / 2000]!.promise;
      return base(q);
    });
    const save = vi.fn(async (_req: SaveTextRequest) => "/tmp/log.csv");
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(5000);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByText("Reading events…")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export CSV" })).toBeDisabled();

    gates[0]!.resolve();
    expect(await screen.findByText("Reading events: 2,000 of 5,000")).toBeInTheDocument();
    gates[1]!.resolve();
    expect(await screen.findByText("Reading events: 4,000 of 5,000")).toBeInTheDocument();
    gates[2]!.resolve();
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));

    const csvQueries = windows.mock.calls.map(([q]) => q).filter((q) => q.limit === 2000);
    expect(csvQueries.map((q) => [q.direction, q.offset])).toEqual([
      ["ascending", 0],
      ["ascending", 2000],
      ["ascending", 4000],
    ]);
    for (const r of windows.mock.results) expect((await (r.value as Promise<CustodyPage>)).events.length).toBeLessThanOrEqual(2000);
    const lines = save.mock.calls[0]![0].content.split("\r\n");
    expect(lines).toHaveLength(5002);
    expect(lines[1]).toMatch(/^1,/);
    expect(lines[5000]).toMatch(/^5000,/);
    await waitFor(() => expect(screen.queryByText(/Reading events/)).not.toBeInTheDocument());
    expect(screen.queryByRole("button", { name: "Cancel" })).not.toBeInTheDocument();
  });

  it("stops reading the CSV at Cancel and saves nothing", async () => {
    const { mock, windows, base } = install({ log: longLog(5000) });
    const second = deferred<void>();
    windows.mockImplementation(async (q: CustodyQuery) => {
      if (q.limit === 2000 && q.offset > 0) await second.promise;
      return base(q);
    });
    const save = vi.fn(async (_req: SaveTextRequest) => "/tmp/log.csv");
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(5000);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByText("Reading events: 2,000 of 5,000")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Cancel" }));
    second.resolve();
    expect(await screen.findByText("CSV export cancelled; nothing was saved.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Export CSV" })).toBeEnabled());
    expect(screen.queryByText(/Reading events/)).not.toBeInTheDocument();
    // The window on its way when cancelled was the last one asked for.
    expect(windows.mock.calls.filter(([q]) => q.limit === 2000).map(([q]) => q.offset)).toEqual([0, 2000]);
    expect(save).not.toHaveBeenCalled();
    expect(notices.items).toHaveLength(0);
  });

  it("exports only the events selected, and a new filter clears the selection", async () => {
    const { mock } = install();
    const save = vi.fn(async (_req: SaveTextRequest) => "/tmp/log.csv");
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.click(screen.getByRole("checkbox", { name: "Select 5" }));
    await user.click(screen.getByRole("checkbox", { name: "Select 2" }));
    await user.click(screen.getByRole("button", { name: "Export selected (2)" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    const lines = save.mock.calls[0]![0].content.split("\r\n");
    expect(lines.map((l) => l.split(",")[0])).toEqual(["seq", "2", "5", ""]);

    // Flipping the order keeps the selection (the same events)…
    await user.click(screen.getByRole("button", { name: /No\./ }));
    await seqs([1, 2, 3, 4, 5, 6]);
    expect(screen.getByRole("button", { name: "Export selected (2)" })).toBeInTheDocument();
    // …a filter does not: the vault cannot say which of them it keeps.
    await user.selectOptions(screen.getByLabelText("Action"), "Collected");
    await seqs([2, 3]);
    expect(screen.queryByRole("button", { name: /Export selected/ })).not.toBeInTheDocument();
  });

  it("guards a cell that begins with a minus sign", async () => {
    const { mock } = install();
    const save = vi.fn(async (_req: SaveTextRequest) => "/tmp/log.csv");
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.selectOptions(screen.getByLabelText("Action"), "Verified");
    await seqs([6]);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    const lines = save.mock.calls[0]![0].content.split("\r\n");
    expect(lines[1]).toMatch(/^6,2026-06-03T09:00:00\.000000Z,verified,,'-Admin,/);
  });

  it("names the file after the vault when no matter is known, and does nothing when the dialog is cancelled", async () => {
    session.vault = null;
    const { mock } = install();
    const save = vi.fn(async (_req: SaveTextRequest) => null);
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(save.mock.calls[0]![0].suggested_name).toBe(`custody-log-vault-${today()}.csv`);
    await waitFor(() => expect(screen.getByRole("button", { name: "Export CSV" })).toBeEnabled());
    expect(notices.items).toHaveLength(0);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("names the problem when the file cannot be saved, or the events cannot be read for it", async () => {
    const { mock, windows } = install();
    mock.saveTextFile = async () => {
      throw new BackendError("io", "the disk is full");
    };
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The CSV was not saved: the disk is full");

    windows.mockImplementation(async () => {
      throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The CSV was not saved: the vault is locked"));
  });

  it("shows an event in words first, then its full record, and opens its exhibit", async () => {
    install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.dblClick(bodyRows()[4]!);
    const dialog = await screen.findByRole("dialog", { name: "Custody event 2" });
    const words = within(dialog).getByText("Collected “x.pdf”");
    const record = dialog.querySelector("dl")!;
    // The words come before the record.
    expect(words.compareDocumentPosition(record) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(record).toHaveTextContent("ab".repeat(32));
    expect(record).toHaveTextContent("✓ Match");
    expect(record).toHaveTextContent("(collected)");
    expect(record).toHaveTextContent("Custos 0.1.0");
    expect(record).toHaveTextContent("ws-paralegal-2");
    expect(record.querySelector("pre")!.textContent).toBe(JSON.stringify({ name: "x.pdf", size: 7 }, null, 2));
    await user.click(within(dialog).getByRole("button", { name: "Open exhibit EX-0001" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0001" });
  });

  it("says in words when the log is empty", async () => {
    install({ log: [] });
    render(CustodyLog);
    await loaded(0);
    expect(screen.getByText("The custody log has no events.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export CSV" })).toBeDisabled();
  });

  it("names the problem when the log cannot be read, and can try again", async () => {
    const { windows, base } = install();
    let fail = true;
    windows.mockImplementation(async (q: CustodyQuery) => {
      if (fail) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
      return base(q);
    });
    const user = userEvent.setup();
    render(CustodyLog);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("the vault is locked; unlock it with its passphrase");
    expect(screen.getByText("The custody log could not be loaded.")).toBeInTheDocument();
    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await loaded(6);
    expect(seqsShown()).toEqual([6, 5, 4, 3, 2, 1]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
