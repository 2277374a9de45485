import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { JobEvent, BundleCheck, BundleSource, Finding, VaultSummary } from "../lib/bindings";
import { createMockBackend, MOCK_MATTER, MOCK_OTHER_SEAL_KEY, mockBundleReport, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Bundles from "./Bundles.svelte";
import { deferred } from "../lib/deferred";

const FILE = "/home/dana/Productions/HAL000001-HAL000003.zip.age";
const FOLDER = "/home/dana/Productions/HAL000001-HAL000003";
const KEY = "/home/dana/Keys/halvorsen-counsel.agekey";
const IDENTITY = mockBundleReport().signer_identity!;
const FINGERPRINT = mockBundleReport().signer_fingerprint!;

type Mock = ReturnType<typeof createMockBackend>;
let mock: Mock;
/** Every source `verifyBundle` was called with, in order. */
let checked: BundleSource[];

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

/** Installs the mock and records what each check asked for. */
function install(init: Partial<MockState> = {}): Mock {
  mock = createMockBackend(init);
  const verify = mock.verifyBundle;
  mock.verifyBundle = (source, onEvent) => {
    checked.push({ ...source });
    return verify(source, onEvent);
  };
  setBackend(mock);
  return mock;
}


const finding = (over: Partial<Finding>): Finding => ({
  severity: "error",
  exhibit: null,
  kind: "payload_changed",
  event: null,
  message: "",
  action: "",
  ...over,
});

const checkButton = () => screen.getByRole("button", { name: "Check bundle" });
const bundlePath = () => screen.queryByTestId("bundle-path");

beforeEach(() => {
  reset("bundles");
  session.vault = null;
  session.info = null;
  session.drops = [];
  checked = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Check bundle: choosing", () => {
  it("starts with nothing chosen and says what a key is for", () => {
    install();
    render(Bundles);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Check a bundle");
    expect(bundlePath()).toBeNull();
    expect(checkButton()).toBeDisabled();
    expect(screen.getByText("Choose a bundle first.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Key file…" })).toHaveAccessibleDescription(/unencrypted .zip or an extracted folder needs neither/);
    expect(screen.getByLabelText("Bundle passphrase")).toHaveAttribute("type", "password");
    // No typed paths unless the app allows them.
    expect(screen.queryByLabelText("Bundle path")).toBeNull();
    expect(screen.queryByTestId("bundle-result")).toBeNull();
  });

  it("a cancelled dialog changes nothing", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    expect(bundlePath()).toHaveTextContent(FOLDER);
    await user.click(checkButton());
    await screen.findByTestId("bundle-result");

    mock.pickPaths = async () => null;
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    await user.click(screen.getByRole("button", { name: "Key file…" }));
    expect(bundlePath()).toHaveTextContent(FOLDER);
    expect(screen.getByText("No key file chosen.")).toBeInTheDocument();
    // The result still describes what is chosen.
    expect(screen.getByTestId("bundle-result")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("choosing another bundle removes the result of the previous one", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());
    await screen.findByTestId("bundle-result");
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    expect(bundlePath()).toHaveTextContent(FILE);
    expect(screen.queryByTestId("bundle-result")).toBeNull();
    expect(screen.getByTestId("needs-key")).toHaveTextContent("This bundle is encrypted");
  });

  it("takes typed paths when the app allows them", async () => {
    install({ typedPaths: true });
    session.info = await mock.appInfo();
    const user = userEvent.setup();
    render(Bundles);
    const use = screen.getByRole("button", { name: "Use this bundle" });
    expect(use).toBeDisabled();
    await user.type(screen.getByLabelText("Bundle path"), "/tmp/production.zip.age");
    await user.click(use);
    expect(bundlePath()).toHaveTextContent("/tmp/production.zip.age");
    expect(screen.getByLabelText("Bundle path")).toHaveValue("");

    await user.type(screen.getByLabelText("Key file path"), "/tmp/key.txt{Enter}");
    expect(screen.getByTestId("identity-path")).toHaveTextContent("/tmp/key.txt");
    await user.click(checkButton());
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    expect(checked).toHaveLength(1);
    expect(mock.state.selections.get(checked[0]!.bundle)).toEqual(["/tmp/production.zip.age"]);
    expect(mock.state.selections.get(checked[0]!.identity!)).toEqual(["/tmp/key.txt"]);
  });
});

