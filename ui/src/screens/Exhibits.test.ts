import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { Exhibit, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, createMockBackend, mockExhibit, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Exhibits from "./Exhibits.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false });

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

const idsShown = () => bodyRows().map((r) => r.querySelectorAll("[role='gridcell']")[1]?.textContent?.trim());

async function loaded(total: number) {
  await screen.findByText(new RegExp(`of ${total.toLocaleString("en-US")} exhibits`));
}

beforeEach(() => {
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
    expect(row).toHaveTextContent(/2026-06-02 10:00:00 UTC/);
    expect(rowOf("EX-0003")).toHaveTextContent("IT Department");
  });

  it("renders 50,000 exhibits with fewer than 100 row elements and filters them", async () => {
    const exhibits = Array.from({ length: 50_000 }, (_, i) =>
      mockExhibit(i + 1, {
        custodian: i % 10 === 0 ? "IT Department" : "Erik Brandt",
        tags: i % 4 === 0 ? ["privileged"] : [],
      }),
    );
    install({ exhibits, log: [] });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(50_000);
    expect(screen.getByText(/50,000 of 50,000 exhibits/)).toBeInTheDocument();
    const rendered = bodyRows().length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);

    await user.selectOptions(screen.getByLabelText("Custodian"), "IT Department");
    expect(screen.getByText(/5,000 of 50,000 exhibits/)).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Tag"), "privileged");
    // i % 10 === 0 and i % 4 === 0: every 20th.
    expect(screen.getByText(/2,500 of 50,000 exhibits/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await user.type(screen.getByLabelText("Filter"), "document-4999");
    // document-4999 and document-49990 … document-49999.
    expect(screen.getByText(/11 of 50,000 exhibits/)).toBeInTheDocument();
    expect(idsShown()).toContain("EX-4999");
    expect(idsShown()).toContain("EX-49995");
    expect(bodyRows()).toHaveLength(11);
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
    expect(screen.getByText(/1 of 3 exhibits/)).toBeInTheDocument();
    expect(idsShown()).toEqual(["EX-0001"]);

    await user.clear(filter);
    await user.type(filter, "holt");
    expect(idsShown()).toEqual(["EX-0002"]);

    await user.clear(filter);
    await user.type(filter, "ex-0003");
    expect(idsShown()).toEqual(["EX-0003"]);

    await user.clear(filter);
    await user.type(filter, "hot board");
    expect(idsShown()).toEqual(["EX-0001"]);

    await user.clear(filter);
    await user.type(filter, "nothing-like-this");
    expect(screen.getByText(/0 of 3 exhibits/)).toBeInTheDocument();
    expect(screen.getByText("No exhibits match the filter.")).toBeInTheDocument();

    await user.clear(filter);
    await user.selectOptions(screen.getByLabelText("Custodian"), "None recorded");
    expect(idsShown()).toEqual(["EX-0003"]);
  });

  it("sorts by a column", async () => {
    install({
      exhibits: [mockExhibit(1, { name: "b.txt", size: 10 }), mockExhibit(2, { name: "c.txt", size: 5 }), mockExhibit(3, { name: "a.txt", size: 7 })],
    });
    const user = userEvent.setup();
    render(Exhibits);
    await loaded(3);
    await user.click(screen.getByRole("button", { name: "Name" }));
    expect(idsShown()).toEqual(["EX-0003", "EX-0001", "EX-0002"]);
    await user.click(screen.getByRole("button", { name: "Size" }));
    expect(idsShown()).toEqual(["EX-0002", "EX-0003", "EX-0001"]);
    await user.click(screen.getByRole("button", { name: "Size" }));
    expect(idsShown()).toEqual(["EX-0001", "EX-0003", "EX-0002"]);
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

    expect(tagExhibits).toHaveBeenCalledWith({ ids: ["EX-0001", "EX-0003"], add_tags: ["privileged"], remove_tags: [] });
    expect(await screen.findByText(/2 exhibits changed/)).toBeInTheDocument();
    await waitFor(() => expect(rowOf("EX-0003")).toHaveTextContent("privileged"));
    expect(rowOf("EX-0002")).not.toHaveTextContent("privileged");
    expect(mock.state.calls.filter((c) => c === "listExhibits")).toHaveLength(2);
    // The new tag is offered in the tag filter.
    expect(within(screen.getByLabelText("Tag")).getByRole("option", { name: "privileged" })).toBeInTheDocument();

    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    await user.type(screen.getByLabelText("Tag to add or remove"), "hot");
    await user.click(screen.getByRole("button", { name: "Remove tag" }));
    expect(tagExhibits).toHaveBeenLastCalledWith({ ids: ["EX-0001"], add_tags: [], remove_tags: ["hot"] });
    expect(await screen.findByText(/1 exhibit changed/)).toBeInTheDocument();
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
    expect(router.params).toEqual({ id: "EX-0002" });

    reset("exhibits");
    screen.getByRole("grid", { name: "Exhibits" }).focus();
    await user.keyboard("{Home}{ArrowDown}{Enter}");
    expect(router.params).toEqual({ id: "EX-0002" });

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
    const list = mock.listExhibits;
    let fail = true;
    mock.listExhibits = async () => {
      if (fail) throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
      return list();
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

  it("shows a hostile file name as text", async () => {
    const name = "<img src=x onerror=alert(1)>";
    install({ exhibits: [mockExhibit(1, { name })] });
    const { container } = render(Exhibits);
    await loaded(1);
    expect(rowOf("EX-0001")).toHaveTextContent(name);
    expect(container.querySelector("img")).toBeNull();
  });
});
