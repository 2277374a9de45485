import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setBackend } from "../../lib/backend";
import type { ExhibitQuery, ExhibitWindow, ExportOptions, StampPreview } from "../../lib/bindings";
import { MOCK_MATTER, MOCK_RECIPIENT, createMockBackend, mockExhibit, mockFamily, type MockState } from "../../lib/mock-backend";
import { session } from "../../lib/session.svelte";
import {
  CHECKING,
  CHECKING_SEARCH,
  ExportWizard,
  PICK_ROWS,
  PLAN_DELAY_MS,
  PREVIEW_DELAY_MS,
  SEARCH_DELAY_MS,
  familyGapText,
  familyGaps,
  idList,
  withFamilies,
} from "./state.svelte";

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: { matter: { ...MOCK_MATTER }, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null }, ...init });
  setBackend(mock);
  return mock;
}

/** A wizard with its effects running, as the screen runs them. */
function wizard(): { w: ExportWizard; stop: () => void } {
  const w = new ExportWizard();
  const stop = $effect.root(() => {
    $effect(() => w.keepPassphraseOnlyIfChosen());
    $effect(() => w.followSearch());
    $effect(() => w.followFamilies());
    $effect(() => w.followPlan());
    $effect(() => w.followSearchCheck());
    $effect(() => w.followPreview());
  });
  return { w, stop };
}

beforeEach(() => {
  session.vault = { matter: { ...MOCK_MATTER }, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null };
});

afterEach(() => {
  setBackend(null);
  session.vault = null;
  session.job = null;
  vi.useRealTimers();
});

