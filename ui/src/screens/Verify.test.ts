import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { Finding, JobEvent, VaultSummary, VerifyMode, VerifyReport } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Verify from "./Verify.svelte";
import { deferred } from "../lib/deferred";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}


const finding = (over: Partial<Finding>): Finding => ({
  severity: "error",
  exhibit: null,
  kind: "object_missing",
  event: null,
  message: "",
  action: "",
  ...over,
});

beforeEach(() => {
  reset("verify");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Verify", () => {
  it("explains both kinds and shows nothing before a run", () => {
    install();
    render(Verify);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Quick verification" })).toHaveAccessibleDescription(/present and named by its hash/);
    expect(screen.getByRole("button", { name: "Full verification" })).toHaveAccessibleDescription(/decrypts every exhibit and compares its hashes/);
    expect(screen.queryByTestId("verify-result")).not.toBeInTheDocument();
    expect(screen.getByText("The result appears here when a verification finishes.")).toBeInTheDocument();
  });

  it("reports a clean quick verification", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Quick verification" }));
    const result = await screen.findByTestId("verify-result");
    expect(mock.state.calls).toContain("verifyVault:quick");
    expect(result).toHaveTextContent("No problems found");
    expect(result).toHaveTextContent(`3 exhibits and ${mock.state.log.length} custody events checked (quick)`);
    expect(result).not.toHaveTextContent("Verification failed");
  });

  it("runs a full verification when asked", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Full verification" }));
    expect(await screen.findByTestId("verify-result")).toHaveTextContent(/checked \(full\)/);
    expect(mock.state.calls).toContain("verifyVault:full");
  });

  it("lists the findings of a failed verification, errors first, each with what to do", async () => {
    const mock = install();
    const report: VerifyReport = {
      ok: false,
      mode: "full",
      exhibits: 1204,
      events: 5310,
      findings: [
        finding({ severity: "warning", kind: "unknown_object", message: "An object belongs to no exhibit.", action: "Quarantine it with custos verify --quarantine." }),
        finding({
          exhibit: "EX-0002",
          kind: "content_hash_mismatch",
          message: "The decrypted content does not match the SHA-256 recorded at collection.",
          action: "Restore the vault from a backup and verify again.",
        }),
        finding({ kind: "custody_sequence_gap", event: 17, message: "Custody event 17 does not follow event 16.", action: "Compare with the last external checkpoint." }),
      ],
    };
    mock.verifyVault = async () => report;
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Full verification" }));
    const result = await screen.findByTestId("verify-result");
    expect(result).toHaveTextContent("Verification failed");
    expect(result).not.toHaveTextContent("No problems found");
    expect(result).toHaveTextContent("2 errors, 1 warning");
    expect(result).toHaveTextContent("1,204 exhibits and 5,310 custody events checked (full)");

    const headings = within(result).getAllByRole("heading", { level: 3 }).map((h) => h.textContent);
    expect(headings).toEqual(["Errors (2)", "Warnings (1)"]);
    const items = within(result).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector(".kind")?.textContent)).toEqual(["content_hash_mismatch", "custody_sequence_gap", "unknown_object"]);
    expect(items[0]).toHaveTextContent("The decrypted content does not match the SHA-256 recorded at collection.");
    expect(items[0]).toHaveTextContent("What to do: Restore the vault from a backup and verify again.");
    expect(items[1]).toHaveTextContent("Custody event 17");
    expect(items[2]).toHaveTextContent("Warning");

    await user.click(within(items[0]!).getByRole("button", { name: "EX-0002" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0002" });
  });

  it("does not call a pass with warnings problem-free", async () => {
    const mock = install();
    mock.verifyVault = async (mode) => ({
      ok: true,
      mode,
      exhibits: 3,
      events: 9,
      findings: [finding({ severity: "warning", kind: "unknown_object", message: "An object belongs to no exhibit.", action: "Quarantine it." })],
    });
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Quick verification" }));
    const result = await screen.findByTestId("verify-result");
    expect(result).toHaveTextContent("No errors found, 1 warning");
    expect(result).not.toHaveTextContent("No problems found");
    expect(result).toHaveTextContent("3 exhibits and 9 custody events checked (quick)");
    expect(result).toHaveTextContent("An object belongs to no exhibit.");
  });

  it("shows progress and cancels", async () => {
    const mock = install();
    const job = deferred<VerifyReport>();
    let started: ((e: JobEvent) => void) | null = null;
    mock.verifyVault = (_mode: VerifyMode, _reextract: boolean, onEvent) => {
      started = onEvent;
      onEvent({ type: "begin", files: 4, bytes: 4000 });
      return job.promise;
    };
    const cancelJob = vi.fn(async () => {
      job.reject(new BackendError("cancelled", "the job was cancelled"));
      return true;
    });
    mock.cancelJob = cancelJob;
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Full verification" }));

    const bar = (await screen.findByRole("progressbar", { name: "Full verification" })) as HTMLProgressElement;
    expect(bar.max).toBe(4000);
    expect(bar.value).toBe(0);
    expect(screen.getByRole("button", { name: "Quick verification" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Full verification" })).toBeDisabled();

    // The vault names the exhibit being checked and counts those done.
    started!({ type: "file_started", path: "EX-0002", size: 1000 });
    started!({ type: "progress", bytes: 1000, items: 0 });
    await waitFor(() => expect(bar.value).toBe(1000));
    expect(bar).toHaveAttribute("aria-valuetext", "1.0 kB of 4.0 kB · 4 exhibits");
    expect(screen.getByText("Checking EX-0002")).toBeInTheDocument();
    expect(screen.getByTestId("verify-bytes-meaning")).toHaveTextContent("twice the dashboard's size");
    started!({ type: "progress", bytes: 2000, items: 2 });
    await waitFor(() => expect(bar).toHaveAttribute("aria-valuetext", "2.0 kB of 4.0 kB · 2 of 4 exhibits"));

    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(cancelJob).toHaveBeenCalledTimes(1);
    expect(await screen.findByText(/Verification cancelled/)).toBeInTheDocument();
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(screen.queryByTestId("verify-result")).not.toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Quick verification" })).toBeEnabled();
  });

  it("names the problem when verification cannot run", async () => {
    const mock = install();
    mock.verifyVault = async () => {
      throw new BackendError("busy", "an intake is running; wait for it to finish or cancel it");
    };
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByRole("button", { name: "Quick verification" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("an intake is running; wait for it to finish or cancel it");
    expect(screen.queryByTestId("verify-result")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Quick verification" })).toBeEnabled();
  });

  it("re-runs the extractors when asked, and shows a changed derivation as a warning", async () => {
    const mock = install();
    const verify = vi.spyOn(mock, "verifyVault");
    const user = userEvent.setup();
    render(Verify);
    const box = screen.getByLabelText("Also re-run extractors (re-extraction)");
    expect(box).not.toBeChecked();
    expect(box).toHaveAccessibleDescription(/still come out exactly as recorded/);

    await user.click(screen.getByRole("button", { name: "Quick verification" }));
    await screen.findByTestId("verify-result");
    expect(verify.mock.calls[0]!.slice(0, 2)).toEqual(["quick", false]);
    expect(screen.getByTestId("verify-result")).not.toHaveTextContent("extractors re-run");

    verify.mockImplementation(async (mode, reextract) => ({
      ok: true,
      mode,
      exhibits: 3,
      events: 9,
      findings: reextract
        ? [
            finding({
              severity: "warning",
              kind: "derivation_changed",
              exhibit: "EX-0002",
              event: 12,
              message: "Running custos-mail 0.1.0 again on EX-0002 gives other text than recorded.",
              action: "Find out whether the tool changed; the exhibit itself is unchanged.",
            }),
          ]
        : [],
    }));
    await user.click(box);
    await user.click(screen.getByRole("button", { name: "Full verification" }));
    const result = await screen.findByText(/extractors re-run/);
    expect(verify.mock.calls[1]!.slice(0, 2)).toEqual(["full", true]);
    expect(result).toHaveTextContent("3 exhibits and 9 custody events checked (full, extractors re-run)");
    const report = screen.getByTestId("verify-result");
    expect(report).toHaveTextContent("No errors found, 1 warning");
    expect(within(report).getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Warnings (1)"]);
    const item = within(report).getByRole("listitem");
    expect(item.querySelector(".kind")?.textContent).toBe("derivation_changed");
    expect(item).toHaveTextContent("Warning");
    expect(item).toHaveTextContent("Custody event 12");
    expect(item).toHaveTextContent("What to do: Find out whether the tool changed");
  });

  it("passes re-extraction to the mock vault, which logs it", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Verify);
    await user.click(screen.getByLabelText("Also re-run extractors (re-extraction)"));
    await user.click(screen.getByRole("button", { name: "Quick verification" }));
    await screen.findByTestId("verify-result");
    expect(mock.state.calls).toContain("verifyVault:quick:reextract");
    expect(mock.state.log.at(-1)?.details).toMatchObject({ mode: "quick", reextract: true });
  });
});
