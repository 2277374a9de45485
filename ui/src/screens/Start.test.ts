import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { CreateVaultRequest, JoinFirmRequest, Selection, VaultSummary, VaultTarget } from "../lib/bindings";
import { formatLocal, parseTime } from "../lib/format";
import { createMockBackend, MOCK_FIRM, MOCK_FIRM_MATTERS, MOCK_MATTER, MOCK_PASSPHRASE, type MockState } from "../lib/mock-backend";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Start from "./Start.svelte";
import { deferred } from "../lib/deferred";

/** Rated "Very strong" by the strength meter. */
const STRONG = "vXq7!mR2#tL9-pw4Zk8@Jd3e";
const slow = { timeout: 10_000 };

type Mock = ReturnType<typeof createMockBackend>;
let mock: Mock;

function install(init: Partial<MockState> = {}): Mock {
  mock = createMockBackend(init);
  setBackend(mock);
  return mock;
}


async function setup(init: Partial<MockState> = {}) {
  install(init);
  const user = userEvent.setup();
  render(Start);
  // The recent list arrives from appInfo().
  await screen.findByRole("heading", { name: "Open a vault" });
  await waitFor(() => expect(session.info).not.toBeNull());
  return user;
}

const unlockForm = () => screen.getByRole("form", { name: "Unlock the vault" });
const unlockField = () => within(unlockForm()).getByLabelText("Passphrase") as HTMLInputElement;
const createButton = () => screen.getByRole("button", { name: /^Create vault$|^Creating the vault…$/ });
const hint = () => document.getElementById("create-hint")!;

beforeEach(() => {
  session.info = null;
  session.vault = null;
  session.drops = [];
  reset("start");
});

afterEach(() => {
  setBackend(null);
  vi.restoreAllMocks();
});

describe("Start: header and recent vaults", () => {
  it("shows the app name, its version and the recent vaults", async () => {
    await setup();
    expect(screen.getByRole("heading", { level: 1, name: "Custos" })).toBeInTheDocument();
    expect(await screen.findByText(/Version 0\.1\.0/)).toBeInTheDocument();
    const recent = screen.getByRole("list", { name: "Recent vaults" });
    expect(within(recent).getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ })).toHaveTextContent(
      /Last opened 2026-06-02/,
    );
    // No passphrase field until a vault is chosen.
    expect(screen.queryByRole("form", { name: "Unlock the vault" })).toBeNull();
  });

  it("says so when no vault was opened yet", async () => {
    await setup({ recent: [] });
    expect(await screen.findByText("No vaults have been opened on this computer yet.")).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Recent vaults" })).toBeNull();
  });

  it("greys out a vault whose folder is gone and forgets it on request", async () => {
    const user = await setup({
      recent: [
        { vault_id: "gone-1", path: "/mnt/usb/OldMatter", last_opened: "2026-05-01T08:00:00Z", available: false },
        { vault_id: MOCK_MATTER.vault_id, path: "/home/dana/Matters/Halvorsen", last_opened: "2026-06-02T08:00:00Z", available: true },
      ],
    });
    const recent = screen.getByRole("list", { name: "Recent vaults" });
    const gone = within(recent).getByText("/mnt/usb/OldMatter").closest("li")!;
    expect(gone).toHaveClass("unavailable");
    expect(within(gone).getByText(/Folder not found/)).toBeInTheDocument();
    // It cannot be chosen for unlocking.
    expect(within(recent).queryByRole("button", { name: /^\/mnt\/usb\/OldMatter/ })).toBeNull();

    const forget = vi.spyOn(mock, "forgetRecent");
    await user.click(within(recent).getByRole("button", { name: "Forget /mnt/usb/OldMatter" }));
    expect(forget).toHaveBeenCalledWith("gone-1");
    await waitFor(() => expect(screen.queryByText("/mnt/usb/OldMatter")).toBeNull());
    expect(session.info?.recent.map((r) => r.vault_id)).toEqual([MOCK_MATTER.vault_id]);
  });

  it("shows an alert when the app info cannot be read", async () => {
    install();
    mock.appInfo = async () => {
      throw new BackendError("io", "the settings folder is not readable");
    };
    render(Start);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The list of recent vaults could not be read. The settings folder is not readable.",
    );
  });
});

