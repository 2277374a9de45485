import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import { BackendError, setBackend } from "../lib/backend";
import type { JobEvent, TagRequest, VaultSummary } from "../lib/bindings";
import { deferred } from "../lib/deferred";
import { MOCK_MATTER, createMockBackend, mockExhibit, mockProcessing, type MockProcessed, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { closed, session } from "../lib/session.svelte";
import Search from "./Search.svelte";
import { forgetSearch, searchState } from "./search/search.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield" });

const HOSTILE = "<img src=x onerror=window.__pwned=1>";

/**
 * EX-0001 (an e-mail) heads EX-0002 (its attachment); EX-0003 is a memo
 * whose text holds markup; EX-0004 mentions no falcon.
 */
function install(init: Partial<MockState> = {}) {
  const text = (t: string): MockProcessed => ({ processing: mockProcessing({ status: "done", kind: "text" }), metadata: [], derivations: [], text: t });
  const mock = createMockBackend({
    open: vault(),
    exhibits: [
      mockExhibit(1, { name: "Re: Falcon pricing.eml", mime: "message/rfc822", tags: ["hot"] }),
      mockExhibit(2, { name: "falcon-prices.pdf", mime: "application/pdf", parent: "EX-0001", family: "EX-0001" }),
      mockExhibit(3, { name: "memo.txt", custodian: "IT Department" }),
      mockExhibit(4, { name: "unrelated.txt" }),
    ],
    processed: new Map([["EX-0003", text(`${HOSTILE} the Falcon price list, as agreed.`)]]),
    ...init,
  });
  setBackend(mock);
  return mock;
}

type User = ReturnType<typeof userEvent.setup>;

const box = () => screen.getByRole("searchbox", { name: "Search" });
const hitsShown = () => screen.queryAllByTestId("search-hit");
const hitOf = (id: string) => {
  const hit = hitsShown().find((h) => h.dataset.id === id);
  if (!hit) throw new Error(`no hit for ${id}`);
  return hit;
};

/** Types a query in the box (replacing what is there) and presses Enter. */
async function search(user: User, query: string) {
  await user.clear(box());
  await user.type(box(), `${query}{Enter}`);
}

/** Waits until every hit's listing was read (the facets count them all). */
async function listingsRead() {
  await waitFor(() => expect(searchState().reading).toBe(0));
  await waitFor(() => expect(screen.queryByText("Reading…")).toBeNull());
}

