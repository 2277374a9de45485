import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { MatterDashboard as DashboardData } from "../lib/bindings";
import { createMockBackend, MOCK_MATTER, MOCK_PASSPHRASE, mockEvent, type MockState } from "../lib/mock-backend";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Dashboard from "./Dashboard.svelte";
import { deferred } from "../lib/deferred";

type Mock = ReturnType<typeof createMockBackend>;

async function openMock(init: Partial<MockState> = {}): Promise<Mock> {
  const mock = createMockBackend(init);
  session.vault = await mock.openVault({ kind: "recent", vault_id: MOCK_MATTER.vault_id }, MOCK_PASSPHRASE);
  setBackend(mock);
  return mock;
}


const region = (name: string) => screen.getByRole("region", { name });

beforeEach(() => {
  session.info = null;
  session.vault = null;
  session.drops = [];
  reset("dashboard");
});

afterEach(() => setBackend(null));

describe("Dashboard", () => {
  it("shows the matter and its counts", async () => {
    await openMock();
    render(Dashboard);
    expect(screen.getByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    const matter = await screen.findByRole("region", { name: MOCK_MATTER.matter });
    expect(within(matter).getByText(MOCK_MATTER.matter_number!)).toBeInTheDocument();
    expect(within(matter).getByText(/^2026-06-01 09:00:00 UTC/)).toBeInTheDocument();
    expect(within(matter).getByText("Dana Whitfield")).toBeInTheDocument();

    expect(within(region("Exhibits")).getByText("3")).toHaveClass("figure");
    expect(within(region("Total size")).getByText(/counted once/)).toBeInTheDocument();
    // 1001 + 1002 + 1003 bytes
    expect(within(region("Total size")).getByText("3.0 kB")).toBeInTheDocument();
    expect(within(region("Custody events")).getByText("4")).toHaveClass("figure");
  });

  it("lists the custodians with their exhibit counts", async () => {
    await openMock();
    render(Dashboard);
    const custodians = await screen.findByRole("region", { name: "Custodians" });
    const rows = within(custodians).getAllByRole("row").slice(1);
    const cells = rows.map((r) => within(r).getAllByRole("cell").map((c) => c.textContent?.trim()));
    expect(cells).toEqual([
      ["Erik Brandt", "2"],
      ["IT Department", "1"],
    ]);
  });

  it("lists the productions made, newest first, with their bundle hashes", async () => {
    const production = (id: number, first: string, last: string, n: number, hash: string) => ({
      id,
      bates_prefix: "HAL",
      bates_width: 6,
      bates_first: first,
      bates_last: last,
      exhibits: n,
      bundle_sha256: hash.repeat(64),
      destination: `/home/dana/Productions/${first}-${last}.zip.age`,
      produced_at: `2026-06-0${id + 1}T12:00:00.000000Z`,
    });
    await openMock({ productions: [production(1, "HAL000001", "HAL000012", 12, "a"), production(2, "HAL000013", "HAL000015", 3, "b")] });
    render(Dashboard);
    const region = await screen.findByRole("region", { name: "Productions" });
    const rows = within(region).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0].textContent?.trim())).toEqual(["HAL000013 – HAL000015", "HAL000001 – HAL000012"]);
    expect(within(rows[1]).getAllByRole("cell")[1]).toHaveTextContent("12");
    expect(within(rows[0]).getByRole("button", { name: "Copy the SHA-256 of HAL000013–HAL000015" })).toBeInTheDocument();
  });

  it("says when nothing was produced yet", async () => {
    await openMock();
    render(Dashboard);
    const region = await screen.findByRole("region", { name: "Productions" });
    expect(region).toHaveTextContent("No production exported yet.");
  });

  it("lists recent custody events in words, with the exhibit as a link", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Dashboard);
    const recent = await screen.findByRole("region", { name: "Recent custody events" });
    const rows = within(recent).getAllByRole("row").slice(1);
    // Newest first: three collections, then the creation of the vault.
    expect(rows).toHaveLength(4);
    expect(within(rows[0]!).getByText("Collected")).toBeInTheDocument();
    expect(within(rows[3]!).getByText("Vault created")).toBeInTheDocument();
    expect(within(rows[3]!).getByText("2026-06-01 10:01:00 UTC")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("Dana Whitfield")).toBeInTheDocument();
    expect(within(rows[3]!).queryByRole("button")).toBeNull();
    // What happened, in the vault's words.
    expect(rows[0]!.querySelector(".words")).toHaveTextContent(/^Collected “/);
    expect(rows[3]!.querySelector(".words")).toHaveTextContent("vault created");

    await user.click(within(rows[0]!).getByRole("button", { name: "Open exhibit EX-0003" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0003" });
  });

  it("says when the vault was never verified and offers to verify it", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Dashboard);
    const card = await screen.findByRole("region", { name: "Last verification" });
    expect(within(card).getByText("Never verified")).toBeInTheDocument();
    await user.click(within(card).getByRole("button", { name: "Verify now" }));
    expect(router.screen).toBe("verify");
  });

  it("shows a passed verification", async () => {
    const mock = await openMock();
    const base = mock.dashboard;
    mock.dashboard = async () => ({
      ...(await base()),
      last_verification: { time: "2026-06-03T12:30:00.000000Z", mode: "quick", ok: true, errors: 0, warnings: 0, actor: "Sam Okoro" },
    });
    render(Dashboard);
    const card = await screen.findByRole("region", { name: "Last verification" });
    expect(within(card).getByText("Passed")).toHaveClass("badge-ok");
    expect(within(card).getByText("Quick verification")).toBeInTheDocument();
    expect(within(card).getByText("0 errors, 0 warnings")).toBeInTheDocument();
    expect(within(card).getByText(/^2026-06-03 12:30:00 UTC .*by Sam Okoro$/)).toBeInTheDocument();
    expect(within(card).queryByText("Never verified")).toBeNull();
  });

  it("shows a failed verification with its counts", async () => {
    const mock = await openMock();
    const base = mock.dashboard;
    mock.dashboard = async () => ({
      ...(await base()),
      last_verification: { time: "2026-06-03T12:30:00.000000Z", mode: "full", ok: false, errors: 2, warnings: 1, actor: "Dana Whitfield" },
    });
    render(Dashboard);
    const card = await screen.findByRole("region", { name: "Last verification" });
    expect(within(card).getByText("Failed")).toHaveClass("badge-danger");
    expect(within(card).getByText("Full verification")).toBeInTheDocument();
    expect(within(card).getByText("2 errors, 1 warning")).toBeInTheDocument();
  });

  it("states an empty matter in words", async () => {
    await openMock({ exhibits: [], log: [mockEvent(1, { action: "vault_created" })] });
    render(Dashboard);
    const exhibits = await screen.findByRole("region", { name: "Exhibits" });
    expect(within(exhibits).getByText("0")).toBeInTheDocument();
    expect(within(exhibits).getByText("No exhibits yet. Take some in from the Intake screen.")).toBeInTheDocument();
    expect(within(region("Total size")).getByText("0 bytes")).toBeInTheDocument();
    expect(within(region("Custodians")).getByText(/^No custodians yet\./)).toBeInTheDocument();
  });

  it("names a custodian left blank", async () => {
    const mock = await openMock();
    const base = mock.dashboard;
    mock.dashboard = async () => ({ ...(await base()), custodians: [{ name: "", exhibits: 4 }] });
    render(Dashboard);
    const custodians = await screen.findByRole("region", { name: "Custodians" });
    expect(within(custodians).getByText("No custodian recorded")).toBeInTheDocument();
  });

  it("goes to the intake screen from Take in files", async () => {
    const user = userEvent.setup();
    await openMock();
    render(Dashboard);
    await screen.findByRole("region", { name: "Exhibits" });
    await user.click(screen.getByRole("button", { name: "Take in files" }));
    expect(router.screen).toBe("intake");
    expect(screen.queryByRole("button", { name: /Export/ })).toBeNull();
  });

  it("says it is loading until the dashboard arrives", async () => {
    const mock = await openMock();
    const pending = deferred<DashboardData>();
    const base = mock.dashboard;
    mock.dashboard = () => pending.promise;
    render(Dashboard);
    expect(screen.getByRole("status")).toHaveTextContent("Loading the dashboard…");
    expect(screen.queryByRole("region", { name: "Exhibits" })).toBeNull();
    pending.resolve(await base());
    expect(await screen.findByRole("region", { name: "Exhibits" })).toBeInTheDocument();
    expect(screen.queryByText("Loading the dashboard…")).toBeNull();
  });

  it("shows the error when the dashboard cannot be loaded, and tries again", async () => {
    const user = userEvent.setup();
    const mock = await openMock();
    const base = mock.dashboard;
    let fail = true;
    mock.dashboard = async () => {
      if (fail) throw new BackendError("damaged_database", "the vault database is damaged: file is not a database");
      return base();
    };
    render(Dashboard);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The dashboard could not be loaded. The vault database is damaged: file is not a database.");
    expect(screen.queryByRole("region", { name: "Exhibits" })).toBeNull();

    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(screen.getByRole("region", { name: "Exhibits" })).toBeInTheDocument();
  });
});