describe("Check bundle: results", () => {
  it("shows a clean bundle as intact, with its seal and how to check it without Custos", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());

    const result = await screen.findByTestId("bundle-result");
    expect(checked).toEqual([{ bundle: expect.stringMatching(/^sel-/), identity: null, passphrase: null, expect_key: null }]);
    expect(within(result).getByRole("heading", { level: 2 })).toHaveTextContent("The bundle is intact");
    expect(result).toHaveTextContent("3 exhibits and 9 custody events checked");
    expect(result).not.toHaveTextContent("failed verification");
    expect(within(result).getByTestId("bundle-checked")).toHaveTextContent(FOLDER);
    expect(within(result).getByTestId("bundle-bag")).toHaveTextContent("HAL000001-HAL000003");
    expect(within(result).getByTestId("bundle-fingerprint")).toHaveTextContent(FINGERPRINT);
    expect(within(result).getByTestId("bundle-identity")).toHaveTextContent(IDENTITY);
    expect(within(result).getByTestId("bundle-sha256")).toHaveTextContent("c".repeat(64));
    expect(within(result).getByRole("button", { name: "Copy the seal key fingerprint" })).toBeInTheDocument();
    expect(within(result).getByRole("button", { name: "Copy the signer identity" })).toBeInTheDocument();
    // An extracted folder has no file hash: the tag manifest's hash is shown, and said to be that.
    expect(within(result).getByRole("button", { name: "Copy the tag manifest SHA-256" })).toBeInTheDocument();
    expect(result).toHaveTextContent("this is the hash of its tag-manifest-sha256.txt");

    expect(within(result).getByTestId("seal-command").textContent).toBe(
      `ssh-keygen -Y verify -f seal/allowed_signers -I ${IDENTITY} -n custos-bundle -s seal/tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt`,
    );
    expect(within(result).getByTestId("checkpoint-command").textContent).toBe(
      `ssh-keygen -Y verify -f seal/allowed_signers -I ${IDENTITY} -n custos-checkpoint -s data/custody/checkpoint.json.sig < data/custody/checkpoint.json`,
    );
    expect(within(result).getByTestId("custody-script-command").textContent).toBe("python3 verify_custody.py");
    expect(within(result).getByTestId("bagit-command").textContent).toBe("bagit.py --validate HAL000001-HAL000003");
    expect(within(result).queryAllByRole("listitem")).toHaveLength(0);
    // No vault open: nothing to import into.
    expect(screen.queryByRole("button", { name: "Import into this vault…" })).toBeNull();
  });

  it("shows the real signer in the commands, quoted when a shell needs it", async () => {
    install();
    mock.verifyBundle = async (source) => ({
      path: mock.state.selections.get(source.bundle)![0]!,
      bundle_sha256: "d".repeat(64),
      folder: true,
      report: mockBundleReport({ signer_identity: "Harbor & Finch LLP", bag: "ACME0001-ACME0004" }),
    });
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(within(result).getByTestId("seal-command")).toHaveTextContent("-I 'Harbor & Finch LLP' -n custos-bundle");
    expect(within(result).getByTestId("checkpoint-command")).toHaveTextContent("-I 'Harbor & Finch LLP' -n custos-checkpoint");
    expect(within(result).getByTestId("bagit-command")).toHaveTextContent("bagit.py --validate ACME0001-ACME0004");
    expect(within(result).getByTestId("bundle-sha256")).toHaveTextContent("d".repeat(64));
  });

  it("lists the findings of a tampered bundle, errors first", async () => {
    install({ open: vault() });
    session.vault = vault();
    const report = mockBundleReport({
      ok: false,
      findings: [
        finding({ severity: "warning", kind: "tag_file_unsealed", message: "A tag file is not in the tag manifest.", action: "Ask the producer why." }),
        finding({
          exhibit: "EX-0002",
          kind: "payload_changed",
          message: "data/VOL001/NATIVES/0001/HAL000002.pdf does not match manifest-sha256.txt.",
          action: "Do not rely on this copy; ask the producing party for a new one.",
        }),
        finding({ kind: "custody_event_invalid", event: 4, message: "The inclusion proof of custody event 4 does not verify.", action: "Ask for a new copy." }),
      ],
    });
    mock.verifyBundle = async (source): Promise<BundleCheck> => ({ path: mock.state.selections.get(source.bundle)![0]!, bundle_sha256: "e".repeat(64), folder: false, report });
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());

    const result = await screen.findByTestId("bundle-result");
    expect(within(result).getByRole("heading", { level: 2 })).toHaveTextContent("The bundle failed verification");
    expect(result).not.toHaveTextContent("The bundle is intact");
    expect(result).toHaveTextContent("2 errors, 1 warning; 3 exhibits and 9 custody events checked");
    expect(result.querySelector(".callout-danger")).not.toBeNull();
    const groups = within(result).getAllByRole("heading", { level: 3 }).map((h) => h.textContent);
    expect(groups.slice(0, 2)).toEqual(["Errors (2)", "Warnings (1)"]);
    const items = within(result).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector(".kind")?.textContent)).toEqual(["payload_changed", "custody_event_invalid", "tag_file_unsealed"]);
    expect(items[0]).toHaveTextContent("What to do: Do not rely on this copy");
    expect(items[1]).toHaveTextContent("Custody event 4");
    // The producer's exhibit numbers are not this vault's: no link.
    expect(items[0]).toHaveTextContent("EX-0002");
    expect(within(items[0]!).queryByRole("button")).toBeNull();
    // A failing bundle is not offered for import, even with a vault open.
    expect(screen.queryByRole("button", { name: "Import into this vault…" })).toBeNull();
  });
});