describe("Start: unlocking", () => {
  it("unlocks a recent vault and goes to the dashboard", async () => {
    const user = await setup();
    const open = vi.spyOn(mock, "openVault");
    await user.click(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ }));
    expect(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ })).toHaveAttribute("aria-pressed", "true");
    const field = unlockField();
    expect(field).toHaveAttribute("id", "unlock-passphrase");
    expect(field).toHaveFocus();
    await user.type(field, MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));

    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(open).toHaveBeenCalledWith({ kind: "recent", vault_id: MOCK_MATTER.vault_id }, MOCK_PASSPHRASE);
    expect(session.vault?.matter.matter).toBe(MOCK_MATTER.matter);
  });

  it("shows that it is unlocking and disables the button meanwhile", async () => {
    const user = await setup();
    const pending = deferred<VaultSummary>();
    mock.openVault = () => pending.promise;
    await user.click(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ }));
    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.keyboard("{Enter}");

    const busy = await within(unlockForm()).findByRole("button", { name: "Unlocking…" });
    expect(busy).toBeDisabled();
    expect(router.screen).toBe("start");
    pending.resolve({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });
    await waitFor(() => expect(router.screen).toBe("dashboard"));
  });

  it("says the passphrase is wrong, clears the field and focuses it again", async () => {
    const user = await setup();
    await user.click(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ }));
    await user.type(unlockField(), "not the passphrase");
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong passphrase. Check caps lock and try again.");
    const field = unlockField();
    expect(field).toHaveValue("");
    await waitFor(() => expect(field).toHaveFocus());
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(router.screen).toBe("start");
    expect(session.vault).toBeNull();

    // A second attempt with the right passphrase works.
    await user.type(field, MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(router.screen).toBe("dashboard"));
  });

  it("shows the backend's message for other failures", async () => {
    const user = await setup();
    mock.openVault = async () => {
      throw new BackendError("vault_in_use", "another Custos process has the vault open");
    };
    await user.click(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Halvorsen/ }));
    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Another Custos process has the vault open.");
    expect(screen.getByRole("alert")).not.toHaveTextContent(/Wrong passphrase/);
    expect(unlockField()).toHaveValue("");
  });

  it("opens another vault folder chosen in a dialog", async () => {
    const user = await setup();
    const open = vi.spyOn(mock, "openVault");
    await user.click(screen.getByRole("button", { name: "Open another vault folder…" }));
    expect(mock.state.calls).toContain("pickPaths:open_vault");
    expect(within(unlockForm()).getByText("/evidence/folder")).toBeInTheDocument();
    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    const target = open.mock.calls[0]![0] as VaultTarget;
    expect(target.kind).toBe("selection");
    expect(target.kind === "selection" && target.token).toMatch(/^sel-/);
  });

  it("does nothing when the folder dialog is cancelled", async () => {
    const user = await setup();
    mock.pickPaths = async () => null;
    await user.click(screen.getByRole("button", { name: "Open another vault folder…" }));
    expect(screen.queryByRole("form", { name: "Unlock the vault" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks for a chosen folder again after a failed attempt (a selection is used once)", async () => {
    const user = await setup();
    const pick = vi.spyOn(mock, "pickPaths");
    const open = vi.spyOn(mock, "openVault");
    await user.click(screen.getByRole("button", { name: "Open another vault folder…" }));
    await user.type(unlockField(), "wrong wrong wrong");
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong passphrase. Check caps lock and try again.");
    expect(screen.getByText(/Unlock asks for the folder again/)).toBeInTheDocument();

    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(pick).toHaveBeenCalledTimes(2);
    const [first, second] = open.mock.calls.map((c) => c[0] as VaultTarget);
    expect(first).not.toEqual(second);
  });
});

describe("Start: typed paths", () => {
  it("offers no path fields unless typed paths are allowed", async () => {
    await setup();
    expect(document.getElementById("typed-open-path")).toBeNull();
    expect(document.getElementById("typed-new-path")).toBeNull();
    expect(screen.queryByLabelText("Vault folder path")).toBeNull();
    expect(screen.queryByLabelText("New vault folder path")).toBeNull();
  });

  it("opens a vault from a typed folder path", async () => {
    const user = await setup({ typedPaths: true });
    const typed = vi.spyOn(mock, "typedPath");
    const open = vi.spyOn(mock, "openVault");
    const field = await screen.findByLabelText("Vault folder path");
    expect(field).toHaveAttribute("id", "typed-open-path");
    expect(screen.getByLabelText("New vault folder path")).toHaveAttribute("id", "typed-new-path");

    await user.type(field, "/srv/vaults/brandt");
    await user.click(screen.getByRole("button", { name: "Use this folder" }));
    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(typed).toHaveBeenCalledWith("/srv/vaults/brandt");
    expect((open.mock.calls[0]![0] as VaultTarget).kind).toBe("selection");
  });
});

describe("Start: creating a vault", () => {
  async function fillValid(user: ReturnType<typeof userEvent.setup>) {
    await user.type(screen.getByLabelText("Matter name"), "Okafor v. Lindqvist Freight");
    await user.type(screen.getByLabelText("Matter number"), "24-CV-0091");
    await user.click(screen.getByRole("button", { name: /Choose folder…/ }));
    const form = screen.getByRole("region", { name: "Create a vault" });
    await user.type(within(form).getByLabelText("Passphrase"), STRONG);
    await user.type(screen.getByLabelText("Confirm passphrase"), STRONG);
  }

  it("prefills the examiner and the prefix, and explains why Create is disabled", async () => {
    await setup();
    expect(screen.getByLabelText("Examiner")).toHaveValue("Dana Whitfield");
    expect(screen.getByLabelText("Exhibit number prefix")).toHaveValue("EX-");
    expect(createButton()).toBeDisabled();
    expect(hint()).toHaveTextContent("Enter the matter name.");
    expect(screen.getByText(/cannot be\s+recovered unless a recovery key is set/)).toBeInTheDocument();
  });

  it("stays disabled until the form is valid, naming what is missing", async () => {
    const user = await setup();
    const form = screen.getByRole("region", { name: "Create a vault" });
    await user.type(screen.getByLabelText("Matter name"), "Okafor v. Lindqvist Freight");
    expect(hint()).toHaveTextContent("Choose a folder for the vault.");

    await user.clear(screen.getByLabelText("Examiner"));
    expect(hint()).toHaveTextContent("Enter the examiner's name.");
    await user.type(screen.getByLabelText("Examiner"), "Sam Okoro");

    await user.click(screen.getByRole("button", { name: /Choose folder…/ }));
    expect(within(form).getByText("/evidence/folder")).toBeInTheDocument();
    expect(hint()).toHaveTextContent(/at least 12 characters/);

    const passphrase = within(form).getByLabelText("Passphrase");
    expect(passphrase).toHaveAttribute("id", "create-passphrase");
    await user.type(passphrase, "password1234");
    await waitFor(() => expect(hint()).toHaveTextContent(/too weak/), slow);
    expect(createButton()).toBeDisabled();

    await user.clear(passphrase);
    await user.type(passphrase, STRONG);
    await waitFor(() => expect(hint()).toHaveTextContent(/Confirm passphrase/), slow);

    const confirm = screen.getByLabelText("Confirm passphrase");
    expect(confirm).toHaveAttribute("id", "create-confirm");
    await user.type(confirm, `${STRONG}x`);
    expect(hint()).toHaveTextContent("The passphrases do not match.");
    expect(confirm).toHaveAttribute("aria-invalid", "true");
    expect(createButton()).toBeDisabled();

    await user.type(confirm, "{Backspace}");
    await waitFor(() => expect(createButton()).toBeEnabled());
    expect(hint()).toHaveTextContent("");

    await user.type(screen.getByLabelText("Recovery key (age1…)"), "not-a-key");
    expect(hint()).toHaveTextContent("A recovery key starts with “age1”.");
    expect(createButton()).toBeDisabled();
  }, 30_000);

  it("creates the vault with the values entered and goes to the dashboard", async () => {
    const user = await setup();
    const create = vi.spyOn(mock, "createVault");
    await fillValid(user);
    await user.clear(screen.getByLabelText("Exhibit number prefix"));
    await user.type(screen.getByLabelText("Exhibit number prefix"), "OLF-");
    await user.type(screen.getByLabelText("Recovery key (age1…)"), "  age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp  ");
    await waitFor(() => expect(createButton()).toBeEnabled(), slow);
    await user.click(createButton());

    await waitFor(() => expect(router.screen).toBe("dashboard"));
    const request = create.mock.calls[0]![0] as CreateVaultRequest;
    expect(request).toEqual({
      folder: expect.stringMatching(/^sel-/),
      matter: "Okafor v. Lindqvist Freight",
      matter_number: "24-CV-0091",
      examiner: "Dana Whitfield",
      passphrase: STRONG,
      recovery_recipient: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp",
      exhibit_prefix: "OLF-",
    });
    expect(session.vault?.matter.matter).toBe("Okafor v. Lindqvist Freight");
  }, 30_000);

  it("creates in a typed folder when typed paths are allowed", async () => {
    const user = await setup({ typedPaths: true });
    const create = vi.spyOn(mock, "createVault");
    await user.type(screen.getByLabelText("Matter name"), "Okafor v. Lindqvist Freight");
    await user.type(await screen.findByLabelText("New vault folder path"), "/srv/vaults/okafor");
    const form = screen.getByRole("region", { name: "Create a vault" });
    await user.type(within(form).getByLabelText("Passphrase"), STRONG);
    await user.type(screen.getByLabelText("Confirm passphrase"), STRONG);
    await waitFor(() => expect(createButton()).toBeEnabled(), slow);
    await user.click(createButton());
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(mock.state.calls).toContain("typedPath");
    expect((create.mock.calls[0]![0] as CreateVaultRequest).matter_number).toBeNull();
  }, 30_000);

  it("shows a creation error and asks for the folder again", async () => {
    const user = await setup();
    mock.createVault = async () => {
      throw new BackendError("already_exists", "a vault already exists in /evidence/folder");
    };
    await fillValid(user);
    await waitFor(() => expect(createButton()).toBeEnabled(), slow);
    await user.click(createButton());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "A vault already exists in /evidence/folder. Choose the folder again.",
    );
    expect(router.screen).toBe("start");
    expect(hint()).toHaveTextContent("Choose a folder for the vault.");
    expect(createButton()).toBeDisabled();
  }, 30_000);
});