describe("ExportWizard", () => {
  it("loads the exhibits' counts, not the exhibits, and suggests a prefix; Next waits for a valid step", async () => {
    const mock = install();
    const { w, stop } = wizard();
    expect(w.stepProblem).toBe("Loading the exhibits…");
    await w.load();
    expect([w.loaded, w.vaultExhibits, w.chosenCount, w.prefix]).toEqual([true, 3, 3, "HAL"]);
    expect(w.tags).toEqual([{ tag: "hot", exhibits: 1 }]);
    expect(w.custodians).toEqual([{ name: "Erik Brandt", exhibits: 2 }, { name: "IT Department", exhibits: 1 }]);
    expect(mock.state.calls).toContain("exhibitFacets");
    expect(mock.state.calls).not.toContain("exhibitWindow");
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

  it("says so when the vault holds no exhibits", async () => {
    install({ exhibits: [] });
    const { w, stop } = wizard();
    await w.load();
    expect([w.loaded, w.stepProblem]).toEqual([true, "The vault holds no exhibits yet."]);
    stop();
  });

  it("counts a tag or custodian choice by the vault's counts", async () => {
    install({
      exhibits: [
        mockExhibit(1, { tags: ["hot"], custodian: "Anna Lind" }),
        mockExhibit(2, { tags: ["hot", "cold"], custodian: "Anna Lind" }),
        mockExhibit(3, { custodian: null }),
      ],
    });
    const { w, stop } = wizard();
    await w.load();
    w.selectBy = "tag";
    expect([w.chosenCount, w.stepProblem]).toEqual([0, "Choose a tag."]);
    w.tag = "hot";
    expect([w.chosenCount, w.stepProblem]).toEqual([2, null]);
    w.tag = "cold";
    expect(w.chosenCount).toBe(1);
    w.selectBy = "custodian";
    // No one to choose for the exhibit with no custodian recorded.
    expect(w.custodians.map((c) => c.name)).toEqual(["Anna Lind"]);
    w.custodian = "Anna Lind";
    expect(w.chosenCount).toBe(2);
    stop();
  });

  it("searches by the vault a pause after typing, shows its first window and how many match", async () => {
    vi.useFakeTimers();
    const mock = install({ exhibits: Array.from({ length: PICK_ROWS + 5 }, (_, i) => mockExhibit(i + 1, { name: `memo ${i + 1}.txt` })) });
    const asked: ExhibitQuery[] = [];
    const real = mock.exhibitWindow;
    mock.exhibitWindow = (q) => {
      asked.push(q);
      return real(q);
    };
    const { w, stop } = wizard();
    await w.load();
    flushSync();
    // Nothing is searched until picking by hand is chosen.
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(asked).toEqual([]);
    w.selectBy = "picked";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(asked.map((q) => [q.text, q.limit])).toEqual([["", PICK_ROWS]]);
    expect([w.matches?.total, w.shown.length]).toEqual([PICK_ROWS + 5, PICK_ROWS]);

    // Typing asks once, for the text typed, after the last keystroke.
    for (const text of ["m", "me", "memo 30", " memo 30 "]) {
      w.search = text;
      flushSync();
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS / 5);
    }
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(asked.map((q) => q.text)).toEqual(["", "memo 30"]);
    expect(w.shown.map((e) => e.name)).toEqual(["memo 30.txt", "memo 130.txt", "memo 230.txt", ...[0, 1, 2, 3, 4, 5].map((i) => `memo 30${i}.txt`)]);
    expect(w.matches?.total).toBe(9);
    w.pickAllShown();
    expect([w.picked.length, w.chosenCount]).toEqual([9, 9]);
    stop();
  });

  it("drops an answer to an older search that arrives after a newer one", async () => {
    vi.useFakeTimers();
    const mock = install();
    const pending = new Map<string, (w: ExhibitWindow) => void>();
    mock.exhibitWindow = (q) => new Promise((resolve) => pending.set(q.text, resolve));
    const { w, stop } = wizard();
    await w.load();
    w.selectBy = "picked";
    w.search = "lodestar";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    w.search = "audit";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect([...pending.keys()]).toEqual(["lodestar", "audit"]);
    const audit = mockExhibit(3, { name: "docsys-audit-2026-05.csv" });
    pending.get("audit")!({ total: 1, offset: 0, rows: [audit] });
    await vi.advanceTimersByTimeAsync(0);
    pending.get("lodestar")!({ total: 1, offset: 0, rows: [mockExhibit(1)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(w.shown.map((e) => e.id)).toEqual(["EX-0003"]);

    // Leaving the hand-pick choice drops an answer still on its way.
    w.search = "brandt";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    w.selectBy = "all";
    flushSync();
    pending.get("brandt")!({ total: 1, offset: 0, rows: [mockExhibit(2)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(w.matches).toBeNull();
    stop();
  });

  it("checks a search chosen by the vault's plan a pause after it changed, dropping an older answer", async () => {
    vi.useFakeTimers();
    const mock = install({ savedSearches: [{ name: "Spec", query: "lodestar", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" }] });
    const asked: ExportOptions[] = [];
    const real = mock.planExport;
    const pending: (() => void)[] = [];
    mock.planExport = (o) => {
      asked.push(o);
      return new Promise((resolve, reject) => pending.push(() => real(o).then(resolve, reject)));
    };
    const { w, stop } = wizard();
    await w.load();
    expect(w.savedSearches.map((x) => x.name)).toEqual(["Spec"]);
    w.selectBy = "search";
    flushSync();
    expect(w.stepProblem).toBe("Enter a query.");
    w.typedQuery = "*cret";
    flushSync();
    expect([w.searchChecking, w.stepProblem]).toEqual([true, CHECKING_SEARCH]);
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    w.searchFrom = "saved";
    w.savedName = "Spec";
    flushSync();
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    // The saved search's answer first, the older typed one after: only the newer stands.
    pending[1]!();
    await vi.advanceTimersByTimeAsync(0);
    pending[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(asked.map((o) => [o.search, o.search_name, o.exhibits, o.recipients, o.passphrase, o.search_terms])).toEqual([
      ["*cret", null, [], [], null, null],
      ["lodestar", "Spec", [], [], null, null],
    ]);
    expect([w.searchCheckError, w.chosenCount, w.stepProblem]).toEqual([null, 1, null]);

    // A query the vault refuses: its reason keeps the step from going on.
    w.searchFrom = "typed";
    flushSync();
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    pending[2]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(w.stepProblem).toBe("The query cannot be searched exactly: *cret: a wildcard may only end a word (term*); one at its start or inside it cannot be searched exactly.");
    expect(w.chosenCount).toBe(0);
    // Another way of choosing forgets the check.
    w.selectBy = "all";
    flushSync();
    expect([w.searchPlan, w.searchCheckError, w.searchChecking]).toEqual([null, null, false]);
    stop();
  });

  it("shows why the search failed", async () => {
    vi.useFakeTimers();
    const mock = install();
    mock.exhibitWindow = async () => {
      throw new Error("the vault is locked");
    };
    const { w, stop } = wizard();
    await w.load();
    w.selectBy = "picked";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect([w.matches, w.searchError]).toEqual([null, "The vault is locked."]);
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

describe("families in an export", () => {
  const m = (id: string, depth: number, parent: string | null) => ({ id, name: `${id}.txt`, depth, parent });
  // EX-0004 heads EX-0005 and EX-0006; EX-0008 was found inside EX-0006. EX-0010 heads EX-0011.
  const families = new Map([
    ["EX-0004", [m("EX-0004", 0, null), m("EX-0005", 1, "EX-0004"), m("EX-0006", 1, "EX-0004"), m("EX-0008", 2, "EX-0006")]],
    ["EX-0010", [m("EX-0010", 0, null), m("EX-0011", 1, "EX-0010")]],
  ]);

  it("names the families the picks take only in part, and what the export adds", () => {
    const gaps = familyGaps(["EX-0001", "EX-0008", "EX-0010", "EX-0011"], families);
    expect(gaps).toEqual([{ head: "EX-0004", size: 4, picked: ["EX-0008"], missing: ["EX-0004", "EX-0005", "EX-0006"] }]);
    expect(familyGapText(gaps[0]!)).toBe(
      "EX-0008 belongs to the family of EX-0004 (4 exhibits). Families are produced whole: EX-0004, EX-0005 and EX-0006 will be added.",
    );
    const head = familyGaps(["EX-0004"], families)[0]!;
    expect(familyGapText(head)).toBe("EX-0004 heads a family of 4 exhibits. Families are produced whole: EX-0005, EX-0006 and EX-0008 will be added.");
    const two = familyGaps(["EX-0005", "EX-0008"], families)[0]!;
    expect(familyGapText(two)).toBe("EX-0005 and EX-0008 belong to the family of EX-0004 (4 exhibits). Families are produced whole: EX-0004 and EX-0006 will be added.");
    expect(withFamilies(["EX-0001", "EX-0008"], familyGaps(["EX-0001", "EX-0008"], families))).toEqual(["EX-0001", "EX-0008", "EX-0004", "EX-0005", "EX-0006"]);
    expect(familyGaps(["EX-0004", "EX-0005", "EX-0006", "EX-0008"], families)).toEqual([]);
    expect(idList(["A", "B", "C", "D", "E", "F", "G"])).toBe("A, B, C, D, E and 2 more");
  });

  it("reads the family of an exhibit picked, offers the rest of it and picks it", async () => {
    vi.useFakeTimers();
    const mock = install({ exhibits: [mockExhibit(1), mockExhibit(2), mockExhibit(3), ...mockFamily(4)] });
    const { w, stop } = wizard();
    await w.load();
    w.selectBy = "picked";
    w.search = "bracket";
    flushSync();
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(w.shown.map((e) => e.id)).toEqual(["EX-0007"]);
    w.togglePick("EX-0007", true);
    flushSync();
    await vi.advanceTimersByTimeAsync(0);
    expect(mock.state.calls.filter((c) => c === "exhibitFamily")).toEqual(["exhibitFamily"]);
    expect(w.familyGaps.map((g) => [g.head, g.missing])).toEqual([["EX-0004", ["EX-0004", "EX-0005", "EX-0006"]]]);
    expect([w.chosenCount, w.producedCount]).toEqual([1, 4]);

    w.addFamily("EX-0004");
    flushSync();
    expect(w.picked).toEqual(["EX-0007", "EX-0004", "EX-0005", "EX-0006"]);
    expect([w.familyGaps, w.chosenCount, w.producedCount]).toEqual([[], 4, 4]);
    // Known now: not read again.
    await vi.advanceTimersByTimeAsync(0);
    expect(mock.state.calls.filter((c) => c === "exhibitFamily")).toHaveLength(1);

    // An exhibit on its own asks nothing.
    w.picked = ["EX-0001"];
    flushSync();
    await vi.advanceTimersByTimeAsync(0);
    expect([w.familyGaps, w.producedCount]).toEqual([[], 1]);
    stop();
  });

  it("previews the stamped page a pause after the last change, on the page images step only, dropping an older answer", async () => {
    vi.useFakeTimers();
    const mock = install();
    const asked: [ExportOptions, string | null][] = [];
    const pending: (() => void)[] = [];
    const real = mock.stampPreview;
    mock.stampPreview = (o, exhibit) => {
      asked.push([o, exhibit]);
      return new Promise<StampPreview>((resolve, reject) => pending.push(() => void real(o, exhibit).then(resolve, reject)));
    };
    const { w, stop } = wizard();
    await w.load();
    w.step = "images";
    flushSync();
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    // The natives only: nothing to preview.
    expect([asked.length, w.previewing, w.preview, w.previewError]).toEqual([0, false, null, null]);

    w.images = "tiff";
    w.endorse = "X".repeat(120);
    flushSync();
    expect(w.previewing).toBe(true);
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    // Typed on: asked again only a pause after the last change.
    for (const text of ["C", "CONF", " CONFIDENTIAL "]) {
      w.endorse = text;
      flushSync();
      await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS / 3);
    }
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    expect(asked.map(([o, exhibit]) => [o.images, o.endorse, o.passphrase, exhibit])).toEqual([
      ["tiff", "X".repeat(120), null, null],
      ["tiff", "CONFIDENTIAL", null, null],
    ]);
    // The newer answer first, the older refusal after: only the newer stands.
    pending[1]!();
    await vi.advanceTimersByTimeAsync(0);
    pending[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect([w.preview?.exhibit_id, w.preview?.bates, w.preview?.legend, w.previewError, w.previewing]).toEqual(["EX-0001", "HAL000001", "CONFIDENTIAL", null, false]);

    // A refusal replaces the page.
    w.endorseCorner = "bottom-right";
    flushSync();
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    pending[2]!();
    await vi.advanceTimersByTimeAsync(0);
    expect([w.preview, w.previewError]).toEqual([null, "The Bates number and the legend cannot share the bottom-right corner."]);

    // Off the step, nothing is asked; the natives only forget the preview.
    w.step = "encryption";
    w.endorseCorner = "top-left";
    flushSync();
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    expect(asked).toHaveLength(3);
    w.images = null;
    flushSync();
    expect([w.preview, w.previewError]).toEqual([null, null]);
    stop();
  });

  it("plans the numbering without the legend, and the page images with it, refused with the reason", async () => {
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
    w.images = "pdf";
    w.endorse = "X".repeat(120);
    w.step = "numbering";
    flushSync();
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    expect(asked.at(-1)).toMatchObject({ images: "pdf", endorse: null });
    expect([w.plan?.pages, w.plan?.bates_last, w.stepProblem]).toEqual([6, "HAL000006", null]);

    w.step = "images";
    flushSync();
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    expect(asked.at(-1)).toMatchObject({ images: "pdf", endorse: "X".repeat(120), bates_corner: "bottom-right", endorse_corner: "bottom-left" });
    expect(w.stepProblem).toMatch(/^The stamp “X+” is 780 points wide; 500 fit in the bottom-left corner/);
    expect(w.navHint).toBeNull();
    w.endorse = "CONFIDENTIAL";
    flushSync();
    expect([w.planning, w.stepProblem]).toEqual([true, expect.stringMatching(/^The stamp/)]);
    await vi.advanceTimersByTimeAsync(PLAN_DELAY_MS);
    expect([w.plan?.pages, w.planError, w.stepProblem]).toEqual([6, null, null]);
    stop();
  });
});