describe("Check bundle: encrypted bundles and errors", () => {
  it("says why an encrypted bundle cannot be read, then checks it with a key without choosing it again", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    expect(bundlePath()).toHaveTextContent(FILE);
    await user.click(checkButton());
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveClass("callout-danger");
    expect(alert).toHaveTextContent(`${FILE} is not a bundle Custos can read: it is encrypted with age; give the identity (key file) it was encrypted to.`);
    expect(screen.queryByTestId("bundle-result")).toBeNull();
    expect(checkButton()).toBeEnabled();

    await user.click(screen.getByRole("button", { name: "Key file…" }));
    expect(screen.getByTestId("identity-path")).toHaveTextContent(KEY);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("needs-key")).toBeNull();
    await user.click(checkButton());
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");

    expect(mock.state.calls.filter((c) => c === "pickPaths:bundle_file")).toHaveLength(1);
    expect(checked).toHaveLength(2);
    expect(checked[1]!.bundle).toBe(checked[0]!.bundle);
    expect(mock.state.selections.get(checked[1]!.identity!)).toEqual([KEY]);
    expect(checked[1]!.passphrase).toBeNull();
  });

  it("checks a passphrase-encrypted bundle with the passphrase typed", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    await user.type(screen.getByLabelText("Bundle passphrase"), "correct horse battery");
    await user.click(checkButton());
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    expect(checked).toEqual([{ bundle: expect.any(String), identity: null, passphrase: "correct horse battery", expect_key: null }]);
  });

  it("removing the key file leaves the bundle chosen", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    await user.click(screen.getByRole("button", { name: "Key file…" }));
    await user.click(screen.getByRole("button", { name: `Remove the key file ${KEY}` }));
    expect(screen.queryByTestId("identity-path")).toBeNull();
    expect(bundlePath()).toHaveTextContent(FILE);
    await user.click(checkButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("encrypted with age");
    expect(checked[0]!.identity).toBeNull();
  });

  it("shows the check's progress while it runs, and a cancelled check concludes nothing", async () => {
    install();
    let job = deferred<BundleCheck>();
    let emit!: (e: JobEvent) => void;
    mock.verifyBundle = (_source, onEvent) => {
      emit = onEvent;
      return job.promise;
    };
    mock.cancelJob = async () => {
      job.reject(new BackendError("cancelled", "cancelled"));
      return true;
    };
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());
    expect(await screen.findByRole("progressbar", { name: "Checking the bundle" })).toBeInTheDocument();
    expect(checkButton()).toBeDisabled();
    expect(checkButton()).toHaveAttribute("aria-busy", "true");
    expect(screen.getByRole("button", { name: "Choose bundle file…" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Key file…" })).toBeDisabled();
    emit({ type: "begin", files: 4, bytes: 2000 });
    emit({ type: "file_started", path: "data/VOL001/NATIVES/0001/HAL000002.pdf", size: 500 });
    emit({ type: "progress", bytes: 1000, items: 0 });
    await waitFor(() =>
      expect(screen.getByRole("progressbar", { name: "Checking the bundle" })).toHaveAttribute("aria-valuetext", "1.0 kB of 2.0 kB · 4 files"),
    );
    expect(screen.getByText("Reading HAL000002.pdf")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel check" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The check was cancelled; nothing was concluded about the bundle.");
    expect(screen.queryByTestId("bundle-result")).toBeNull();

    job = deferred<BundleCheck>();
    await user.click(checkButton());
    job.resolve({ path: FOLDER, bundle_sha256: "c".repeat(64), folder: true, report: mockBundleReport() });
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    expect(screen.queryByRole("progressbar", { name: "Checking the bundle" })).toBeNull();
    expect(checkButton()).toBeEnabled();
  });

  it("asks for the bundle again when the backend no longer holds it", async () => {
    install();
    mock.verifyBundle = async () => {
      throw new BackendError("stale_selection", "that file selection is no longer available; choose the files again");
    };
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("That file selection is no longer available; choose the files again. Choose the bundle again.");
    expect(bundlePath()).toBeNull();
    expect(checkButton()).toBeDisabled();
  });

  it("shows a failing dialog's message", async () => {
    install();
    mock.pickPaths = async () => {
      throw new BackendError("internal", "the file dialog could not be opened");
    };
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The file dialog could not be opened.");
    expect(bundlePath()).toBeNull();
  });
});

