import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { SaveSettings } from "../lib/bindings";
import { createMockBackend, MOCK_MATTER, MOCK_PASSPHRASE, type MockState } from "../lib/mock-backend";
import { clearNotices, notices } from "../lib/notices.svelte";
import { reset } from "../lib/router.svelte";
import { refreshInfo, session } from "../lib/session.svelte";
import Settings from "./Settings.svelte";

type Mock = ReturnType<typeof createMockBackend>;
let mock: Mock;

async function openMock(init: Partial<MockState> = {}): Promise<Mock> {
  mock = createMockBackend(init);
  setBackend(mock);
  await mock.openVault({ kind: "recent", vault_id: MOCK_MATTER.vault_id }, MOCK_PASSPHRASE);
  await refreshInfo();
  mock.state.calls.length = 0;
  return mock;
}

const examiner = () => screen.getByLabelText("Examiner name") as HTMLInputElement;
const idle = () => screen.getByLabelText("Lock after idle minutes") as HTMLInputElement;
const prefix = () => screen.getByLabelText("Exhibit number prefix") as HTMLInputElement;
const save = () => screen.getByRole("button", { name: "Save" });

beforeEach(() => {
  session.info = null;
  session.vault = null;
  session.drops = [];
  reset("settings");
  clearNotices();
});

afterEach(() => {
  setBackend(null);
  vi.restoreAllMocks();
  clearNotices();
});