beforeEach(() => {
  forgetSearch();
  reset("search");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => {
  setBackend(null);
  delete (window as unknown as Record<string, unknown>).__pwned;
});

describe("Search", () => {
  it("starts with the query box focused and the query syntax shown", async () => {
    install();
    render(Search);
    await waitFor(() => expect(box()).toHaveFocus());
    const help = screen.getByText("Query syntax").closest("details")!;
    expect(help).toHaveAttribute("open");
    expect(within(help).getByText("negotiat*")).toBeInTheDocument();
    expect(hitsShown()).toHaveLength(0);
    expect(screen.queryByTestId("search-count")).toBeNull();
  });

  it("searches on Enter and shows each hit's details and found words marked, never a snippet as HTML", async () => {
    const mock = install();
    const calls = vi.spyOn(mock, "searchExhibits");
    const user = userEvent.setup();
    render(Search);
    await user.type(box(), "falcon");
    expect(calls).not.toHaveBeenCalled();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("search-count")).toHaveTextContent("3 exhibits found, best first.");
    expect(calls).toHaveBeenCalledWith("falcon", 501);
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0001", "EX-0002", "EX-0003"]);
    await listingsRead();

    const memo = hitOf("EX-0003");
    expect(within(memo).getByRole("button", { name: /EX-0003 memo\.txt/ })).toBeInTheDocument();
    expect(memo).toHaveTextContent("text/plain");
    expect(memo).toHaveTextContent("IT Department");
    // The words found are marked; the rest of the snippet is text, markup included.
    expect([...memo.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["Falcon"]);
    expect(memo.querySelector(".snippet")).toHaveTextContent(`${HOSTILE} the Falcon price list, as agreed.`);
    expect(document.querySelector("#search-results img")).toBeNull();
    expect((window as unknown as Record<string, unknown>).__pwned).toBeUndefined();

    // Families: the head says so, the attachment names its head.
    expect(hitOf("EX-0001")).toHaveTextContent("heads a family of 2 exhibits");
    expect(hitOf("EX-0001")).toHaveTextContent("tags: hot");
    expect(hitOf("EX-0002")).toHaveTextContent("in the family of EX-0001");
    expect(within(hitOf("EX-0002")).getByText("falcon").tagName).toBe("MARK");
  });

  it("marks the found words of a snippet that carries markup, rendering it only as text", async () => {
    const mock = install();
    mock.searchExhibits = async () => [{ id: "EX-0003", score: 2.5, snippet: `…«${HOSTILE}» and «Falcon» <b>bold</b>…` }];
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon");
    const hit = await waitFor(() => hitOf("EX-0003"));
    expect([...hit.querySelectorAll("mark")].map((m) => m.textContent)).toEqual([HOSTILE, "Falcon"]);
    expect(hit.querySelector("img, b")).toBeNull();
    expect(hit.querySelector(".snippet")?.textContent).toBe(`…${HOSTILE} and Falcon <b>bold</b>…`);
  });

  it("shows why a query is refused next to the box, and no hits of the query before it", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");

    await search(user, "*cret");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This query cannot be searched exactly: *cret: a wildcard may only end a word (term*)");
    expect(alert.id).toBe("search-query-problem");
    expect(box()).toHaveAttribute("aria-invalid", "true");
    expect(box()).toHaveAccessibleDescription(/a wildcard may only end a word/);
    expect(box()).toHaveValue("*cret");
    expect(hitsShown()).toHaveLength(0);
    expect(screen.queryByTestId("search-count")).toBeNull();
    expect(screen.queryByRole("list", { name: "Search results" })).toBeNull();
    // The syntax is offered again.
    expect(screen.getByText("Query syntax").closest("details")).toHaveAttribute("open");

    await search(user, '"price list');
    expect(await screen.findByRole("alert")).toHaveTextContent('the quote at character 1 is never closed; add the closing "');
    expect(hitsShown()).toHaveLength(0);

    await search(user, "memo");
    await screen.findByText("1 exhibit found, best first.");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(box()).toHaveAttribute("aria-invalid", "false");
  });

  it("adds a filter's field clause to the query on screen and searches exactly that", async () => {
    const mock = install();
    const calls = vi.spyOn(mock, "searchExhibits");
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon OR unrelated");
    await screen.findByText("4 exhibits found, best first.");
    await listingsRead();
    const facets = screen.getByRole("complementary", { name: "Narrow the results" });

    const it = within(facets).getByRole("button", { name: "IT Department 1 in these results" });
    expect(within(facets).getByRole("button", { name: "Erik Brandt 3 in these results" })).toBeInTheDocument();
    expect(it).toHaveAttribute("aria-pressed", "false");
    await user.click(it);
    // The OR is kept whole: the clause narrows the whole query.
    expect(box()).toHaveValue('(falcon OR unrelated) custodian:"IT Department"');
    await screen.findByText("1 exhibit found, best first.");
    expect(calls).toHaveBeenLastCalledWith('(falcon OR unrelated) custodian:"IT Department"', 501);
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0003"]);
    await listingsRead();

    // Chosen again, the clause comes out.
    const chosen = within(facets).getByRole("button", { name: "IT Department 1 in these results" });
    expect(chosen).toHaveAttribute("aria-pressed", "true");
    await user.click(chosen);
    expect(box()).toHaveValue("(falcon OR unrelated)");
    await screen.findByText("4 exhibits found, best first.");
    await listingsRead();

    await user.click(within(facets).getByRole("button", { name: "application/pdf 1 in these results" }));
    expect(box()).toHaveValue('(falcon OR unrelated) type:"application/pdf"');
    await screen.findByText("1 exhibit found, best first.");
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0002"]);
    expect(calls).toHaveBeenLastCalledWith('(falcon OR unrelated) type:"application/pdf"', 501);
  });

  it("adds a date range to the query", async () => {
    const mock = install();
    const calls = vi.spyOn(mock, "searchExhibits");
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    await listingsRead();
    const facets = screen.getByRole("complementary", { name: "Narrow the results" });
    expect(facets).toHaveTextContent("Collected in these results: 2026-06-02 to 2026-06-04.");

    await user.click(within(facets).getByRole("button", { name: "Add to query" }));
    expect(within(facets).getByRole("alert")).toHaveTextContent("Enter a first day, a last day or both.");
    expect(box()).toHaveValue("falcon");

    await user.selectOptions(within(facets).getByLabelText("Date"), "collected");
    await user.type(within(facets).getByLabelText("From"), "2026-06-03");
    await user.type(within(facets).getByLabelText("To"), "2026-06-04");
    await user.click(within(facets).getByRole("button", { name: "Add to query" }));
    expect(box()).toHaveValue("falcon collected:2026-06-03..2026-06-04");
    await screen.findByText("2 exhibits found, best first.");
    expect(calls).toHaveBeenLastCalledWith("falcon collected:2026-06-03..2026-06-04", 501);
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0002", "EX-0003"]);

    // Dates alone rank nothing: the hits come in exhibit order, and say so.
    await search(user, "collected:..2026-06-03");
    expect(await screen.findByTestId("search-count")).toHaveTextContent("2 exhibits found, in exhibit order.");
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0001", "EX-0002"]);
  });

  it("tags exactly the hits selected, as a job with progress, and searches again after", async () => {
    const mock = install();
    const hold = deferred<void>();
    const requests: TagRequest[] = [];
    const real = mock.tagExhibits;
    mock.tagExhibits = async (req: TagRequest, onEvent: (e: JobEvent) => void) => {
      requests.push(req);
      onEvent({ type: "begin", files: req.ids.length, bytes: req.ids.length });
      await hold.promise;
      return real(req, onEvent);
    };
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    const tag = screen.getByRole("button", { name: "Tag…" });
    expect(tag).toBeDisabled();

    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0001" }));
    expect(screen.getByText("2 selected")).toBeInTheDocument();
    await user.click(tag);
    const dialog = await screen.findByRole("dialog", { name: "Tag 2 exhibits" });
    await user.type(within(dialog).getByLabelText("Tag to add or remove"), "reviewed");
    await user.click(within(dialog).getByRole("button", { name: "Add tag" }));

    expect(await screen.findByRole("progressbar", { name: "Tagging" })).toBeInTheDocument();
    expect(screen.getByText("0 of 2 exhibits")).toBeInTheDocument();
    hold.resolve();
    expect(await screen.findByText(/Tag “reviewed” added: 2 exhibits processed\./)).toBeInTheDocument();
    // Exactly those, in the order shown.
    expect(requests).toEqual([{ ids: ["EX-0001", "EX-0003"], add_tags: ["reviewed"], remove_tags: [] }]);
    expect(mock.state.exhibits.filter((e) => e.tags.includes("reviewed")).map((e) => e.id)).toEqual(["EX-0001", "EX-0003"]);
    // The hits show their new tags.
    await waitFor(() => expect(hitOf("EX-0003")).toHaveTextContent("tags: reviewed"));
  });

  it("says when more exhibits match than it shows", async () => {
    const mock = install({ exhibits: Array.from({ length: 520 }, (_, i) => mockExhibit(i + 1)), processed: new Map() });
    const calls = vi.spyOn(mock, "searchExhibits");
    const user = userEvent.setup();
    render(Search);
    await search(user, "document");
    expect(await screen.findByTestId("search-count")).toHaveTextContent("More than 500 exhibits found, showing the first 500, best first.");
    expect(calls).toHaveBeenCalledWith("document", 501);
    expect(hitsShown()).toHaveLength(500);
  });

  it("says when nothing matches, and when the search could not run", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Search);
    await search(user, "zebra");
    expect(await screen.findByTestId("search-count")).toHaveTextContent("No exhibit matches “zebra”.");
    expect(hitsShown()).toHaveLength(0);

    mock.searchExhibits = async () => {
      throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    };
    await search(user, "falcon");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The search could not run: The vault is locked; unlock it with its passphrase.");
    expect(screen.queryByTestId("search-count")).toBeNull();
    expect(box()).toHaveAttribute("aria-invalid", "false");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("forgets the search when the vault locks", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    const before = searchState();
    closed();
    session.vault = vault();
    expect(searchState()).not.toBe(before);
    expect(searchState().hits).toBeNull();
  });
});

