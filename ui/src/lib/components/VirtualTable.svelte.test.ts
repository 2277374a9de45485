import { fireEvent, render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { flushSync } from "svelte";
import { describe, expect, it, vi } from "vitest";
import VirtualTable, { MAX_BODY, ROW_HEIGHT } from "./VirtualTable.svelte";
import { compareText, type Column, type RowSource } from "./table";

interface Item {
  id: string;
  name: string;
  size: number;
}

const pad = (n: number) => String(n).padStart(5, "0");

function makeRows(count: number): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `EX-${pad(i)}`,
    name: `File ${pad((i * 7919) % count)}`,
    size: (i * 37) % 1000,
  }));
}

const columns: Column<Item>[] = [
  { key: "id", label: "Exhibit", render: (r) => r.id, sort: (a, b) => compareText(a.id, b.id), mono: true },
  { key: "name", label: "Name", render: (r) => r.name, sort: (a, b) => compareText(a.name, b.name) },
  { key: "size", label: "Size", render: (r) => String(r.size), sort: (a, b) => a.size - b.size, width: "80px" },
  { key: "note", label: "Note", render: () => "" },
];

function setup(rows: Item[], extra: Record<string, unknown> = {}) {
  const props = $state({
    rows,
    columns,
    rowKey: (r: Item) => r.id,
    selected: new Set<string>(),
    label: "Exhibits",
    ...extra,
  });
  const result = render(VirtualTable<Item>, { props });
  const grid = screen.getByRole("grid", { name: "Exhibits" });
  const bodyRows = () => Array.from(grid.querySelectorAll<HTMLElement>(".vt-body [role='row']"));
  const rowById = (id: string) => {
    const row = bodyRows().find((r) => r.textContent?.includes(id));
    if (!row) throw new Error(`row ${id} is not rendered`);
    return row;
  };
  const firstCellTexts = () => bodyRows().map((r) => r.querySelectorAll("[role='gridcell']")[1]?.textContent?.trim());
  return { ...result, props, grid, bodyRows, rowById, firstCellTexts };
}

