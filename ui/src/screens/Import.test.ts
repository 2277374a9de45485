import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { AcceptNewKey, BundleSource, ImportSummary, JobEvent, VaultSummary } from "../lib/bindings";
import { createMockBackend, MOCK_MATTER, MOCK_OTHER_SEAL_KEY, mockBundleReport } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Import from "./Import.svelte";
import { deferred } from "../lib/deferred";

const FILE = "/home/dana/Productions/HAL000001-HAL000003.zip.age";
const FOLDER = "/home/dana/Productions/HAL000001-HAL000003";
const KEY = "/home/dana/Keys/halvorsen-counsel.agekey";
const FINGERPRINT = mockBundleReport().signer_fingerprint!;

type Mock = ReturnType<typeof createMockBackend>;
let mock: Mock;
/** Every source `importBundle` was called with, in order. */
let imported: BundleSource[];
/** What each `importBundle` call accepted as a producer's new key. */
let accepted: (AcceptNewKey | null)[];

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(): Mock {
  mock = createMockBackend({ open: vault() });
  const take = mock.importBundle;
  mock.importBundle = (source, accept, onEvent) => {
    imported.push({ ...source });
    accepted.push(accept);
    return take(source, accept, onEvent);
  };
  setBackend(mock);
  return mock;
}


const checkButton = () => screen.getByRole("button", { name: "Check bundle" });
const importButton = () => screen.getByRole("button", { name: /^Import (exhibits|\d+ exhibits?)$/ });

/** Chooses the extracted folder and checks it. */
async function chooseAndCheck(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
  await user.click(checkButton());
  return screen.findByTestId("bundle-result");
}

beforeEach(() => {
  reset("import");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  imported = [];
  accepted = [];
  clearNotices();
});

afterEach(() => {
  setBackend(null);
  vi.restoreAllMocks();
});

describe("Import: before importing", () => {
  it("keeps the import disabled until a clean check", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(importButton()).toBeDisabled();
    expect(importButton()).toHaveAccessibleDescription("Check the bundle first: importing is possible once the check passes.");

    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    expect(screen.getByTestId("bundle-path")).toHaveTextContent(FOLDER);
    expect(importButton()).toBeDisabled();

    await user.click(checkButton());
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    expect(importButton()).toHaveTextContent("Import 3 exhibits");
    expect(importButton()).toBeEnabled();

    // A new choice needs a new check.
    await user.type(screen.getByLabelText("Bundle passphrase"), "x");
    expect(screen.queryByTestId("bundle-result")).toBeNull();
    expect(importButton()).toBeDisabled();
    expect(imported).toHaveLength(0);
  });

  it("does not import a bundle that failed verification", async () => {
    install();
    mock.verifyBundle = async () => ({
      path: FOLDER,
      bundle_sha256: "e".repeat(64),
      folder: true,
      report: mockBundleReport({
        ok: false,
        findings: [{ severity: "error", exhibit: null, kind: "seal_invalid", event: null, message: "The seal signature does not verify.", action: "Ask for a new copy." }],
      }),
    });
    const user = userEvent.setup();
    render(Import);
    const result = await chooseAndCheck(user);
    expect(result).toHaveTextContent("The bundle failed verification");
    expect(result).toHaveTextContent("The seal signature does not verify.");
    expect(importButton()).toBeDisabled();
    expect(importButton()).toHaveAccessibleDescription(/failed verification and cannot be imported/);
  });

  it("starts from the bundle and key chosen on the check screen", async () => {
    install();
    const bundle = (await mock.pickPaths("bundle_file"))!;
    const key = (await mock.pickPaths("identity_file"))!;
    const user = userEvent.setup();
    render(Import, { props: { bundle: bundle.token, path: FILE, identity: key.token, identityPath: KEY } });
    expect(screen.getByTestId("bundle-path")).toHaveTextContent(FILE);
    expect(screen.getByTestId("identity-path")).toHaveTextContent(KEY);
    expect(screen.getByLabelText("Bundle passphrase")).toHaveValue("");

    await user.click(checkButton());
    expect(await screen.findByTestId("bundle-result")).toHaveTextContent("The bundle is intact");
    await user.click(importButton());
    expect(await screen.findByTestId("import-summary")).toBeInTheDocument();
    expect(imported).toEqual([{ bundle: bundle.token, identity: key.token, passphrase: null, expect_key: null }]);
    // Nothing was chosen again.
    expect(mock.state.calls.filter((c) => c.startsWith("pickPaths:"))).toEqual(["pickPaths:bundle_file", "pickPaths:identity_file"]);
  });
});