describe("Search in the app", () => {
  const OPEN = vault();

  beforeEach(() => {
    reset();
    closed();
  });

  async function app() {
    const mock = install({ open: OPEN });
    const user = userEvent.setup();
    render(App);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(router.screen).toBe("dashboard"));
    return { mock, user, nav };
  }

  it("opens with Ctrl+K, or / outside a text field, with the query box focused", async () => {
    const { user, nav } = await app();
    const entry = within(nav).getByRole("button", { name: "Search" });
    expect(entry).toHaveAttribute("aria-keyshortcuts", "Control+K /");

    await user.keyboard("{Control>}k{/Control}");
    expect(router.screen).toBe("search");
    await waitFor(() => expect(box()).toHaveFocus());
    expect(entry).toHaveAttribute("aria-current", "page");

    await user.click(within(nav).getByRole("button", { name: "Dashboard" }));
    expect(router.screen).toBe("dashboard");
    await user.keyboard("/");
    expect(router.screen).toBe("search");
    await waitFor(() => expect(box()).toHaveFocus());
    // The "/" opened the screen: it was not typed into the box.
    expect(box()).toHaveValue("");

    // Typed in a text field, "/" is a character like any other.
    await user.click(within(nav).getByRole("button", { name: "Exhibits" }));
    const filter = await screen.findByLabelText("Filter");
    await user.type(filter, "a/b");
    expect(router.screen).toBe("exhibits");
    expect(filter).toHaveValue("a/b");
    // Ctrl+K still opens Search from there.
    await user.keyboard("{Control>}k{/Control}");
    expect(router.screen).toBe("search");
    await waitFor(() => expect(box()).toHaveFocus());
  });

  it("keeps the query when away, opens a hit on Enter or a double-click, and the exhibit's back link returns", async () => {
    const { user, nav } = await app();
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");

    await user.dblClick(within(hitOf("EX-0003")).getByText("IT Department"));
    expect(router.screen).toBe("exhibit");
    expect(router.params).toEqual({ id: "EX-0003", from: "search" });
    expect(await screen.findByRole("heading", { level: 1, name: /EX-0003/ })).toBeInTheDocument();
    expect(within(nav).getByRole("button", { name: "Search" })).toHaveAttribute("aria-current", "page");

    await user.click(screen.getByRole("button", { name: "← Search" }));
    expect(router.screen).toBe("search");
    expect(box()).toHaveValue("falcon");
    await screen.findByText("3 exhibits found, best first.");
    // Back where the user was: on the exhibit opened.
    const open = within(hitOf("EX-0003")).getByRole("button", { name: /EX-0003/ });
    await waitFor(() => expect(open).toHaveFocus());

    // ↑ moves to the hit above; Enter opens it.
    await user.keyboard("{ArrowUp}");
    expect(within(hitOf("EX-0002")).getByRole("button", { name: /EX-0002/ })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(router.params).toEqual({ id: "EX-0002", from: "search" });

    // Away on another screen and back: the query and its hits are kept.
    await user.click(within(nav).getByRole("button", { name: "Dashboard" }));
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    expect(box()).toHaveValue("falcon");
    expect(await screen.findByText("3 exhibits found, best first.")).toBeInTheDocument();
  });

  it("Export… opens the export wizard with exactly the hits selected picked", async () => {
    const { mock, user, nav } = await app();
    const plans = vi.spyOn(mock, "planExport");
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    await listingsRead();
    const exportButton = screen.getByRole("button", { name: "Export…" });
    expect(exportButton).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0003" }));
    await user.click(screen.getByRole("checkbox", { name: "Select EX-0002" }));
    await user.click(exportButton);

    expect(router.screen).toBe("export");
    expect(router.params).toEqual({ picked: "EX-0002,EX-0003" });
    expect(await screen.findByRole("heading", { level: 1, name: "Export a production" })).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "Search and pick by hand" })).toBeChecked();
    expect(screen.getByText(/^2 exhibits selected\./)).toBeInTheDocument();
    // The wizard knows at once that EX-0002 is an attachment: its family is produced whole.
    expect(await screen.findByTestId("export-families")).toHaveTextContent("EX-0002 belongs to the family of EX-0001 (2 exhibits).");

    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(plans).toHaveBeenCalled());
    expect(plans.mock.lastCall?.[0].exhibits).toEqual(["EX-0002", "EX-0003"]);
  });

  it("Select all takes every hit shown", async () => {
    const { user, nav } = await app();
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    await user.click(screen.getByRole("checkbox", { name: "Select all" }));
    expect(screen.getByText("3 selected")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Export…" }));
    expect(router.params).toEqual({ picked: "EX-0001,EX-0002,EX-0003" });
  });
});
