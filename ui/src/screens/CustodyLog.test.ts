import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { CustodyEvent, SaveTextRequest, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockEvent, type MockState } from "../lib/mock-backend";
import { clearNotices, notices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import CustodyLog from "./CustodyLog.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false });

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
    }),
    mockEvent(3, { action: "collected", exhibit: "EX-00010", time: "2026-06-01T00:00:00.000000Z", actor: "Mara Holt" }),
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

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), log: sampleLog(), ...init });
  setBackend(mock);
  return mock;
}

function bodyRows(): HTMLElement[] {
  return Array.from(screen.getByRole("grid", { name: "Custody events" }).querySelectorAll<HTMLElement>(".vt-body [role='row']"));
}

const seqsShown = () => bodyRows().map((r) => Number(r.querySelectorAll("[role='gridcell']")[1]?.textContent?.trim()));

async function loaded(total: number) {
  await screen.findByText(new RegExp(`of ${total} events`));
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
  it("lists every event with its number, UTC time, action in words, exhibit, actor, location and hash result", async () => {
    install();
    render(CustodyLog);
    await loaded(6);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(screen.getByText(/6 of 6 events/)).toBeInTheDocument();
    expect(seqsShown()).toEqual([1, 2, 3, 4, 5, 6]);
    const second = bodyRows()[1]!;
    expect(second).toHaveTextContent("2026-05-31 23:59:59 UTC");
    expect(second).toHaveTextContent("Collected");
    expect(second).toHaveTextContent("EX-0001");
    expect(second).toHaveTextContent("Dana Whitfield");
    expect(second).toHaveTextContent("ws-paralegal-2");
    expect(second).toHaveTextContent("SHA-256 ✓ match");
    expect(bodyRows()[0]).toHaveTextContent("Vault created");
    const fifth = bodyRows()[4]!;
    expect(fifth).toHaveTextContent("Metadata edited");
    expect(fifth).toHaveTextContent('field: "description", after: "Note, \\"quoted\\""');
  });

  it("filters by action and actor from the values present", async () => {
    install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const actionSelect = screen.getByLabelText("Action");
    const options = within(actionSelect).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["All actions", "Collected", "Metadata edited", "Vault created", "Verified", "Viewed"]);

    await user.selectOptions(actionSelect, "Collected");
    expect(screen.getByText(/2 of 6 events/)).toBeInTheDocument();
    expect(seqsShown()).toEqual([2, 3]);

    await user.selectOptions(screen.getByLabelText("Actor"), "Mara Holt");
    expect(seqsShown()).toEqual([3]);

    await user.selectOptions(actionSelect, "All actions");
    expect(seqsShown()).toEqual([3, 4]);

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(seqsShown()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("filters by exhibit: a whole id matches only that exhibit, part of one matches several", async () => {
    install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    const input = screen.getByLabelText("Exhibit");
    await user.type(input, "ex-0001");
    expect(seqsShown()).toEqual([2, 4]);
    expect(screen.getByText(/2 of 6 events/)).toBeInTheDocument();
    await user.clear(input);
    await user.type(input, "EX-000");
    expect(seqsShown()).toEqual([2, 3, 4, 5]);
    await user.clear(input);
    await user.type(input, "EX-9");
    expect(seqsShown()).toEqual([]);
    expect(screen.getByText("No events match the filters.")).toBeInTheDocument();
  });

  it("pre-fills the exhibit filter from its prop", async () => {
    install();
    render(CustodyLog, { exhibit: "EX-0002" });
    await loaded(6);
    expect(screen.getByLabelText("Exhibit")).toHaveValue("EX-0002");
    expect(seqsShown()).toEqual([5]);
    expect(screen.getByText(/1 of 6 events/)).toBeInTheDocument();
  });

  it("filters by the UTC date of each event", async () => {
    install();
    render(CustodyLog);
    await loaded(6);
    const from = screen.getByLabelText("From (UTC date)");
    const to = screen.getByLabelText("To (UTC date)");

    await fireEvent.input(from, { target: { value: "2026-06-01" } });
    expect(seqsShown()).toEqual([3, 4, 5, 6]);

    await fireEvent.input(to, { target: { value: "2026-06-01" } });
    expect(seqsShown()).toEqual([3, 4]);

    await fireEvent.input(from, { target: { value: "" } });
    await fireEvent.input(to, { target: { value: "2026-05-31" } });
    // 23:59:59.999999 UTC on 31 May is still 31 May.
    expect(seqsShown()).toEqual([1, 2]);

    await fireEvent.input(from, { target: { value: "2026-06-02" } });
    expect(seqsShown()).toEqual([]);
    expect(screen.getByText(/The from date is after the to date/)).toBeInTheDocument();
  });

  it("exports the filtered events as guarded CSV and says where it was saved", async () => {
    const mock = install();
    const save = vi.fn(async (req: SaveTextRequest) => `/home/dana/Exports/${req.suggested_name}`);
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.selectOptions(screen.getByLabelText("Actor"), "Dana Whitfield");
    expect(seqsShown()).toEqual([1, 2, 5]);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));

    expect(save).toHaveBeenCalledTimes(1);
    const req = save.mock.calls[0]![0];
    expect(req.suggested_name).toBe(`custody-log-halvorsen-dynamics-v-brandt-${today()}.csv`);
    const lines = req.content.split("\r\n");
    expect(lines[0]).toBe(
      "seq,time,action,exhibit,actor,released_by,received_by,purpose,method,tool,hash_algorithm,hash_before,hash_after,hashes_match,location,details",
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^1,2026-05-30T08:00:00\.000000Z,vault_created,,Dana Whitfield,/);
    expect(lines[2]).toBe(
      `2,2026-05-31T23:59:59.999999Z,collected,EX-0001,Dana Whitfield,,,,,Custos 0.1.0,SHA-256,${"ab".repeat(32)},${"ab".repeat(32)},true,ws-paralegal-2,{}`,
    );
    // Formula guard on the location, RFC 4180 quoting of the details.
    expect(lines[3]).toBe(
      `5,2026-06-02T09:00:00.000000Z,metadata_edited,EX-0002,Dana Whitfield,,,,,Custos 0.1.0,,,,,'@SUM(1+1),"{""field"":""description"",""after"":""Note, \\""quoted\\""""}"`,
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

  it("guards a cell that begins with a minus sign", async () => {
    const mock = install();
    const save = vi.fn(async (_req: SaveTextRequest) => "/tmp/log.csv");
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.selectOptions(screen.getByLabelText("Action"), "Verified");
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    const lines = save.mock.calls[0]![0].content.split("\r\n");
    expect(lines[1]).toMatch(/^6,2026-06-03T09:00:00\.000000Z,verified,,'-Admin,/);
  });

  it("names the file after the vault when no matter is known, and does nothing when the dialog is cancelled", async () => {
    session.vault = null;
    const mock = install();
    const save = vi.fn(async (_req: SaveTextRequest) => null);
    mock.saveTextFile = save;
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(save.mock.calls[0]![0].suggested_name).toBe(`custody-log-vault-${today()}.csv`);
    await waitFor(() => expect(screen.getByRole("button", { name: "Export CSV" })).toBeEnabled());
    expect(notices.items).toHaveLength(0);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("names the problem when the file cannot be saved", async () => {
    const mock = install();
    mock.saveTextFile = async () => {
      throw new BackendError("io", "the disk is full");
    };
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the disk is full");
  });

  it("shows an event's full record and opens its exhibit", async () => {
    install();
    const user = userEvent.setup();
    render(CustodyLog);
    await loaded(6);
    await user.dblClick(bodyRows()[1]!);
    const dialog = await screen.findByRole("dialog", { name: "Custody event 2" });
    expect(dialog).toHaveTextContent("ab".repeat(32));
    expect(dialog).toHaveTextContent("✓ Match");
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

  it("names the problem when the log cannot be loaded, and can try again", async () => {
    const mock = install();
    const base = mock.custodyLog;
    let fail = true;
    mock.custodyLog = async () => {
      if (fail) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
      return base();
    };
    const user = userEvent.setup();
    render(CustodyLog);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("the vault is locked; unlock it with its passphrase");
    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await loaded(6);
  });
});