describe("Import: importing", () => {
  it("imports a checked bundle and lists what became of each Bates number", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    const before = mock.state.exhibits.length;
    await user.click(importButton());

    const summary = await screen.findByTestId("import-summary");
    expect(summary).toHaveTextContent("3 new exhibits, 0 already in the vault.");
    expect(summary).toHaveClass("callout-ok");
    expect(mock.state.exhibits).toHaveLength(before + 3);
    expect(screen.getByTestId("import-fingerprint")).toHaveTextContent(FINGERPRINT);

    const table = screen.getByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    const ids = mock.state.exhibits.slice(before).map((e) => e.id);
    expect(rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent?.trim()))).toEqual(
      ids.map((id, i) => [`HAL00000${i + 1}`, id, "New exhibit"]),
    );

    await user.click(within(table).getByRole("button", { name: `Open exhibit ${ids[1]}` }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: ids[1] });
  });

  it("shows progress, then new, duplicate and failed exhibits", async () => {
    install();
    const job = deferred<ImportSummary>();
    let send: ((e: JobEvent) => void) | null = null;
    mock.importBundle = (source, _accept, onEvent) => {
      imported.push(source);
      send = onEvent;
      onEvent({ type: "begin", files: 3, bytes: 4000 });
      return job.promise;
    };
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());

    const bar = (await screen.findByRole("progressbar", { name: "Import progress" })) as HTMLProgressElement;
    expect(bar.max).toBe(4000);
    expect(bar.value).toBe(0);
    expect(screen.queryByRole("button", { name: "Check bundle" })).toBeNull();
    send!({ type: "file_started", path: "data/VOL001/NATIVES/0001/HAL000001.pdf", size: 1000 });
    send!({ type: "progress", bytes: 1000, items: 0 });
    send!({ type: "file_done", path: "data/VOL001/NATIVES/0001/HAL000001.pdf", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "a" } });
    await waitFor(() => expect(bar.value).toBe(1000));
    expect(bar).toHaveAttribute("aria-valuetext", "1 of 3 exhibits · 1.0 kB of 4.0 kB");
    expect(screen.getByTestId("import-current")).toHaveTextContent("HAL000001.pdf");
    expect(screen.getByText("1 new, 0 already in the vault")).toBeInTheDocument();

    job.resolve({
      bundle_sha256: "c".repeat(64),
      sender_fingerprint: FINGERPRINT,
      sender_identity: "custos-vault-sender",
      producer_key: "matches_pinned",
      key_expected: false,
      stored: 1,
      duplicates: 1,
      exhibits: [
        { bates: "HAL000001", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "a" } },
        { bates: "HAL000002", outcome: { outcome: "duplicate", exhibit: "EX-0002", sha256: "b" } },
        { bates: "HAL000003", outcome: { outcome: "failed", reason: "HAL000003 changed while it was read from the bundle" } },
      ],
    });
    const summary = await screen.findByTestId("import-summary");
    expect(summary).toHaveTextContent("1 new exhibit, 1 already in the vault, 1 not taken in.");
    expect(summary).toHaveClass("callout-warn");
    expect(screen.queryByRole("progressbar")).toBeNull();
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.querySelector("td")?.textContent)).toEqual(["HAL000003", "HAL000001", "HAL000002"]);
    expect(rows[0]).toHaveTextContent("Not taken in");
    expect(rows[0]).toHaveTextContent("HAL000003 changed while it was read from the bundle.");
    expect(within(rows[0]!).queryByRole("button")).toBeNull();
    expect(rows[2]).toHaveTextContent("Already in the vault");
    expect(within(rows[2]!).getByRole("button", { name: "Open exhibit EX-0002" })).toBeInTheDocument();
  });

  it("uses the selections up: another import needs the bundle chosen again", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    await user.click(screen.getByRole("button", { name: "Choose bundle file…" }));
    await user.click(screen.getByRole("button", { name: "Key file…" }));
    await user.type(screen.getByLabelText("Bundle passphrase"), "only once");
    await user.click(checkButton());
    await screen.findByTestId("bundle-result");
    await user.click(importButton());
    await screen.findByTestId("import-summary");
    expect(imported[0]!.passphrase).toBe("only once");
    expect(mock.state.selections.has(imported[0]!.bundle)).toBe(false);

    await user.click(screen.getByRole("button", { name: "Import another bundle" }));
    expect(screen.queryByTestId("bundle-path")).toBeNull();
    expect(screen.queryByTestId("identity-path")).toBeNull();
    expect(screen.getByLabelText("Bundle passphrase")).toHaveValue("");
    expect(checkButton()).toBeDisabled();
    expect(importButton()).toBeDisabled();
  });

  it("says what a cancelled import kept, and can import again", async () => {
    install();
    const job = deferred<ImportSummary>();
    mock.importBundle = (source, _accept, onEvent) => {
      imported.push(source);
      onEvent({ type: "begin", files: 3, bytes: 3000 });
      onEvent({ type: "file_started", path: "data/VOL001/NATIVES/0001/HAL000001.pdf", size: 1000 });
      onEvent({ type: "file_done", path: "data/VOL001/NATIVES/0001/HAL000001.pdf", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "a" } });
      onEvent({ type: "file_started", path: "data/VOL001/NATIVES/0001/HAL000002.pdf", size: 1000 });
      return job.promise;
    };
    const cancelJob = vi.fn(async () => {
      job.reject(new BackendError("cancelled", "the job was cancelled"));
      return true;
    });
    mock.cancelJob = cancelJob;
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());
    await screen.findByRole("progressbar", { name: "Import progress" });
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(cancelJob).toHaveBeenCalledTimes(1);

    const note = await screen.findByTestId("import-cancelled");
    expect(note).toHaveTextContent("The import was cancelled.");
    expect(note).toHaveTextContent("The 1 exhibit finished before that stay in the vault; nothing was kept of the exhibit in progress.");
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.queryByTestId("import-summary")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    // The backend keeps the selections after a failed import: try again as is.
    expect(screen.getByTestId("bundle-path")).toHaveTextContent(FOLDER);
    expect(importButton()).toBeEnabled();
  });

  it("shows why the backend refused the import", async () => {
    install();
    mock.importBundle = async () => {
      throw new BackendError("invalid_input", "refusing the bundle: it fails verification with 1 finding(s), e.g. the seal is missing; run verify-bundle for all");
    };
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("Refusing the bundle: it fails verification with 1 finding(s)");
    expect(screen.getByRole("alert")).toHaveTextContent("Nothing was taken in.");
    expect(screen.queryByTestId("import-summary")).toBeNull();
    expect(screen.getByTestId("bundle-path")).toHaveTextContent(FOLDER);
  });

  it("an error part-way says how many exhibits stayed in the vault", async () => {
    install();
    mock.importBundle = async (_source, _accept, onEvent: (e: JobEvent) => void) => {
      onEvent({ type: "begin", files: 3, bytes: 300 });
      onEvent({ type: "file_done", path: "data/VOL001/NATIVES/0001/HAL000001.pdf", outcome: { outcome: "stored", exhibit: "EX-0004", sha256: "a".repeat(64) } });
      onEvent({ type: "file_done", path: "data/VOL001/NATIVES/0001/HAL000002.pdf", outcome: { outcome: "duplicate", exhibit: "EX-0001", sha256: "b".repeat(64) } });
      throw new BackendError("invalid_input", "HAL000003 changed while it was read from the bundle");
    };
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("HAL000003 changed while it was read from the bundle.");
    expect(alert).toHaveTextContent("2 exhibits were taken in before the error and stay in the vault");
    expect(session.job).toBeNull();
  });

  it("keeps the navigation on this screen while the import runs", async () => {
    install();
    const job = deferred<ImportSummary>();
    mock.importBundle = () => job.promise;
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());
    await waitFor(() => expect(session.job).toBe("import"));
    job.reject(new BackendError("cancelled", "cancelled"));
    await waitFor(() => expect(session.job).toBeNull());
  });
});

