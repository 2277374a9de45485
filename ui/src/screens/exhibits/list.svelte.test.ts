import { waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setBackend } from "../../lib/backend";
import type { VaultSummary } from "../../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockExhibit, mockFamily } from "../../lib/mock-backend";
import { session } from "../../lib/session.svelte";
import { exhibitList, forgetExhibitList } from "./list.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/v", demo: false, examiner: "Dana Whitfield", firm: null });

/** EX-0001 heads EX-0002 … EX-0004; EX-0005 and EX-0006 are on their own. */
function install() {
  const mock = createMockBackend({ open: vault(), exhibits: [...mockFamily(1), mockExhibit(5), mockExhibit(6)] });
  setBackend(mock);
  return mock;
}

/** The list with its first rows (and the members drawn) fetched. */
async function loadedList() {
  const list = exhibitList();
  list.vaultExhibits = 6;
  list.reload();
  await waitFor(() => expect(list.matching).not.toBeNull());
  return list;
}

const ids = (list: ReturnType<typeof exhibitList>) => Array.from({ length: list.total }, (_, i) => list.row(i)?.id);

beforeEach(() => {
  forgetExhibitList();
  session.vault = vault();
});

afterEach(() => {
  setBackend(null);
  session.vault = null;
});

describe("ExhibitList with families grouped", () => {
  it("asks for the heads only, unless a filter is on or the user lists every exhibit", async () => {
    install();
    const list = await loadedList();
    expect(list.query().heads_only).toBe(true);
    expect([list.matching, list.rowCount, list.hasFamilies]).toEqual([3, 3, true]);
    list.custodian = "=Erik Brandt";
    expect(list.query().heads_only).toBe(false);
    list.custodian = "";
    list.appliedText = "bracket";
    expect(list.query().heads_only).toBe(false);
    list.appliedText = "";
    list.grouped = false;
    expect(list.query().heads_only).toBe(false);
    // The choice holds for the session, whichever vault's list.
    session.vault = { ...vault(), matter: { ...MOCK_MATTER, vault_id: "another" } };
    expect(exhibitList().grouped).toBe(false);
  });

  it("draws an open family's members beneath its head and steps, selects and finds them there", async () => {
    const mock = install();
    const list = await loadedList();
    expect(ids(list)).toEqual(["EX-0001", "EX-0005", "EX-0006"]);
    await list.openFamily("EX-0001");
    expect([list.isOpen("EX-0001"), list.rowCount]).toEqual([true, 6]);
    list.need(0, 6);
    await waitFor(() => expect(ids(list)).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]));
    expect(["EX-0003", "EX-0004", "EX-0005"].map((id) => list.indexOf(id))).toEqual([2, 3, 4]);
    expect(["EX-0001", "EX-0002", "EX-0004"].map((id) => list.depthOf(id))).toEqual([0, 1, 2]);
    // A range across the family takes its members (a shift-click), by the rows drawn.
    expect(await list.keys(2, 5)).toEqual(["EX-0003", "EX-0004", "EX-0005", "EX-0006"]);
    // Previous and next step through the rows drawn.
    expect((await list.at(3))?.name).toBe("bracket-rev4.txt");
    expect((await list.at(4))?.id).toBe("EX-0005");
    // Only the family opened was read, and only its members' rows.
    expect(mock.state.calls.filter((c) => c === "exhibitFamily")).toEqual(["exhibitFamily"]);
    expect(mock.state.calls.filter((c) => c === "exhibitDetail")).toHaveLength(3);

    // Closed, an active member hands its place to the head.
    list.activeKey = "EX-0004";
    list.closeFamily("EX-0001");
    expect([list.activeKey, list.rowCount, list.indexOf("EX-0005")]).toEqual(["EX-0001", 3, 1]);
  });

  it("counts a selected member of a closed family as hidden, and select all takes every exhibit", async () => {
    install();
    const list = await loadedList();
    list.selected = new Set(["EX-0001", "EX-0003"]);
    // The heads' ids are asked for once, as the table counts its rows selected.
    expect(list.selectedCount(list.selected)).toBe(0);
    await waitFor(() => expect(list.selectedCount(list.selected)).toBe(1));
    expect(list.hiddenSelected).toBe(1);
    await list.openFamily("EX-0001");
    expect([list.selectedCount(list.selected), list.hiddenSelected]).toEqual([2, 0]);
    expect(new Set(await list.allKeys())).toEqual(new Set(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]));
  });

  it("keeps a family open when fetched anew in place, and closes it for a new query", async () => {
    install();
    const list = await loadedList();
    await list.openFamily("EX-0001");
    list.reload(true);
    await waitFor(() => expect(list.matching).not.toBeNull());
    await waitFor(() => expect(list.rowCount).toBe(6));
    expect(list.isOpen("EX-0001")).toBe(true);
    list.sortKey = "name";
    list.reload();
    expect(list.isOpen("EX-0001")).toBe(false);
    await waitFor(() => expect(ids(list)).toEqual(["EX-0005", "EX-0006", "EX-0001"]));
    expect(list.rowCount).toBe(3);
  });
});