describe("VirtualTable", () => {
  it("renders only a window of rows out of 50,000", () => {
    const { grid, bodyRows } = setup(makeRows(50_000));
    const rendered = bodyRows();
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(grid).toHaveAttribute("aria-rowcount", "50001");
    expect(grid).toHaveAttribute("aria-multiselectable", "true");
    expect(rendered[0]).toHaveAttribute("aria-rowindex", "2");
  });

  it("moves the window when scrolled", () => {
    const { grid, bodyRows } = setup(makeRows(50_000));
    grid.scrollTop = 20_000 * ROW_HEIGHT;
    fireEvent.scroll(grid);
    const indexes = bodyRows().map((r) => Number(r.getAttribute("aria-rowindex")));
    expect(bodyRows().length).toBeLessThan(100);
    expect(indexes).toContain(20_002);
    expect(indexes).not.toContain(2);
    const row = bodyRows().find((r) => r.getAttribute("aria-rowindex") === "20002");
    expect(row?.style.top).toBe(`${20_000 * ROW_HEIGHT}px`);
  });

  it("follows a scroll position set by its owner, and reports the user's", () => {
    const { grid, props, bodyRows } = setup(makeRows(50_000), { scrollTop: 1_000 * ROW_HEIGHT });
    flushSync();
    expect(grid.scrollTop).toBe(1_000 * ROW_HEIGHT);
    expect(bodyRows().map((r) => r.getAttribute("aria-rowindex"))).toContain("1002");
    grid.scrollTop = 20_000 * ROW_HEIGHT;
    fireEvent.scroll(grid);
    flushSync();
    expect((props as { scrollTop?: number }).scrollTop).toBe(20_000 * ROW_HEIGHT);
    (props as { scrollTop?: number }).scrollTop = 0;
    flushSync();
    expect(grid.scrollTop).toBe(0);
    expect(bodyRows()[0]).toHaveAttribute("aria-rowindex", "2");
  });

  it("reaches the last of 3,000,000 rows although the body drawn is capped", () => {
    const total = 3_000_000;
    const source: RowSource<Item> = {
      total,
      row: (i) => ({ id: `EX-${i}`, name: `File ${i}`, size: i % 1000 }),
      indexOf: (key) => Number(key.slice(3)),
      need: () => {},
      keys: async (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => `EX-${lo + i}`),
      selectedCount: (selected) => selected.size,
    };
    const { grid, bodyRows } = setup([], { source });
    const body = grid.querySelector<HTMLElement>(".vt-body")!;
    expect(body.style.height).toBe(`${MAX_BODY}px`);
    // Halfway down the body is halfway through the rows.
    grid.scrollTop = MAX_BODY / 2;
    fireEvent.scroll(grid);
    flushSync();
    const middle = bodyRows().map((r) => Number(r.getAttribute("aria-rowindex")) - 2);
    expect(Math.abs(Math.min(...middle) - total / 2)).toBeLessThan(100);
    expect(Math.max(...middle) - Math.min(...middle)).toBeLessThan(100);
    // At the end of the body (as far as it scrolls): the last row, drawn inside it.
    grid.scrollTop = MAX_BODY - 570;
    fireEvent.scroll(grid);
    flushSync();
    const last = bodyRows().find((r) => r.getAttribute("aria-rowindex") === String(total + 1));
    expect(last).toBeDefined();
    expect(parseFloat(last!.style.top)).toBeLessThanOrEqual(MAX_BODY);
  });

  it("brings a row asked for into view, then forgets the request", () => {
    const { grid, props, bodyRows } = setup(makeRows(50_000), { revealIndex: 30_000 });
    flushSync();
    expect(bodyRows().map((r) => r.getAttribute("aria-rowindex"))).toContain("30002");
    expect(grid.scrollTop).toBeGreaterThan(29_000 * ROW_HEIGHT);
    expect((props as { revealIndex?: number | null }).revealIndex).toBeNull();
  });

  it("sorts by a column header, ascending then descending", async () => {
    const user = userEvent.setup();
    const rows: Item[] = [
      { id: "EX-2", name: "beta", size: 20 },
      { id: "EX-10", name: "alpha", size: 5 },
      { id: "EX-1", name: "gamma", size: 300 },
    ];
    const { firstCellTexts } = setup(rows);
    expect(firstCellTexts()).toEqual(["EX-2", "EX-10", "EX-1"]);

    const header = screen.getByRole("columnheader", { name: /Size/ });
    expect(header).not.toHaveAttribute("aria-sort");
    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "ascending");
    expect(firstCellTexts()).toEqual(["EX-10", "EX-2", "EX-1"]);

    await user.click(within(header).getByRole("button"));
    expect(header).toHaveAttribute("aria-sort", "descending");
    expect(firstCellTexts()).toEqual(["EX-1", "EX-2", "EX-10"]);

    const idHeader = screen.getByRole("columnheader", { name: /Exhibit/ });
    await user.click(within(idHeader).getByRole("button"));
    expect(idHeader).toHaveAttribute("aria-sort", "ascending");
    expect(header).not.toHaveAttribute("aria-sort");
    expect(firstCellTexts()).toEqual(["EX-1", "EX-2", "EX-10"]);

    // Columns without a comparator are plain headers.
    const note = screen.getByRole("columnheader", { name: "Note" });
    expect(within(note).queryByRole("button")).toBeNull();
  });

  it("selects a range with shift-click and reports it through the bound set", async () => {
    const user = userEvent.setup();
    const { props, rowById, bodyRows } = setup(makeRows(20));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-00002" }));
    await user.keyboard("{Shift>}");
    await user.click(screen.getByRole("checkbox", { name: "Select EX-00005" }));
    await user.keyboard("{/Shift}");

    expect([...props.selected].sort()).toEqual(["EX-00002", "EX-00003", "EX-00004", "EX-00005"]);
    for (const id of ["EX-00002", "EX-00003", "EX-00004", "EX-00005"]) {
      expect(rowById(id)).toHaveAttribute("aria-selected", "true");
      expect(within(rowById(id)).getByRole("checkbox")).toBeChecked();
    }
    const unselected = bodyRows().filter((r) => r.getAttribute("aria-selected") === "false");
    expect(unselected).toHaveLength(16);

    // A plain click toggles one row off again.
    await user.click(screen.getByRole("checkbox", { name: "Select EX-00003" }));
    expect(props.selected.has("EX-00003")).toBe(false);
    expect(within(rowById("EX-00003")).getByRole("checkbox")).not.toBeChecked();
    expect(props.selected.size).toBe(3);
  });

  it("shows rows chosen by the parent as selected", () => {
    const { rowById } = setup(makeRows(10), { selected: new Set(["EX-00004"]) });
    expect(rowById("EX-00004")).toHaveAttribute("aria-selected", "true");
    expect(rowById("EX-00003")).toHaveAttribute("aria-selected", "false");
  });

  it("selects and clears all rows with the header checkbox", async () => {
    const user = userEvent.setup();
    const { props } = setup(makeRows(50_000));
    const all = screen.getByRole("checkbox", { name: "Select all rows" });
    expect(all).not.toBeChecked();

    await user.click(screen.getByRole("checkbox", { name: "Select EX-00001" }));
    expect(all).toHaveProperty("indeterminate", true);

    await user.click(all);
    expect(props.selected.size).toBe(50_000);
    expect(all).toBeChecked();
    expect(all).toHaveProperty("indeterminate", false);

    await user.click(all);
    expect(props.selected.size).toBe(0);
    expect(all).not.toBeChecked();
  });

  it("moves an active row with the arrow keys, toggles with Space and opens with Enter", async () => {
    const user = userEvent.setup();
    const onOpen = vi.fn();
    const { grid, props, rowById } = setup(makeRows(100), { onOpen });

    await user.tab();
    expect(grid).toHaveFocus();
    expect(grid.getAttribute("aria-activedescendant")).toBe(rowById("EX-00000").id);

    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(grid.getAttribute("aria-activedescendant")).toBe(rowById("EX-00002").id);
    await user.keyboard("{ArrowUp}");
    expect(grid.getAttribute("aria-activedescendant")).toBe(rowById("EX-00001").id);

    await user.keyboard(" ");
    expect([...props.selected]).toEqual(["EX-00001"]);
    await user.keyboard(" ");
    expect(props.selected.size).toBe(0);

    await user.keyboard("{Enter}");
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onOpen).toHaveBeenCalledWith(props.rows[1]);
  });

  it("extends the selection with Shift+Arrow", async () => {
    const user = userEvent.setup();
    const { grid, props } = setup(makeRows(20));
    grid.focus();
    await user.keyboard("{Shift>}{ArrowDown}{ArrowDown}{/Shift}");
    expect([...props.selected].sort()).toEqual(["EX-00000", "EX-00001", "EX-00002"]);
  });

  it("scrolls the active row into view", async () => {
    const user = userEvent.setup();
    const { grid, bodyRows } = setup(makeRows(50_000));
    grid.focus();
    await user.keyboard("{End}");
    const active = document.getElementById(grid.getAttribute("aria-activedescendant") ?? "");
    expect(active).not.toBeNull();
    expect(active).toHaveAttribute("aria-rowindex", "50001");
    expect(grid.scrollTop).toBeGreaterThan(0);
    expect(bodyRows().length).toBeLessThan(100);

    await user.keyboard("{Home}");
    expect(document.getElementById(grid.getAttribute("aria-activedescendant") ?? "")).toHaveAttribute(
      "aria-rowindex",
      "2",
    );
  });

  it("opens a row on double-click", async () => {
    const user = userEvent.setup();
    const onOpen = vi.fn();
    const { rowById, props } = setup(makeRows(5), { onOpen });
    await user.dblClick(rowById("EX-00003"));
    expect(onOpen).toHaveBeenCalledWith(props.rows[3]);
  });

  it("shows the empty message when there are no rows", () => {
    const { bodyRows, props } = setup([], { empty: "No exhibits yet." });
    expect(screen.getByText("No exhibits yet.")).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(0);
    expect(screen.getByRole("checkbox", { name: "Select all rows" })).toBeDisabled();

    props.rows = makeRows(3);
    flushSync();
    expect(screen.queryByText("No exhibits yet.")).toBeNull();
    expect(bodyRows()).toHaveLength(3);
  });

  it("shows and hides the rows beneath a row with its disclosure button or → and ←, the button out of the tab order", async () => {
    // EX-00000 heads two rows shown only when it is expanded.
    const state = $state({ open: false });
    const all = makeRows(5);
    const shown = () => (state.open ? all : [all[0]!, ...all.slice(3)]);
    const beneath = new Set(["EX-00001", "EX-00002"]);
    const tree: Column<Item>[] = [
      {
        ...columns[0]!,
        indent: (r) => (beneath.has(r.id) ? 1 : 0),
        disclosure: (r) =>
          r.id === "EX-00000" ? { expanded: state.open, label: `${state.open ? "Hide" : "Show"} 2 rows`, count: "2", toggle: () => (state.open = !state.open) } : null,
      },
      columns[1]!,
    ];
    const user = userEvent.setup();
    const { grid, props, firstCellTexts, rowById } = setup(shown(), { columns: tree });
    const cells = () => firstCellTexts().map((t) => t?.replace(/\s+/g, ""));
    const stop = $effect.root(() => {
      $effect(() => {
        props.rows = shown();
      });
    });
    const button = screen.getByRole("button", { name: "Show 2 rows" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveAttribute("tabindex", "-1");
    expect(button).toHaveTextContent("▸2");
    await user.click(button);
    flushSync();
    expect(cells()).toEqual(["▾2EX-00000", "↳EX-00001", "↳EX-00002", "EX-00003", "EX-00004"]);
    // The row whose button was clicked is the active one; its own click did not open or select it.
    expect(grid.getAttribute("aria-activedescendant")).toBe(rowById("EX-00000").id);
    expect(props.selected.size).toBe(0);
    grid.focus();
    await user.keyboard("{ArrowLeft}");
    flushSync();
    expect(cells()).toEqual(["▸2EX-00000", "EX-00003", "EX-00004"]);
    await user.keyboard("{ArrowLeft}");
    expect(state.open).toBe(false);
    await user.keyboard("{ArrowRight}");
    flushSync();
    expect(state.open).toBe(true);
    screen.getByRole("button", { name: "Hide 2 rows" }).focus();
    await user.keyboard("{Enter}");
    expect(state.open).toBe(false);
    stop();
  });
});