describe("Check bundle: with a vault open", () => {
  it("offers to import a clean bundle with the same selections, never the passphrase", async () => {
    install({ open: vault() });
    session.vault = vault();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    await user.click(screen.getByRole("button", { name: "Key file…" }));
    await user.type(screen.getByLabelText("Bundle passphrase"), "not for the route");
    await user.click(checkButton());
    await screen.findByTestId("bundle-result");
    expect(screen.getByText(/Each of the 3 produced files becomes an exhibit of Halvorsen/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Import into this vault…" }));
    expect(router.screen).toBe("import");
    const source = checked[0]!;
    expect(router.params).toEqual({ bundle: source.bundle, path: FILE, identity: source.identity, identity_path: KEY });
    expect(JSON.stringify(router.params)).not.toContain("not for the route");
    // Checking used nothing up: the import can use the same selections.
    expect(mock.state.selections.get(source.bundle)).toEqual([FILE]);
    await waitFor(() => expect(mock.state.selections.get(source.identity!)).toEqual([KEY]));
  });
});

describe("Check bundle: the seal key", () => {
  it("without a fingerprint, never says simply intact: the key is shown as not pinned", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(within(result).getByRole("heading", { level: 2 }).textContent).toBe("The bundle is intact — seal key not pinned");
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent(
      `Sealed by key ${FINGERPRINT} — not pinned: compare it with the fingerprint the producing party gave you.`,
    );
  });

  it("checks against the fingerprint typed: the same key matches", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), `  ${FINGERPRINT} `);
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(checked).toEqual([{ bundle: expect.any(String), identity: null, passphrase: null, expect_key: FINGERPRINT }]);
    expect(within(result).getByRole("heading", { level: 2 }).textContent).toBe("The bundle is intact");
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent(`Sealed by key ${FINGERPRINT} — matches the pinned key.`);
  });

  it("another key than the one typed is a failed check naming both keys", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), MOCK_OTHER_SEAL_KEY);
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(within(result).getByRole("heading", { level: 2 })).toHaveTextContent("The bundle failed verification");
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent(`Sealed by key ${FINGERPRINT} — does not match the pinned key.`);
    expect(result).toHaveTextContent(`not by the pinned key (${MOCK_OTHER_SEAL_KEY})`);
  });

  it("a malformed fingerprint is refused with the reason", async () => {
    install();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), "SHA256:short");
    await user.click(checkButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("is not a seal key fingerprint");
    expect(screen.queryByTestId("bundle-result")).toBeNull();
  });

  it("passes the typed fingerprint on to the import", async () => {
    install({ open: vault() });
    session.vault = vault();
    const user = userEvent.setup();
    render(Bundles);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), FINGERPRINT);
    await user.click(checkButton());
    await screen.findByTestId("bundle-result");
    await user.click(screen.getByRole("button", { name: "Import into this vault…" }));
    expect(router.params.expect_key).toBe(FINGERPRINT);
  });
});