describe("Import: the producer's seal key", () => {
  it("pins the key of a first production and says it was not pinned before", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    const result = await chooseAndCheck(user);
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent(
      `Sealed by key ${FINGERPRINT} — not pinned: compare it with the fingerprint the producing party gave you.`,
    );
    await user.click(importButton());
    expect(await screen.findByTestId("import-key-outcome")).toHaveTextContent("its key is now pinned here");
    expect(screen.getByTestId("import-key-outcome")).toHaveTextContent("It was not pinned before");
    expect(mock.state.producerKey).toBe(FINGERPRINT);
    expect(accepted).toEqual([null]);
  });

  it("sends the fingerprint typed and says the key matched it", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), FINGERPRINT);
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent(`Sealed by key ${FINGERPRINT} — matches the pinned key.`);
    expect(within(result).getByRole("heading", { level: 2 }).textContent).toBe("The bundle is intact");
    await user.click(importButton());
    expect(await screen.findByTestId("import-key-outcome")).toHaveTextContent("It matches the key you gave");
    expect(imported).toEqual([{ bundle: expect.any(String), identity: null, passphrase: null, expect_key: FINGERPRINT }]);
  });

  it("a fingerprint other than the bundle's fails the check, and the import stays disabled", async () => {
    install();
    const user = userEvent.setup();
    render(Import);
    await user.click(screen.getByRole("button", { name: "Choose extracted folder…" }));
    await user.type(screen.getByLabelText("Seal key fingerprint (optional)"), MOCK_OTHER_SEAL_KEY);
    await user.click(checkButton());
    const result = await screen.findByTestId("bundle-result");
    expect(result).toHaveTextContent("The bundle failed verification");
    expect(within(result).getByTestId("bundle-key-pinning")).toHaveTextContent("does not match the pinned key");
    expect(importButton()).toBeDisabled();
    expect(imported).toEqual([]);
  });

  it("refuses a production under another key, then imports only once the new key is typed and accepted", async () => {
    install();
    mock.state.producerKey = MOCK_OTHER_SEAL_KEY;
    const logBefore = mock.state.log.length;
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());

    const panel = await screen.findByTestId("key-change");
    expect(within(panel).getByRole("alert")).toHaveTextContent(MOCK_OTHER_SEAL_KEY);
    expect(within(panel).getByRole("alert")).toHaveTextContent(FINGERPRINT);
    expect(within(panel).getByRole("alert")).toHaveTextContent("Nothing was taken in.");
    expect(screen.queryByTestId("import-summary")).toBeNull();
    expect(mock.state.log.length).toBe(logBefore);
    const accept = within(panel).getByRole("button", { name: "Accept the new key" });
    expect(accept).toBeDisabled();

    // The old key typed (or any other) is not the bundle's: still disabled, and said so.
    await user.type(within(panel).getByLabelText("New key's fingerprint, as the producing party gave it"), MOCK_OTHER_SEAL_KEY);
    await user.type(within(panel).getByLabelText("How it was confirmed"), "Phoned Dana Whitfield, 2 March");
    expect(within(panel).getByTestId("accept-mismatch")).toHaveTextContent(FINGERPRINT);
    expect(accept).toBeDisabled();

    await user.clear(within(panel).getByLabelText("New key's fingerprint, as the producing party gave it"));
    await user.type(within(panel).getByLabelText("New key's fingerprint, as the producing party gave it"), FINGERPRINT);
    expect(accept).toBeEnabled();
    await user.click(accept);

    expect(await screen.findByTestId("import-summary")).toHaveTextContent("3 new exhibits");
    expect(screen.getByTestId("import-key-outcome")).toHaveTextContent("You accepted it as this producer vault's new key");
    expect(accepted).toEqual([null, { fingerprint: FINGERPRINT, reason: "Phoned Dana Whitfield, 2 March" }]);
    const decision = mock.state.log.find((e) => e.action === "producer_key_accepted");
    expect(decision?.purpose).toBe("Phoned Dana Whitfield, 2 March");
    expect(mock.state.producerKey).toBe(FINGERPRINT);
  });

  it("a new choice of bundle clears the refusal", async () => {
    install();
    mock.state.producerKey = MOCK_OTHER_SEAL_KEY;
    const user = userEvent.setup();
    render(Import);
    await chooseAndCheck(user);
    await user.click(importButton());
    await screen.findByTestId("key-change");
    await user.type(screen.getByLabelText("Bundle passphrase"), "x");
    expect(screen.queryByTestId("key-change")).toBeNull();
  });
});
