import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { setBackend } from "./lib/backend";
import { createMockBackend, dropOn, MOCK_FIRM, MOCK_FIRM_MATTERS, MOCK_MATTER, MOCK_PASSPHRASE } from "./lib/mock-backend";
import { clearNotices, notices } from "./lib/notices.svelte";
import { reset, router } from "./lib/router.svelte";
import { beginJob, closed, endJob, session } from "./lib/session.svelte";

const OPEN = { matter: MOCK_MATTER, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null };

describe("App", () => {
  beforeEach(() => {
    reset();
    closed();
  });
  afterEach(() => {
    clearNotices();
    setBackend(null);
  });

  it("shows the start screen, without navigation, when no vault is open", async () => {
    setBackend(createMockBackend());
    render(App);
    expect(await screen.findByRole("heading", { name: "Create a vault" })).toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
  });

  it("shows the dashboard and the rail when a vault is already open", async () => {
    setBackend(createMockBackend({ open: OPEN }));
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getAllByRole("button").map((b) => b.textContent?.trim())).toEqual([
      "Dashboard",
      "Intake",
      "Exhibits",
      "Search",
      "Timeline",
      "Verify",
      "Custody log",
      "Export",
      "Check bundle",
      "Import",
      "Settings",
    ]);
    expect(document.querySelector(".topbar")).toHaveTextContent(MOCK_MATTER.matter);
    await waitFor(() => expect(router.screen).toBe("dashboard"));
  });

  it("checks a bundle without a vault, full-window, and Back returns to the start screen", async () => {
    const b = createMockBackend();
    setBackend(b);
    const user = userEvent.setup();
    render(App);
    await screen.findByRole("heading", { name: "Create a vault" });
    await user.click(screen.getByRole("button", { name: "Check a bundle" }));

    expect(router.screen).toBe("bundles");
    expect(await screen.findByRole("heading", { level: 1, name: "Check a bundle" })).toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Create a vault" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(screen.getByRole("button", { name: "Check bundle" }));
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    expect(screen.queryByRole("button", { name: "Import into this vault…" })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Back" }));
    expect(router.screen).toBe("start");
    expect(await screen.findByRole("heading", { name: "Create a vault" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { level: 1, name: "Check a bundle" })).toBeNull();
  });

  it("with a vault open, a checked bundle goes on to the import screen with its selection", async () => {
    const b = createMockBackend({ open: OPEN });
    setBackend(b);
    const user = userEvent.setup();
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    await user.click(within(nav).getByRole("button", { name: "Check bundle" }));
    expect(within(nav).getByRole("button", { name: "Check bundle" })).toHaveAttribute("aria-current", "page");
    const main = screen.getByRole("main");
    await user.click(within(main).getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(within(main).getByRole("button", { name: "Check bundle" }));
    await screen.findByTestId("bundle-result");
    await user.click(within(main).getByRole("button", { name: "Import into this vault…" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Import a bundle" })).toBeInTheDocument();
    expect(within(nav).getByRole("button", { name: "Import" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("bundle-path")).toHaveTextContent("/home/dana/Productions/HAL000001-HAL000003");
    expect(b.state.calls.filter((c) => c === "pickPaths:bundle_folder")).toHaveLength(1);
  });

  it("while a long job runs, the rail stays on its screen and drops are refused", async () => {
    const b = createMockBackend({ open: OPEN });
    setBackend(b);
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(b.state.dropListeners.length).toBe(1));
    beginJob("export");
    await waitFor(() => expect(within(nav).getByRole("button", { name: "Intake" })).toBeDisabled());
    expect(within(nav).getByRole("button", { name: "Intake" })).toHaveAttribute("title", "Wait for the export to finish, or cancel it");
    expect(within(nav).getByRole("button", { name: "Dashboard" })).toBeEnabled();
    dropOn(b, ["/evidence/late"]);
    expect(notices.items.map((n) => n.message).join(" ")).toMatch(/Wait for the export to finish, then drop the files again/);
    expect(router.screen).toBe("dashboard");
    endJob();
    await waitFor(() => expect(within(nav).getByRole("button", { name: "Intake" })).toBeEnabled());
  });

  it("Lock locks the vault and returns to the start screen", async () => {
    const b = createMockBackend({ open: OPEN });
    setBackend(b);
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByRole("button", { name: "Lock" }));
    expect(b.state.calls).toContain("lockVault");
    expect(await screen.findByRole("heading", { name: "Open a vault" })).toBeInTheDocument();
  });

  it("an idle lock from the backend returns to the start screen and says why", async () => {
    const b = createMockBackend({ open: OPEN });
    setBackend(b);
    render(App);
    await screen.findByRole("navigation", { name: "Main" });
    b.state.open = null;
    b.state.lockListeners.forEach((l) => l("idle"));
    expect(await screen.findByRole("heading", { name: "Open a vault" })).toBeInTheDocument();
    expect(notices.items.map((n) => n.message).join(" ")).toMatch(/locked after a period without activity/);
  });

  it("files dropped on the window go to the intake screen", async () => {
    const b = createMockBackend({ open: OPEN });
    setBackend(b);
    render(App);
    await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(b.state.dropListeners.length).toBe(1));
    dropOn(b, ["/evidence/Brandt laptop"]);
    await waitFor(() => expect(router.screen).toBe("intake"));
    expect(await screen.findByText("/evidence/Brandt laptop")).toBeInTheDocument();
  });

  it("a drop without an open vault is refused with a notice", async () => {
    const b = createMockBackend();
    setBackend(b);
    render(App);
    await screen.findByRole("heading", { name: "Create a vault" });
    await waitFor(() => expect(b.state.dropListeners.length).toBe(1));
    dropOn(b, ["/evidence/x"]);
    await waitFor(() => expect(notices.items.map((n) => n.message).join(" ")).toMatch(/Unlock a vault before dropping/));
    expect(router.screen).toBe("start");
  });

  it("notes a firm vault's catalog in the top bar, and nothing for an ordinary vault", async () => {
    setBackend(createMockBackend({ open: { ...OPEN, firm: MOCK_FIRM } }));
    const { unmount } = render(App);
    await screen.findByRole("navigation", { name: "Main" });
    const topbar = document.querySelector(".topbar")!;
    expect(topbar).toHaveTextContent(`${MOCK_MATTER.matter} Firm vault · catalog in ${MOCK_FIRM}`);
    const note = within(topbar as HTMLElement).getByText(/^Firm vault · catalog in/);
    expect(note).toHaveAttribute("title", expect.stringContaining("recorded under your own name (Dana Whitfield)"));
    unmount();

    closed();
    setBackend(createMockBackend({ open: OPEN }));
    render(App);
    await screen.findByRole("navigation", { name: "Main" });
    expect(document.querySelector(".topbar")).toHaveTextContent(MOCK_MATTER.matter);
    expect(document.querySelector(".topbar")).not.toHaveTextContent(/Firm vault/);
    expect(screen.queryByText(/catalog in/)).toBeNull();
  });

  it("joining a firm matter on the start screen lands in its dashboard, noted as a firm vault", async () => {
    const matter = MOCK_FIRM_MATTERS[0]!;
    const b = createMockBackend();
    setBackend(b);
    const user = userEvent.setup();
    render(App);
    const firm = await screen.findByRole("region", { name: "Firm matters" });
    await user.click(within(firm).getByRole("button", { name: "Choose firm config…" }));
    await user.click(await within(firm).findByRole("button", { name: `Join ${matter.vault_id}` }));
    await user.click(within(firm).getByRole("button", { name: "Choose folder for the copy…" }));
    await user.type(within(firm).getByLabelText("Your passphrase to the matter"), MOCK_PASSPHRASE);
    await user.click(within(firm).getByRole("button", { name: "Join matter" }));

    await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(b.state.calls).toContain("joinFirm");
    expect(session.vault?.firm).toBe(MOCK_FIRM);
    expect(document.querySelector(".topbar")).toHaveTextContent(`${matter.matter} Firm vault · catalog in ${MOCK_FIRM}`);
    // The copy is now one of this computer's vaults.
    expect(b.state.recent[0]).toMatchObject({ vault_id: matter.vault_id, path: "/evidence/folder", available: true });
  });
});