describe("Start: demo matter", () => {
  it("explains the demo and opens it, showing progress meanwhile", async () => {
    const user = await setup();
    expect(screen.getByText(/sample documents shipped with Custos/)).toBeInTheDocument();
    expect(screen.getByText("demo passphrase")).toBeInTheDocument();
    const pending = deferred<VaultSummary>();
    mock.openDemo = () => pending.promise;

    await user.click(screen.getByRole("button", { name: "Open demo matter" }));
    expect(await screen.findByRole("button", { name: "Preparing the demo matter…" })).toBeDisabled();
    pending.resolve({ matter: { ...MOCK_MATTER, matter: "Demo matter" }, path: "/data/demo", demo: true, examiner: "Dana Whitfield", firm: null });
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(session.vault?.demo).toBe(true);
  });

  it("shows why the demo could not be opened", async () => {
    const user = await setup();
    mock.openDemo = async () => {
      throw new BackendError("io", "no space left on device");
    };
    await user.click(screen.getByRole("button", { name: "Open demo matter" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No space left on device.");
    expect(router.screen).toBe("start");
  });
});

describe("Start: firm matters", () => {
  const [OKAFOR, REYES] = MOCK_FIRM_MATTERS as [(typeof MOCK_FIRM_MATTERS)[number], (typeof MOCK_FIRM_MATTERS)[number]];
  const CONFIG = "/home/dana/Firm/custos-firm.toml";
  const panel = () => screen.getByRole("region", { name: "Firm matters" });
  const matterList = () => within(panel()).getByRole("list", { name: "Matters in the firm database" });
  const row = (vaultId: string) => within(matterList()).getByText(vaultId).closest("li")!;
  const joinForm = () => screen.getByRole("form", { name: "Join the firm matter" });
  const joinField = () => within(joinForm()).getByLabelText("Your passphrase to the matter") as HTMLInputElement;
  const joinButton = () => within(joinForm()).getByRole("button", { name: /^Join matter$|^Making this computer's copy…$/ });
  const local = (iso: string) => formatLocal(parseTime(iso)!);

  async function chooseConfig(user: ReturnType<typeof userEvent.setup>) {
    await user.click(within(panel()).getByRole("button", { name: "Choose firm config…" }));
    await within(panel()).findByRole("list", { name: "Matters in the firm database" });
  }

  it("lists the firm database's matters once a firm config is chosen", async () => {
    const user = await setup();
    const pick = vi.spyOn(mock, "pickPaths");
    const list = vi.spyOn(mock, "firmMatters");
    expect(within(panel()).getByText("Nothing chosen yet.")).toBeInTheDocument();
    expect(within(panel()).queryByRole("list")).toBeNull();
    expect(list).not.toHaveBeenCalled();

    await chooseConfig(user);
    expect(pick).toHaveBeenCalledWith("firm_config");
    const config = (await pick.mock.results[0]!.value) as Selection;
    expect(list).toHaveBeenCalledWith(config.token);
    expect(within(panel()).getByText(CONFIG)).toBeInTheDocument();

    const items = within(matterList()).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(OKAFOR.vault_id);
    expect(items[0]).toHaveTextContent(`Created ${local("2026-05-20T14:03:11Z")} · 42 changes`);
    expect(items[1]).toHaveTextContent(REYES.vault_id);
    expect(items[1]).toHaveTextContent(`Created ${local("2026-06-08T07:45:00Z")} · 7 changes`);
    // The names are sealed in the database: none is shown before unlocking.
    expect(panel()).not.toHaveTextContent(OKAFOR.matter);
    expect(within(items[0]!).getByRole("button", { name: `Join ${OKAFOR.vault_id}` })).toBeEnabled();
    expect(within(items[0]!).queryByRole("button", { name: /^Open the copy/ })).toBeNull();
  });

  it("says so when the firm database holds no matter yet", async () => {
    const user = await setup({ firmMatters: [] });
    await user.click(within(panel()).getByRole("button", { name: "Choose firm config…" }));
    expect(await within(panel()).findByText("The firm database holds no matter yet.")).toBeInTheDocument();
    expect(within(panel()).queryByRole("list")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the backend's message when the matters cannot be listed, and reads them again on request", async () => {
    const user = await setup();
    const listed = mock.firmMatters;
    mock.firmMatters = async () => {
      throw new BackendError("io", "cannot reach postgresql://custos@db.firm.example:5432/matters: connection refused");
    };
    await user.click(within(panel()).getByRole("button", { name: "Choose firm config…" }));
    expect(await within(panel()).findByRole("alert")).toHaveTextContent(
      "Cannot reach postgresql://custos@db.firm.example:5432/matters: connection refused.",
    );
    expect(within(panel()).queryByRole("list")).toBeNull();
    expect(within(panel()).queryByText("The firm database holds no matter yet.")).toBeNull();
    // The config stays chosen.
    expect(within(panel()).getByText(CONFIG)).toBeInTheDocument();

    mock.firmMatters = listed;
    await user.click(within(panel()).getByRole("button", { name: "Read the list again" }));
    expect(await within(panel()).findByRole("list", { name: "Matters in the firm database" })).toBeInTheDocument();
    expect(within(panel()).queryByRole("alert")).toBeNull();
  });

  it("asks for the firm config again when its selection is gone", async () => {
    const user = await setup();
    mock.firmMatters = async () => {
      throw new BackendError("stale_selection", "that file selection is no longer available; choose the files again");
    };
    await user.click(within(panel()).getByRole("button", { name: "Choose firm config…" }));
    expect(await within(panel()).findByRole("alert")).toHaveTextContent(/Choose the firm config again\.$/);
    expect(within(panel()).getByText("Nothing chosen yet.")).toBeInTheDocument();
  });

  it("offers opening a matter whose copy is already on this computer, the usual way, instead of joining it", async () => {
    const okafor = { vault_id: OKAFOR.vault_id, path: "/home/dana/Matters/Okafor", last_opened: "2026-06-02T08:00:00Z", available: true };
    const halvorsen = { vault_id: MOCK_MATTER.vault_id, path: "/home/dana/Matters/Halvorsen", last_opened: "2026-06-01T08:00:00Z", available: true };
    const user = await setup({ recent: [okafor, halvorsen] });
    const open = vi.spyOn(mock, "openVault");
    const join = vi.spyOn(mock, "joinFirm");
    await chooseConfig(user);

    const here = row(OKAFOR.vault_id);
    expect(here).toHaveTextContent(`Already on this computer: /home/dana/Matters/Okafor · last opened ${local("2026-06-02T08:00:00Z")}`);
    expect(within(here).queryByRole("button", { name: /^Join/ })).toBeNull();
    expect(within(row(REYES.vault_id)).queryByText(/Already on this computer/)).toBeNull();
    expect(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` })).toBeInTheDocument();

    await user.click(within(here).getByRole("button", { name: `Open the copy of ${OKAFOR.vault_id}` }));
    // The open panel's unlock form, with that recent vault chosen.
    expect(screen.getByRole("button", { name: /^\/home\/dana\/Matters\/Okafor/ })).toHaveAttribute("aria-pressed", "true");
    expect(within(unlockForm()).getByText("/home/dana/Matters/Okafor")).toBeInTheDocument();
    await waitFor(() => expect(unlockField()).toHaveFocus());
    expect(screen.queryByRole("form", { name: "Join the firm matter" })).toBeNull();

    await user.type(unlockField(), MOCK_PASSPHRASE);
    await user.click(within(unlockForm()).getByRole("button", { name: "Unlock" }));
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(open).toHaveBeenCalledWith({ kind: "recent", vault_id: OKAFOR.vault_id }, MOCK_PASSPHRASE);
    expect(join).not.toHaveBeenCalled();
    expect(session.vault?.firm).toBe(MOCK_FIRM);
    expect(session.vault?.matter.matter).toBe(OKAFOR.matter);
  });

  it("offers joining again when the copy's folder is gone", async () => {
    const user = await setup({
      recent: [{ vault_id: OKAFOR.vault_id, path: "/mnt/usb/Okafor", last_opened: "2026-05-01T08:00:00Z", available: false }],
    });
    await chooseConfig(user);
    const gone = row(OKAFOR.vault_id);
    expect(gone).toHaveTextContent("Its copy at /mnt/usb/Okafor is not found");
    expect(within(gone).queryByRole("button", { name: /^Open the copy/ })).toBeNull();
    expect(within(gone).getByRole("button", { name: `Join ${OKAFOR.vault_id}` })).toBeEnabled();
  });

  it("joins a matter in an empty folder with the person's own passphrase, then goes to the opened vault", async () => {
    const user = await setup();
    const pick = vi.spyOn(mock, "pickPaths");
    const join = vi.spyOn(mock, "joinFirm");
    await chooseConfig(user);
    await user.click(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` }));

    expect(within(joinForm()).getByText(REYES.vault_id)).toBeInTheDocument();
    expect(within(joinForm()).getByText(/the person who added you to the matter set for you, or your own/)).toBeInTheDocument();
    expect(joinField()).toHaveAttribute("type", "password");
    expect(joinButton()).toBeDisabled();
    expect(document.getElementById("join-hint")).toHaveTextContent("Choose an empty folder for this computer's copy.");

    await user.click(within(joinForm()).getByRole("button", { name: "Choose folder for the copy…" }));
    expect(pick).toHaveBeenLastCalledWith("new_vault");
    expect(within(joinForm()).getByText("/evidence/folder")).toBeInTheDocument();
    await waitFor(() => expect(joinField()).toHaveFocus());
    expect(document.getElementById("join-hint")).toHaveTextContent("Enter your passphrase to the matter.");
    expect(joinButton()).toBeDisabled();

    await user.type(joinField(), MOCK_PASSPHRASE);
    expect(joinButton()).toBeEnabled();
    await user.click(joinButton());

    await waitFor(() => expect(router.screen).toBe("dashboard"));
    const [config, folder] = (await Promise.all(pick.mock.results.map((r) => r.value))) as Selection[];
    expect(join).toHaveBeenCalledTimes(1);
    expect(join.mock.calls[0]![0] as JoinFirmRequest).toEqual({
      config: config!.token,
      vault_id: REYES.vault_id,
      folder: folder!.token,
      passphrase: MOCK_PASSPHRASE,
    });
    expect(config!.token).not.toBe(folder!.token);
    expect(session.vault).toMatchObject({ path: "/evidence/folder", firm: MOCK_FIRM, matter: { vault_id: REYES.vault_id, matter: REYES.matter } });
  });

  it("shows that it is joining and disables the button meanwhile", async () => {
    const user = await setup();
    const pending = deferred<VaultSummary>();
    mock.joinFirm = () => pending.promise;
    await chooseConfig(user);
    await user.click(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` }));
    await user.click(within(joinForm()).getByRole("button", { name: "Choose folder for the copy…" }));
    await user.type(joinField(), MOCK_PASSPHRASE);
    await user.keyboard("{Enter}");

    const busy = await within(joinForm()).findByRole("button", { name: "Making this computer's copy…" });
    expect(busy).toBeDisabled();
    expect(within(joinForm()).getByRole("button", { name: "Choose folder for the copy…" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Choose firm config…" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Open demo matter" })).toBeDisabled();
    expect(router.screen).toBe("start");
    pending.resolve({ matter: { ...REYES }, path: "/evidence/folder", demo: false, examiner: "Dana Whitfield", firm: MOCK_FIRM });
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(session.vault?.firm).toBe(MOCK_FIRM);
  });

  it("says a wrong passphrase plainly and keeps nothing of it; the same folder works on the next attempt", async () => {
    const user = await setup();
    const join = vi.spyOn(mock, "joinFirm");
    await chooseConfig(user);
    await user.click(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` }));
    await user.click(within(joinForm()).getByRole("button", { name: "Choose folder for the copy…" }));
    await user.type(joinField(), "not my passphrase");
    await user.click(joinButton());

    expect(await within(joinForm()).findByRole("alert")).toHaveTextContent("Wrong passphrase. Check caps lock and try again.");
    expect(joinField()).toHaveValue("");
    expect(joinField()).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(joinField()).toHaveFocus());
    expect(router.screen).toBe("start");
    expect(session.vault).toBeNull();
    // The backend takes the selections only once the copy is made.
    expect(within(joinForm()).getByText("/evidence/folder")).toBeInTheDocument();

    await user.type(joinField(), MOCK_PASSPHRASE);
    await user.click(joinButton());
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    expect(join).toHaveBeenCalledTimes(2);
    expect(join.mock.calls[1]![0].folder).toBe(join.mock.calls[0]![0].folder);
  });

  it("shows the backend's message when the copy cannot be made", async () => {
    const user = await setup();
    mock.joinFirm = async () => {
      throw new BackendError("already_exists", "/evidence/folder already exists and is not empty; choose a new folder for the vault");
    };
    await chooseConfig(user);
    await user.click(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` }));
    await user.click(within(joinForm()).getByRole("button", { name: "Choose folder for the copy…" }));
    await user.type(joinField(), MOCK_PASSPHRASE);
    await user.click(joinButton());
    expect(await within(joinForm()).findByRole("alert")).toHaveTextContent(
      "/evidence/folder already exists and is not empty; choose a new folder for the vault.",
    );
    expect(joinField()).toHaveValue("");
    expect(joinField()).toHaveAttribute("aria-invalid", "false");
    expect(router.screen).toBe("start");
  });

  it("Cancel closes the join form and forgets what was typed", async () => {
    const user = await setup();
    await chooseConfig(user);
    await user.click(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` }));
    expect(within(row(REYES.vault_id)).getByRole("button", { name: `Join ${REYES.vault_id}` })).toHaveAttribute("aria-pressed", "true");
    await user.type(joinField(), "half typed");
    await user.click(within(joinForm()).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("form", { name: "Join the firm matter" })).toBeNull();
    await user.click(within(row(OKAFOR.vault_id)).getByRole("button", { name: `Join ${OKAFOR.vault_id}` }));
    expect(joinField()).toHaveValue("");
    expect(within(joinForm()).getByText("An empty folder; nothing chosen yet.")).toBeInTheDocument();
  });
});
