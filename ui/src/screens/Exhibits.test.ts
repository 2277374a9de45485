import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { Exhibit, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockExhibit, mockFamily, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Exhibits from "./Exhibits.svelte";
import { forgetExhibitList } from "./exhibits/list.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), ...init });
  setBackend(mock);
  return mock;
}

function bodyRows(): HTMLElement[] {
  return Array.from(screen.getByRole("grid", { name: "Exhibits" }).querySelectorAll<HTMLElement>(".vt-body [role='row']"));
}

function rowOf(id: string): HTMLElement {
  const row = bodyRows().find((r) => within(r).queryByText(id, { exact: true }));
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}

/** The exhibit number of each row drawn (without a family's button or a member's "↳"). */
const idsShown = () =>
  bodyRows().map((r) => {
    const cell = r.querySelectorAll("[role='gridcell']")[1];
    return (cell?.querySelector(".vt-text") ?? cell)?.textContent?.trim();
  });

async function loaded(total: number) {
  await screen.findByText(new RegExp(`of ${total.toLocaleString("en-US")} exhibits`));
}

beforeEach(() => {
  forgetExhibitList();
  reset("exhibits");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Exhibits", () => {
  it("lists every exhibit with its number, type, size, custodian and short hash", async () => {
    const mock = install();
    render(Exhibits);
    await loaded(3);
    expect(screen.getByRole("heading", { level: 1, name: "Exhibits" })).toBeInTheDocument();
    expect(screen.getByText(/3 of 3 exhibits/)).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(3);

    const first = mock.state.exhibits[0]!;
    const row = rowOf("EX-0001");
    expect(row).toHaveTextContent("Lodestar spec v3.pdf");
    expect(row).toHaveTextContent("application/pdf");
    expect(row).toHaveTextContent("1.0 kB");
    expect(row).toHaveTextContent("Erik Brandt");
    expect(row).toHaveTextContent("hot");
    expect(row).toHaveTextContent(`${first.sha256.slice(0, 12)}…`);
    expect(row).not.toHaveTextContent(first.sha256);
    expect(row).toHaveTextContent("2026-06-02 10:00");
    expect(screen.getByRole("columnheader", { name: /Collected \(UTC\)/ })).toBeInTheDocument();
    expect(rowOf("EX-0003")).toHaveTextContent("IT Department");
  });

  it("renders 50,000 exhibits with fewer than 100 row elements and filters them", async () => {
    const exhibits = Array.from({ length: 50_000 }, (_, i) =>
      mockExhibit(i + 1, {
        custodian: i % 10 === 0 ? "IT Department" : "Erik Brandt",
        tags: i % 4 === 0 ? ["privileged"] : [],
      }),
    );
    const mock = install({ exhibits, log: [] });
    const windows = vi.spyOn(mock, "exhibitWindow");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(50_000);
    expect(screen.getByText(/50,000 of 50,000 exhibits/)).toBeInTheDocument();
    const rendered = bodyRows().length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);

    await user.selectOptions(screen.getByLabelText("Custodian"), "=IT Department");
    expect(await screen.findByText(/5,000 of 50,000 exhibits/)).toBeInTheDocument();
    expect(within(screen.getByLabelText("Custodian")).getByRole("option", { name: "IT Department (5,000)" })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Tag"), "=privileged");
    // i % 10 === 0 and i % 4 === 0: every 20th.
    expect(await screen.findByText(/2,500 of 50,000 exhibits/)).toBeInTheDocument();
    expect(windows).toHaveBeenLastCalledWith(expect.objectContaining({ custodian: { kind: "named", name: "IT Department" }, tag: "privileged" }));

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await user.type(screen.getByLabelText("Filter"), "document-4999");
    // document-4999 and document-49990 … document-49999.
    expect(await screen.findByText(/11 of 50,000 exhibits/)).toBeInTheDocument();
    await waitFor(() => expect(idsShown()).toContain("EX-49995"));
    expect(idsShown()).toContain("EX-4999");
    expect(bodyRows()).toHaveLength(11);
    // The vault filtered and counted: no answer held more than a window.
    for (const r of windows.mock.results) expect((await r.value).rows.length).toBeLessThanOrEqual(200);
  });

  it("filters by number, name, custodian, tag and hash prefix", async () => {
    const exhibits: Exhibit[] = [
      mockExhibit(1, { name: "Board minutes.pdf", sha256: "aa11".padEnd(64, "0"), tags: ["hot"] }),
      mockExhibit(2, { name: "Payroll.xlsx", sha256: "bb22".padEnd(64, "0"), custodian: "Mara Holt" }),
      mockExhibit(3, { name: "Notes.txt", sha256: "cc33".padEnd(60, "0") + "aa11", custodian: null }),
    ];
    install({ exhibits });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    const filter = screen.getByLabelText("Filter");

    await user.type(filter, "AA11");
    expect(await screen.findByText(/1 of 3 exhibits/)).toBeInTheDocument();
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001"]));

    await user.clear(filter);
    await user.type(filter, "holt");
    await waitFor(() => expect(idsShown()).toEqual(["EX-0002"]));

    await user.clear(filter);
    await user.type(filter, "ex-0003");
    await waitFor(() => expect(idsShown()).toEqual(["EX-0003"]));

    await user.clear(filter);
    await user.type(filter, "hot board");
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001"]));

    await user.clear(filter);
    await user.type(filter, "nothing-like-this");
    expect(await screen.findByText(/0 of 3 exhibits/)).toBeInTheDocument();
    expect(screen.getByText("No exhibits match the filter.")).toBeInTheDocument();

    await user.clear(filter);
    await waitFor(() => expect(idsShown()).toHaveLength(3));
    await user.selectOptions(screen.getByLabelText("Custodian"), "-");
    await waitFor(() => expect(idsShown()).toEqual(["EX-0003"]));
  });

  it("sorts by a column", async () => {
    install({
      exhibits: [mockExhibit(1, { name: "b.txt", size: 10 }), mockExhibit(2, { name: "c.txt", size: 5 }), mockExhibit(3, { name: "a.txt", size: 7 })],
    });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    await user.click(screen.getByRole("button", { name: "Name" }));
    await waitFor(() => expect(idsShown()).toEqual(["EX-0003", "EX-0001", "EX-0002"]));
    await user.click(screen.getByRole("button", { name: "Size" }));
    await waitFor(() => expect(idsShown()).toEqual(["EX-0002", "EX-0003", "EX-0001"]));
    await user.click(screen.getByRole("button", { name: "Size" }));
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0003", "EX-0002"]));
  });

  it("adds and removes a tag on the selected exhibits, then reloads", async () => {
    const mock = install();
    const tagExhibits = vi.spyOn(mock, "tagExhibits");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    expect(screen.queryByRole("button", { name: "Add tag" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("checkbox", { name: "Select EX-0001" }));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    expect(screen.getByRole("group", { name: "Selected exhibits" })).toHaveTextContent("2 selected");

    const add = screen.getByRole("button", { name: "Add tag" });
    expect(add).toBeDisabled();
    await user.type(screen.getByLabelText("Tag to add or remove"), "privileged");
    await user.click(add);

    expect(tagExhibits).toHaveBeenCalledWith({ ids: ["EX-0001", "EX-0003"], add_tags: ["privileged"], remove_tags: [] }, expect.any(Function));
    expect(await screen.findByText(/2 exhibits processed/)).toBeInTheDocument();
    await waitFor(() => expect(rowOf("EX-0003")).toHaveTextContent("privileged"));
    expect(rowOf("EX-0002")).not.toHaveTextContent("privileged");
    // The new tag is offered in the tag filter, with its count.
    await waitFor(() => expect(within(screen.getByLabelText("Tag")).getByRole("option", { name: /^privileged \(\d+\)$/ })).toBeInTheDocument());

    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    await user.type(screen.getByLabelText("Tag to add or remove"), "hot");
    await user.click(screen.getByRole("button", { name: "Remove tag" }));
    expect(tagExhibits).toHaveBeenLastCalledWith({ ids: ["EX-0001"], add_tags: [], remove_tags: ["hot"] }, expect.any(Function));
    expect(await screen.findByText(/1 exhibit processed/)).toBeInTheDocument();
    await waitFor(() => expect(rowOf("EX-0001")).not.toHaveTextContent("hot"));
  });

  it("says why tagging failed", async () => {
    const mock = install();
    mock.tagExhibits = async () => {
      throw new BackendError("invalid_input", "a tag must not be longer than 64 characters");
    };
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0002" }));
    await user.type(screen.getByLabelText("Tag to add or remove"), "x{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("a tag must not be longer than 64 characters");
  });

  it("opens an exhibit by double-click, Enter and the Open button", async () => {
    install();
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);

    await user.dblClick(rowOf("EX-0002"));
    expect(router.screen).toBe("exhibit");
    // Its place in the list comes along, for previous and next.
    expect(router.params).toEqual({ id: "EX-0002", at: "1" });

    reset("exhibits");
    screen.getByRole("grid", { name: "Exhibits" }).focus();
    await user.keyboard("{Home}{ArrowDown}{Enter}");
    expect(router.params).toEqual({ id: "EX-0002", at: "1" });

    reset("exhibits");
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    await user.click(screen.getByRole("button", { name: "Open EX-0003" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0003" });
  });

  it("says in words that there are no exhibits yet", async () => {
    install({ exhibits: [], log: [] });
    render(Exhibits);
    await loaded(0);
    expect(screen.getByText(/No exhibits yet/)).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(0);
  });

  it("names the problem when the list cannot be loaded, and can try again", async () => {
    const mock = install();
    const windowOf = mock.exhibitWindow;
    let fail = true;
    mock.exhibitWindow = async (q) => {
      if (fail) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
      return windowOf(q);
    };
    const user = userEvent.setup();
    render(Exhibits);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("the vault is locked; unlock it with its passphrase");
    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await loaded(3);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("keeps the filter, order, selection and place when an exhibit is opened and the list shown again", async () => {
    const exhibits = Array.from({ length: 2_000 }, (_, i) => mockExhibit(i + 1, { custodian: i % 2 === 0 ? "Erik Brandt" : "Ana Oster" }));
    install({ exhibits, log: [] });
    const user = userEvent.setup();
    const first = render(Exhibits);
    await loaded(2_000);
    await user.selectOptions(screen.getByLabelText("Custodian"), "=Ana Oster");
    expect(await screen.findByText(/1,000 of 2,000 exhibits/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Exhibit" }));
    await user.click(screen.getByRole("button", { name: "Exhibit" }));
    await waitFor(() => expect(idsShown()[0]).toBe("EX-2000"));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-1998" }));
    const grid = screen.getByRole("grid", { name: "Exhibits" });
    grid.scrollTop = 300 * 28;
    grid.dispatchEvent(new Event("scroll"));
    await waitFor(() => expect(idsShown()).toContain("EX-1400"));
    first.unmount();

    render(Exhibits);
    await waitFor(() => expect(screen.getByLabelText("Custodian")).toHaveValue("=Ana Oster"));
    expect(await screen.findByText(/1,000 of 2,000 exhibits/)).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Selected exhibits" })).toHaveTextContent("1 selected");
    expect(screen.getByRole("columnheader", { name: /Exhibit/ })).toHaveAttribute("aria-sort", "descending");
    const again = screen.getByRole("grid", { name: "Exhibits" });
    await waitFor(() => expect(again.scrollTop).toBe(300 * 28));
    await waitFor(() => expect(idsShown()).toContain("EX-1400"));
  });

  it("draws rows still on their way as placeholders, never an empty body", async () => {
    const mock = install();
    const windowOf = mock.exhibitWindow;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    mock.exhibitWindow = async (q) => {
      // The first window comes at once; later ones wait.
      if (calls++ > 0) await gate;
      return windowOf(q);
    };
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    // Sorted anew: until the window comes, placeholders stand in its rows.
    const placeholders = () => screen.getByRole("grid", { name: "Exhibits" }).querySelectorAll(".vt-body [aria-busy='true']");
    await user.click(screen.getByRole("button", { name: "Name" }));
    await waitFor(() => expect(placeholders()).toHaveLength(3));
    expect(screen.queryByText("No exhibits match the filter.")).not.toBeInTheDocument();
    release();
    await waitFor(() => expect(placeholders()).toHaveLength(0));
    expect(idsShown()).toHaveLength(3);
  });

  it("shows tagging progress in exhibits and cancels between batches", async () => {
    const mock = install();
    let finish: (n: number) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    mock.tagExhibits = (req, onEvent) => {
      onEvent({ type: "begin", files: req.ids.length, bytes: req.ids.length });
      onEvent({ type: "progress", bytes: 1, items: 0 });
      return new Promise<number>((res, rej) => {
        finish = res;
        fail = rej;
      });
    };
    const cancelJob = vi.spyOn(mock, "cancelJob").mockImplementation(async () => {
      fail(new BackendError("cancelled", "cancelled"));
      return true;
    });
    const user = userEvent.setup();
    const first = render(Exhibits);
    await loaded(3);
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0001" }));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0002" }));
    await user.type(screen.getByLabelText("Tag to add or remove"), "reviewed{Enter}");
    expect(await screen.findByText("1 of 2 exhibits")).toBeInTheDocument();
    // The rest of the app stays usable: the navigation does not wait for it,
    // and the list shown again still shows the job.
    expect(session.job).toBeNull();
    first.unmount();
    render(Exhibits);
    expect(await screen.findByText("1 of 2 exhibits")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(cancelJob).toHaveBeenCalled();
    expect(await screen.findByRole("alert")).toHaveTextContent("Cancelled after 1 of 2 exhibits; those are tagged and logged, the rest are not.");
    void finish;
  });

  it("shows a hostile file name as text", async () => {
    const name = "<img src=x onerror=alert(1)>";
    install({ exhibits: [mockExhibit(1, { name })] });
    const { container } = render(Exhibits);
    await loaded(1);
    expect(rowOf("EX-0001")).toHaveTextContent(name);
    expect(container.querySelector("img")).toBeNull();
  });

  it("marks an exhibit found inside another and opens that one from the mark", async () => {
    const mock = install({ exhibits: mockFamily(1) });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(4);
    // Every exhibit on its own row: the flat view.
    await user.click(await screen.findByRole("checkbox", { name: "Group families" }));
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(screen.getByRole("columnheader", { name: "Found in" })).toBeInTheDocument();
    // The head of the family has no mark; a member names the exhibit it was found in.
    expect(within(rowOf("EX-0001")).queryByRole("button", { name: /^Open / })).not.toBeInTheDocument();
    expect(rowOf("EX-0001")).not.toHaveTextContent("↳");
    expect(rowOf("EX-0002")).toHaveTextContent("↳ in EX-0001");
    expect(rowOf("EX-0004")).toHaveTextContent("↳ in EX-0003");
    const mark = within(rowOf("EX-0004")).getByRole("button", { name: "Open EX-0003, which EX-0004 was found in (family EX-0001)" });
    expect(mark).toHaveTextContent("↳ in EX-0003");
    // From the rows the list already has: nothing asked per row.
    expect(mock.state.calls.filter((c) => c === "exhibitDetail" || c === "exhibitFamily")).toEqual([]);

    await user.click(within(rowOf("EX-0002")).getByRole("button", { name: "Open EX-0001, which EX-0002 was found in" }));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0001" });
  });
});

describe("Exhibits grouped by family", () => {
  /** An e-mail (EX-0001) with a PDF, a ZIP and a document inside the ZIP, then two exhibits on their own. */
  const vaultWithFamily = () => [...mockFamily(1), mockExhibit(5, { name: "ledger.xlsx" }), mockExhibit(6, { name: "photo.jpg" })];
  const disclosure = (name: RegExp | string) => screen.getByRole("button", { name });

  it("asks the vault for the family heads only and shows each head's members count on its button", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const windows = vi.spyOn(mock, "exhibitWindow");
    render(Exhibits);
    // The count is of exhibits (the members are in the list, beneath their head).
    await loaded(6);
    expect(screen.getByTestId("exhibit-count")).toHaveTextContent("6 of 6 exhibits");
    await waitFor(() => expect(idsShown()).toHaveLength(3));
    expect(windows).toHaveBeenCalledWith(expect.objectContaining({ heads_only: true }));
    expect(windows).not.toHaveBeenCalledWith(expect.objectContaining({ heads_only: false }));
    expect(screen.getByRole("checkbox", { name: "Group families" })).toBeChecked();

    const head = rowOf("EX-0001");
    const button = within(head).getByRole("button", { name: "Show the 3 exhibits in EX-0001's family" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveTextContent("3");
    expect(within(rowOf("EX-0005")).queryByRole("button", { name: /'s family$/ })).not.toBeInTheDocument();
    expect(screen.queryByText("pricing-2026.pdf")).not.toBeInTheDocument();
    // Nothing is read per row until a family is opened.
    expect(mock.state.calls.filter((c) => c === "exhibitFamily" || c === "exhibitDetail")).toEqual([]);
  });

  it("opens a family beneath its head, in tree order and indented, and closes it again", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const family = vi.spyOn(mock, "exhibitFamily");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(6);
    await user.click(await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" }));
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]));
    expect(family).toHaveBeenCalledTimes(1);
    expect(family).toHaveBeenCalledWith("EX-0001");
    const hide = disclosure("Hide the 3 exhibits in EX-0001's family");
    expect(hide).toHaveAttribute("aria-expanded", "true");

    // Members are normal rows, marked with the exhibit they were found in and indented by depth.
    await waitFor(() => expect(rowOf("EX-0004")).toHaveTextContent("bracket-rev4.txt"));
    expect(rowOf("EX-0002")).toHaveTextContent("↳ in EX-0001");
    expect(rowOf("EX-0002")).toHaveTextContent("application/pdf");
    expect(rowOf("EX-0004")).toHaveTextContent("↳ in EX-0003");
    const branch = (id: string) => rowOf(id).querySelector<HTMLElement>(".vt-branch");
    expect(branch("EX-0001")).toBeNull();
    expect(branch("EX-0002")?.style.marginLeft).toBe("0rem");
    expect(branch("EX-0004")?.style.marginLeft).toBe("1.25rem");
    // Only the open family's members were read.
    expect(mock.state.calls.filter((c) => c === "exhibitDetail")).toHaveLength(3);

    // A member is selectable and opens like any row, with its place in the list.
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    expect(screen.getByRole("group", { name: "Selected exhibits" })).toHaveTextContent("1 selected");
    await user.dblClick(rowOf("EX-0004"));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0004", at: "3" });
    reset("exhibits");

    await user.click(hide);
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0005", "EX-0006"]));
    expect(disclosure("Show the 3 exhibits in EX-0001's family")).toHaveAttribute("aria-expanded", "false");
    // The member selected stays selected, and says where it is.
    expect(screen.getByRole("group", { name: "Selected exhibits" })).toHaveTextContent("1 selected (1 inside families not opened)");
  });

  it("works from the keyboard: Enter or Space on the button, → and ← on the active row", async () => {
    install({ exhibits: vaultWithFamily() });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(6);
    const show = await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" });
    show.focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(idsShown()).toHaveLength(6));
    disclosure("Hide the 3 exhibits in EX-0001's family").focus();
    await user.keyboard(" ");
    await waitFor(() => expect(idsShown()).toHaveLength(3));

    const grid = screen.getByRole("grid", { name: "Exhibits" });
    grid.focus();
    await user.keyboard("{Home}{ArrowRight}");
    await waitFor(() => expect(idsShown()).toHaveLength(6));
    // The table's own keys go on working across the members.
    await user.keyboard("{ArrowDown}{ArrowDown}");
    await waitFor(() => expect(rowOf("EX-0003")).toHaveClass("active"));
    await user.keyboard("{ArrowDown}{Enter}");
    expect(router.params).toEqual({ id: "EX-0004", at: "3" });
    reset("exhibits");
    await user.keyboard("{Home}{ArrowLeft}");
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0005", "EX-0006"]));
    await user.keyboard("{ArrowDown}{Enter}");
    expect(router.params).toEqual({ id: "EX-0005", at: "1" });
  });

  it("lists every exhibit a filter matches, members included, and groups again once the filter is cleared", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const windows = vi.spyOn(mock, "exhibitWindow");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(6);
    await user.click(await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" }));
    await waitFor(() => expect(idsShown()).toHaveLength(6));

    await user.type(screen.getByLabelText("Filter"), "bracket");
    expect(await screen.findByText(/1 of 6 exhibits/)).toBeInTheDocument();
    await waitFor(() => expect(idsShown()).toEqual(["EX-0004"]));
    expect(windows).toHaveBeenLastCalledWith(expect.objectContaining({ text: "bracket", heads_only: false }));
    expect(rowOf("EX-0004")).toHaveTextContent("↳ in EX-0003");
    expect(screen.getByText(/Not while filtering: every exhibit that matches is listed/)).toBeInTheDocument();
    // The grouping chosen is kept for when the filter goes.
    expect(screen.getByRole("checkbox", { name: "Group families" })).toBeChecked();

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0005", "EX-0006"]));
    expect(windows).toHaveBeenLastCalledWith(expect.objectContaining({ text: "", heads_only: true }));
    // The family opened before the filter is shown closed.
    expect(disclosure("Show the 3 exhibits in EX-0001's family")).toHaveAttribute("aria-expanded", "false");
  });

  it("keeps a family open when the list is shown again, its members read anew", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const user = userEvent.setup();
    const first = render(Exhibits);
    await loaded(6);
    await user.click(await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" }));
    await waitFor(() => expect(rowOf("EX-0004")).toHaveTextContent("bracket-rev4.txt"));
    await user.dblClick(rowOf("EX-0003"));
    first.unmount();
    // Meanwhile the member was tagged (on its own screen).
    mock.state.exhibits[2]!.tags = ["privileged"];

    reset("exhibits");
    render(Exhibits);
    await waitFor(() => expect(rowOf("EX-0003")).toHaveTextContent("privileged"));
    expect(idsShown()).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]);
    expect(disclosure("Hide the 3 exhibits in EX-0001's family")).toHaveAttribute("aria-expanded", "true");
  });

  it("says when a family cannot be read, and shows it closed", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const familyOf = mock.exhibitFamily;
    let fail = true;
    mock.exhibitFamily = async (id) => {
      if (fail) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
      return familyOf(id);
    };
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(6);
    await user.click(await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The family of EX-0001 could not be read: the vault is locked");
    expect(disclosure("Show the 3 exhibits in EX-0001's family")).toHaveAttribute("aria-expanded", "false");
    expect(idsShown()).toEqual(["EX-0001", "EX-0005", "EX-0006"]);
    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(idsShown()).toHaveLength(6));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("can list every exhibit flat instead, and keeps that choice for the session", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const windows = vi.spyOn(mock, "exhibitWindow");
    const user = userEvent.setup();
    const first = render(Exhibits);
    await loaded(6);
    const group = await screen.findByRole("checkbox", { name: "Group families" });
    await user.click(group);
    await waitFor(() => expect(idsShown()).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]));
    expect(windows).toHaveBeenLastCalledWith(expect.objectContaining({ heads_only: false }));
    expect(screen.queryByRole("button", { name: /'s family$/ })).not.toBeInTheDocument();
    expect(rowOf("EX-0004")).toHaveTextContent("↳ in EX-0003");
    first.unmount();

    render(Exhibits);
    await waitFor(() => expect(idsShown()).toHaveLength(6));
    expect(screen.getByRole("checkbox", { name: "Group families" })).not.toBeChecked();
  });

  it("offers no grouping when the vault holds no family", async () => {
    const mock = install();
    render(Exhibits);
    await loaded(3);
    await waitFor(() => expect(idsShown()).toHaveLength(3));
    expect(screen.queryByRole("checkbox", { name: "Group families" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /'s family$/ })).not.toBeInTheDocument();
    expect(mock.state.calls).not.toContain("exhibitIds");
  });

  it("selects every exhibit with select all, the members of families not opened included", async () => {
    const mock = install({ exhibits: vaultWithFamily() });
    const tagExhibits = vi.spyOn(mock, "tagExhibits");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(6);
    await waitFor(() => expect(idsShown()).toHaveLength(3));
    const grid = screen.getByRole("grid", { name: "Exhibits" });
    grid.focus();
    await user.keyboard("{Control>}a{/Control}");
    const group = await screen.findByRole("group", { name: "Selected exhibits" });
    await waitFor(() => expect(group).toHaveTextContent("6 selected (3 inside families not opened)"));
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Select all rows" })).toBeChecked());
    await user.type(screen.getByLabelText("Tag to add or remove"), "reviewed{Enter}");
    expect(await screen.findByText(/6 exhibits processed/)).toBeInTheDocument();
    expect(new Set(tagExhibits.mock.calls[0]![0].ids)).toEqual(new Set(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006"]));
  });

  it("fetches only the heads drawn and the open family's members out of thousands", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => mockExhibit(i + 7, { name: `note-${i}.txt` }));
    const mock = install({ exhibits: [...vaultWithFamily(), ...many], log: [] });
    const windows = vi.spyOn(mock, "exhibitWindow");
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(20_006);
    await user.click(await screen.findByRole("button", { name: "Show the 3 exhibits in EX-0001's family" }));
    await waitFor(() => expect(rowOf("EX-0004")).toHaveTextContent("bracket-rev4.txt"));
    expect(bodyRows().length).toBeLessThan(100);
    expect(mock.state.calls.filter((c) => c === "exhibitDetail")).toHaveLength(3);
    expect(mock.state.calls).not.toContain("exhibitIds");
    for (const r of windows.mock.results) expect((await r.value).rows.length).toBeLessThanOrEqual(200);
    // The rows after the family follow it.
    expect(idsShown().slice(0, 7)).toEqual(["EX-0001", "EX-0002", "EX-0003", "EX-0004", "EX-0005", "EX-0006", "EX-0007"]);
  });
});
