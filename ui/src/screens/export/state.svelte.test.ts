import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setBackend } from "../../lib/backend";
import type { ExportOptions } from "../../lib/bindings";
import { MOCK_MATTER, MOCK_RECIPIENT, createMockBackend } from "../../lib/mock-backend";
import { session } from "../../lib/session.svelte";
import { CHECKING, ExportWizard, PLAN_DELAY_MS } from "./state.svelte";

function install() {
  const mock = createMockBackend({ open: { matter: { ...MOCK_MATTER }, path: "/v", demo: false } });
  setBackend(mock);
  return mock;
}

/** A wizard with its effects running, as the screen runs them. */
function wizard(): { w: ExportWizard; stop: () => void } {
  const w = new ExportWizard();
  const stop = $effect.root(() => {
    $effect(() => w.keepPassphraseOnlyIfChosen());
    $effect(() => w.followPlan());
  });
  return { w, stop };
}

beforeEach(() => {
  session.vault = { matter: { ...MOCK_MATTER }, path: "/v", demo: false };
});

afterEach(() => {
  setBackend(null);
  session.vault = null;
  session.job = null;
  vi.useRealTimers();
});

describe("ExportWizard", () => {
  it("loads the exhibits and suggests a prefix; Next waits for a valid step", async () => {
    install();
    const { w, stop } = wizard();
    expect(w.stepProblem).toBe("Loading the exhibits…");
    await w.load();
    expect([w.loaded, w.exhibits.length, w.prefix]).toEqual([true, 3, "HAL"]);
    w.selectBy = "tag";
    w.next();
    expect(w.step).toBe("select");
    w.selectBy = "all";
    w.next();
    expect(w.step).toBe("numbering");
    w.previous();
    w.previous();
    expect(w.step).toBe("select");
    stop();
  });

  it("asks for the plan after a pause, without the passphrase, and forgets it off the plan's steps", async () => {
    vi.useFakeTimers();
    const mock = install();
    const asked: ExportOptions[] = [];
    const real = mock.planExport;
    mock.planExport = (o) => {
      asked.push(o);
      return real(o);
    };
    const { w, stop } = wizard();
    await w.load();
    w.protect = "passphrase";
    w.passphrase = "violet anchor lamp 42";
    w.step = "numbering";
    flushSync();
    expect([w.planning, w.stepProblem]).toEqual([true, CHECKING]);
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    expect(w.plan?.bates_first).toBe("HAL000001");
    expect(w.planning).toBe(false);
    expect(asked.map((o) => o.passphrase)).toEqual([null]);

    // Leaving the step forgets the plan.
    w.step = "select";
    flushSync();
    expect(w.plan).toBeNull();
    stop();
  });

  it("forgets the passphrase when another protection is chosen", () => {
    install();
    const { w, stop } = wizard();
    w.protect = "passphrase";
    flushSync();
    w.passphrase = "violet anchor lamp 42";
    w.passphrase2 = "violet anchor lamp 42";
    w.protect = "none";
    flushSync();
    expect([w.passphrase, w.passphrase2]).toEqual(["", ""]);
    stop();
  });

  it("adds a key and chooses it; removing it unchooses it", async () => {
    install();
    const w = new ExportWizard();
    w.newName = "Dana Reyes";
    w.newKey = "age1nope";
    await w.addKey();
    expect(w.keyError).toMatch(/is not an age X25519 recipient/);
    w.newKey = MOCK_RECIPIENT;
    await w.addKey();
    expect([w.keyError, w.newName, w.newKey]).toEqual([null, "", ""]);
    expect(w.counsel.map((k) => k.name)).toEqual(["Dana Reyes"]);
    expect(w.chosenKeys).toEqual([MOCK_RECIPIENT]);
    await w.removeKey(w.counsel[0]);
    expect([w.counsel, w.chosenKeys]).toEqual([[], []]);
  });
});