describe("Settings", () => {
  it("fills the form from the settings and the open vault", async () => {
    await openMock({ settings: { examiner: "Dana Whitfield", idle_lock_minutes: 15 } });
    render(Settings);
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    expect(examiner()).toHaveValue("Dana Whitfield");
    expect(idle()).toHaveValue(15);
    expect(idle()).toHaveAttribute("min", "0");
    expect(idle()).toHaveAttribute("max", "480");
    expect(screen.getByText(/0 means never/)).toBeInTheDocument();
    expect(prefix()).toHaveValue("EX-");
    expect(screen.getByText(/Existing exhibits keep their numbers/)).toHaveTextContent(/recorded in the custody log/);
  });

  it("shows the name events are recorded under when the settings name none", async () => {
    await openMock();
    mock.state.settings = { ...mock.state.settings, examiner: "" };
    await refreshInfo();
    session.vault = { ...session.vault!, examiner: "Ana Oster" };
    render(Settings);
    await waitFor(() => expect(examiner().value).toBe("Ana Oster"));
    expect(screen.getByText(/\(now: Ana Oster\)/)).toBeInTheDocument();
  });

  it("says a firm vault records the person whose key opened it, not this setting", async () => {
    await openMock();
    session.vault = { ...session.vault!, examiner: "Ben Ortiz", firm: "postgresql://custos@db.firm.example:5432/matters" };
    render(Settings);
    const hint = screen.getByText(/This firm vault records the person whose key opened it/);
    expect(hint).toHaveTextContent("(Ben Ortiz)");
    expect(screen.queryByText(/A change applies at once to the open vault/)).toBeNull();
  });

  it("shows the vault folder, vault id and app version", async () => {
    await openMock();
    render(Settings);
    const about = screen.getByRole("region", { name: "About" });
    expect(within(about).getByText("/home/dana/Matters/Halvorsen")).toBeInTheDocument();
    expect(within(about).getByText(MOCK_MATTER.vault_id)).toBeInTheDocument();
    expect(within(about).getByText("Custos 0.1.0")).toBeInTheDocument();
  });

  it("saves without a prefix change when the prefix is unchanged", async () => {
    const user = userEvent.setup();
    await openMock();
    const saveSettings = vi.spyOn(mock, "saveSettings");
    render(Settings);
    await user.clear(examiner());
    await user.type(examiner(), "  Sam Okoro ");
    await user.clear(idle());
    await user.type(idle(), "30");
    await user.click(save());

    await waitFor(() => expect(saveSettings).toHaveBeenCalledTimes(1));
    expect(saveSettings.mock.calls[0]![0]).toEqual<SaveSettings>({
      examiner: "Sam Okoro",
      idle_lock_minutes: 30,
      exhibit_prefix: null,
    });
    // The app info is read again afterwards.
    await waitFor(() => expect(session.info?.settings).toEqual({ examiner: "Sam Okoro", idle_lock_minutes: 30 }));
    // (The vault's time-stamping settings and column mappings are read once when the screen opens.)
    expect(mock.state.calls).toEqual(["timestampSettings", "auditMappings", "saveSettings", "appInfo"]);
    await waitFor(() => expect(notices.items.map((n) => [n.kind, n.message])).toEqual([["success", "Settings saved."]]));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("sends the prefix only when it changed, and updates the open vault", async () => {
    const user = userEvent.setup();
    await openMock();
    const saveSettings = vi.spyOn(mock, "saveSettings");
    render(Settings);
    await user.clear(prefix());
    await user.type(prefix(), "HD-");
    await user.click(save());

    await waitFor(() => expect(saveSettings).toHaveBeenCalledTimes(1));
    expect(saveSettings.mock.calls[0]![0]).toEqual<SaveSettings>({
      examiner: "Dana Whitfield",
      idle_lock_minutes: 15,
      exhibit_prefix: "HD-",
    });
    await waitFor(() => expect(session.vault?.matter.exhibit_prefix).toBe("HD-"));
    expect(notices.items[0]?.message).toMatch(/New exhibits will be numbered HD-/);

    // Saving again without touching the prefix does not send it again.
    await user.click(save());
    await waitFor(() => expect(saveSettings).toHaveBeenCalledTimes(2));
    expect(saveSettings.mock.calls[1]![0].exhibit_prefix).toBeNull();
  });

  it("refuses an empty examiner name", async () => {
    const user = userEvent.setup();
    await openMock();
    const saveSettings = vi.spyOn(mock, "saveSettings");
    render(Settings);
    await user.clear(examiner());
    await user.click(save());
    expect(await screen.findByRole("alert")).toHaveTextContent(/Enter the examiner's name/);
    expect(examiner()).toHaveAttribute("aria-invalid", "true");
    expect(saveSettings).not.toHaveBeenCalled();
    expect(notices.items).toHaveLength(0);
  });

  it("refuses an idle time outside 0–480 minutes", async () => {
    const user = userEvent.setup();
    await openMock();
    const saveSettings = vi.spyOn(mock, "saveSettings");
    render(Settings);
    await user.clear(idle());
    await user.type(idle(), "500");
    await user.click(save());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The idle lock time must be a whole number of minutes from 0 to 480 (0 turns it off).",
    );
    expect(idle()).toHaveAttribute("aria-invalid", "true");

    await user.clear(idle());
    await user.click(save());
    expect(screen.getByRole("alert")).toHaveTextContent(/whole number of minutes/);
    expect(saveSettings).not.toHaveBeenCalled();

    // 0 (never) is allowed.
    await user.type(idle(), "0");
    await user.click(save());
    await waitFor(() => expect(saveSettings).toHaveBeenCalledTimes(1));
    expect(saveSettings.mock.calls[0]![0].idle_lock_minutes).toBe(0);
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("refuses a prefix the vault would not accept", async () => {
    const user = userEvent.setup();
    await openMock();
    const saveSettings = vi.spyOn(mock, "saveSettings");
    render(Settings);
    await user.clear(prefix());
    await user.type(prefix(), "EX 2026/");
    await user.click(save());
    expect(await screen.findByRole("alert")).toHaveTextContent(/1 to 16 letters, digits/);
    expect(prefix()).toHaveAttribute("aria-invalid", "true");
    expect(saveSettings).not.toHaveBeenCalled();
  });

  it("shows the backend's refusal next to the form", async () => {
    const user = userEvent.setup();
    await openMock();
    mock.saveSettings = async () => {
      throw new BackendError("io", "could not write settings.json: read-only file system");
    };
    render(Settings);
    await user.click(save());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not write settings.json: read-only file system.",
    );
    expect(notices.items).toHaveLength(0);
    expect(save()).toBeEnabled();
  });

  it("reads the settings itself when they are not known yet, and says when that fails", async () => {
    mock = createMockBackend();
    mock.appInfo = async () => {
      throw new BackendError("io", "the settings folder is not readable");
    };
    setBackend(mock);
    render(Settings);
    expect(screen.getByRole("status")).toHaveTextContent("Reading the settings…");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The settings could not be read. The settings folder is not readable.",
    );
    expect(screen.queryByLabelText("Examiner name")).toBeNull();
  });

  it("leaves out the prefix when no vault is open", async () => {
    mock = createMockBackend();
    setBackend(mock);
    render(Settings);
    expect(await screen.findByLabelText("Examiner name")).toHaveValue("Dana Whitfield");
    expect(screen.queryByLabelText("Exhibit number prefix")).toBeNull();
    expect(screen.queryByText("Vault folder")).toBeNull();
  });

  describe("time stamping", () => {
    const tsaBox = () => screen.getByLabelText("Time-stamp authorities, one address a line") as HTMLTextAreaElement;
    const autoBox = () => screen.getByRole("checkbox", { name: "Stamp automatically after every intake and export" });
    const saveStamping = () => screen.getByRole("button", { name: "Save time stamping" });

    it("is off by default and shows the kept authorities", async () => {
      await openMock({ timestamping: { tsa_urls: ["https://freetsa.org/tsr"], automatic: "off", trusted_cas: [] } });
      render(Settings);
      await waitFor(() => expect(tsaBox()).toHaveValue("https://freetsa.org/tsr"));
      expect(autoBox()).not.toBeChecked();
      expect(screen.getByText(/needs the network/)).toBeInTheDocument();
    });

    it("saves the authorities and the automatic option through the backend, logged", async () => {
      const user = userEvent.setup();
      await openMock();
      const save = vi.spyOn(mock, "saveTimestampSettings");
      render(Settings);
      await waitFor(() => expect(saveStamping()).toBeEnabled());
      await user.type(tsaBox(), "https://freetsa.org/tsr{Enter}{Enter}  http://timestamp.digicert.com  ");
      await user.click(autoBox());
      await user.click(saveStamping());
      await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
      expect(save.mock.calls[0]![0]).toEqual({
        tsa_urls: ["https://freetsa.org/tsr", "http://timestamp.digicert.com"],
        automatic: "after_intake_and_export",
      });
      expect(mock.state.timestamping.automatic).toBe("after_intake_and_export");
      const settings = mock.state.log.filter((e) => e.action === "setting_changed").map((e) => (e.details as { setting: string }).setting);
      expect(settings).toEqual(["tsa_urls", "automatic_timestamps"]);
      expect(notices.items.at(-1)?.message).toBe("Time-stamping settings saved.");
    });

    it("refuses an address that is not http or https, and automatic stamping without an authority", async () => {
      const user = userEvent.setup();
      await openMock();
      const save = vi.spyOn(mock, "saveTimestampSettings");
      render(Settings);
      await waitFor(() => expect(saveStamping()).toBeEnabled());
      await user.type(tsaBox(), "ftp://tsa.example");
      await user.click(saveStamping());
      expect(await screen.findByRole("alert")).toHaveTextContent("“ftp://tsa.example” is not an authority address");
      await user.clear(tsaBox());
      await user.click(autoBox());
      await user.click(saveStamping());
      expect(await screen.findByRole("alert")).toHaveTextContent("Add at least one authority");
      expect(save).not.toHaveBeenCalled();
    });

    it("shows the backend's refusal", async () => {
      const user = userEvent.setup();
      await openMock();
      mock.saveTimestampSettings = async () => {
        throw new BackendError("invalid_input", "'http://' is not a time-stamp authority address: it names no host");
      };
      render(Settings);
      await waitFor(() => expect(saveStamping()).toBeEnabled());
      await user.type(tsaBox(), "http://x");
      await user.click(saveStamping());
      expect(await screen.findByRole("alert")).toHaveTextContent("it names no host");
    });

    it("is not shown without an open vault", async () => {
      mock = createMockBackend();
      setBackend(mock);
      render(Settings);
      expect(await screen.findByLabelText("Examiner name")).toBeInTheDocument();
      expect(screen.queryByText("Time stamping (RFC 3161)")).toBeNull();
    });
  });

  describe("audit-log column mappings", () => {
    const section = () => screen.getByRole("region", { name: "Audit-log column mappings" });

    it("lists the saved mappings with their columns, when saved and their SHA-256, read-only", async () => {
      await openMock({
        mappings: [
          {
            mapping: {
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
            sha256: "d".repeat(64),
            saved_at: "2026-06-03T09:45:00Z",
          },
        ],
      });
      render(Settings);
      const row = await screen.findByTestId("settings-mapping");
      expect(within(row).getByRole("rowheader")).toHaveTextContent("Docsys");
      expect(row).toHaveTextContent(
        "time: When, actor: User, action: What, object: Document, device: Workstation, file size: Bytes, times without a zone at UTC-05:00",
      );
      expect(row).toHaveTextContent("d".repeat(64));
      expect(within(row).getByRole("button", { name: "Copy the SHA-256 of Docsys" })).toBeInTheDocument();
      expect(section()).toHaveTextContent("never changes");
      // Nothing to edit: a saved mapping never changes.
      expect(within(section()).queryAllByRole("textbox")).toHaveLength(0);
      expect(within(section()).queryAllByRole("combobox")).toHaveLength(0);
      expect(within(section()).getAllByRole("button").map((b) => b.getAttribute("aria-label") ?? b.textContent)).toEqual(["Copy the SHA-256 of Docsys"]);
    });

    it("says when none is saved, and when they could not be read", async () => {
      await openMock();
      const { unmount } = render(Settings);
      expect(await within(section()).findByText("No mapping is saved in this vault.")).toBeInTheDocument();
      unmount();
      mock.auditMappings = async () => {
        throw new BackendError("locked", "the vault is locked");
      };
      render(Settings);
      expect(await within(section()).findByRole("alert")).toHaveTextContent("The mappings could not be read. The vault is locked.");
    });
  });
});
