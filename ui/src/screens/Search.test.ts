import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import { BackendError, setBackend } from "../lib/backend";
import type { JobEvent, ReportFormat, SearchReport, TagRequest, VaultSummary } from "../lib/bindings";
import { deferred } from "../lib/deferred";
import { MOCK_MATTER, createMockBackend, mockExhibit, mockProcessing, type MockProcessed, type MockState } from "../lib/mock-backend";
import { clearNotices, notices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { closed, session } from "../lib/session.svelte";
import Search from "./Search.svelte";
import { forgetSearch, searchState } from "./search/search.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });

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

  it("finds words in order with pre/N, and shows pre/N in the syntax without saying it is refused", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    const help = screen.getByText("Query syntax").closest("details")!;
    expect(help).toHaveTextContent("price pre/5 discount");
    expect(help).toHaveTextContent("the first before the second, with at most 5 words between them");
    expect(help.textContent).not.toMatch(/pre\/N[^.]*refused/i);
    await search(user, "falcon pre/2 list");
    expect(await screen.findByText("1 exhibit found, best first.")).toBeInTheDocument();
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0003"]);
    await search(user, "list pre/2 falcon");
    expect(await screen.findByText("No exhibit matches “list pre/2 falcon”.")).toBeInTheDocument();
    await search(user, "list w/2 falcon");
    expect(await screen.findByText("1 exhibit found, best first.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("saves the query in the box under a name, shows the vault's refusal, and runs a saved search", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Search);
    expect(await screen.findByText(/No saved searches yet/)).toBeInTheDocument();
    const saveButton = screen.getByRole("button", { name: "Save search…" });
    expect(saveButton).toBeDisabled();
    await search(user, "falcon");
    await screen.findByText("3 exhibits found, best first.");
    await user.click(saveButton);
    const dialog = screen.getByRole("dialog", { name: "Save search" });
    const name = within(dialog).getByLabelText("Name");
    expect(name).toHaveFocus();
    expect(dialog).toHaveTextContent("Query falcon");
    await user.type(name, "Falcon documents{Enter}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(mock.state.savedSearches.map((x) => [x.name, x.query, x.saved_by])).toEqual([["Falcon documents", "falcon", "Dana Whitfield"]]);
    const list = await screen.findByRole("list", { name: "Saved searches" });
    expect(within(list).getByTestId("saved-search")).toHaveTextContent("Falcon documents");
    expect(within(list).getByTestId("saved-search")).toHaveTextContent("falcon");
    expect(screen.getByText("Saved searches (1)")).toBeInTheDocument();

    // The same name for another query: the vault's refusal, and the dialog stays open.
    await search(user, "memo");
    await user.click(saveButton);
    const again = screen.getByRole("dialog", { name: "Save search" });
    await user.type(within(again).getByLabelText("Name"), "Falcon documents");
    await user.click(within(again).getByRole("button", { name: "Save" }));
    expect(await within(again).findByRole("alert")).toHaveTextContent(
      "A search named Falcon documents is already saved (for falcon); delete it first or choose another name.",
    );
    expect(within(again).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    await user.click(within(again).getByRole("button", { name: "Cancel" }));

    // A query the vault cannot search exactly is not saved.
    await user.clear(box());
    await user.type(box(), "*cret");
    await user.click(saveButton);
    const bad = screen.getByRole("dialog", { name: "Save search" });
    await user.type(within(bad).getByLabelText("Name"), "Secrets{Enter}");
    expect(await within(bad).findByRole("alert")).toHaveTextContent("The query cannot be searched exactly: *cret: a wildcard may only end a word");
    await user.keyboard("{Escape}");
    expect(mock.state.savedSearches).toHaveLength(1);

    // Run: its query in the box, searched.
    await user.click(within(list).getByRole("button", { name: "Run the saved search Falcon documents" }));
    expect(box()).toHaveValue("falcon");
    expect(await screen.findByText("3 exhibits found, best first.")).toBeInTheDocument();
    expect(searchState().savedName).toBe("Falcon documents");
    // Edited, the query is no longer the saved search.
    await user.type(box(), " memo");
    expect(searchState().savedName).toBeNull();
  });

  it("deletes a saved search only after a confirmation, and keeps it when the vault refuses", async () => {
    const saved = { name: "Falcon documents", query: "falcon", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" };
    const mock = install({ savedSearches: [{ ...saved }, { ...saved, name: "Memos", query: "memo" }] });
    const user = userEvent.setup();
    render(Search);
    const list = await screen.findByRole("list", { name: "Saved searches" });
    expect(within(list).getAllByTestId("saved-search")).toHaveLength(2);

    await user.click(within(list).getByRole("button", { name: "Delete the saved search Memos" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete the saved search?" });
    expect(confirm).toHaveTextContent("“Memos” (memo) will no longer be saved. A production chosen by it keeps its record of the search.");
    // Cancel has the focus: a stray Enter deletes nothing.
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(mock.state.savedSearches).toHaveLength(2);

    await user.click(within(list).getByRole("button", { name: "Delete the saved search Memos" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(within(list).getAllByTestId("saved-search")).toHaveLength(1));
    expect(mock.state.savedSearches.map((x) => x.name)).toEqual(["Falcon documents"]);
    expect(screen.queryByRole("alertdialog")).toBeNull();

    mock.deleteSavedSearch = async () => {
      throw new BackendError("locked", "the vault is locked; unlock it with its passphrase");
    };
    await user.click(within(list).getByRole("button", { name: "Delete the saved search Falcon documents" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    await waitFor(() =>
      expect(notices.items.map((n) => n.message)).toContain("The saved search was not deleted: The vault is locked; unlock it with its passphrase."),
    );
    expect(screen.getByRole("alertdialog")).toBeInTheDocument();
    expect(within(list).getAllByTestId("saved-search")).toHaveLength(1);
  });
});

const termList = () => screen.getByRole("textbox", { name: "Terms, one per line" });
const reportTable = () => screen.queryByRole("table", { name: "Search-term report" });
const cells = (row: HTMLElement) => [...row.querySelectorAll("th, td")].map((c) => c.textContent?.trim());

/** Shows the term report tab and runs the report of `list` (typed in, replacing what is there). */
async function runReport(user: User, list: string) {
  await user.click(screen.getByRole("tab", { name: "Term report" }));
  await user.clear(termList());
  await user.type(termList(), list);
  await user.click(screen.getByRole("button", { name: "Run report" }));
}

const HASH_LIST = "1".repeat(64);
const HASH_SET = "2".repeat(64);

/** A report as the vault sends it, with counts no mock would make up. */
function sentReport(over: Partial<SearchReport> = {}): SearchReport {
  return {
    terms_sha256: HASH_LIST,
    searched: 52_000,
    searched_sha256: HASH_SET,
    terms: [
      { term: "falcon", documents: 1234, with_families: 2345, unique: 1000 },
      { term: '"price list"', documents: 7, with_families: 9, unique: 3 },
      { term: "=cmd", documents: 0, with_families: 0, unique: 0 },
    ],
    total: { term: "(any term)", documents: 1240, with_families: 2350, unique: 1003 },
    ...over,
  };
}

describe("Search term report", () => {
  it("shows each term's counts and the total from the vault, the set searched and the two hashes with copy buttons", async () => {
    const mock = install();
    const sent: string[] = [];
    mock.searchReport = async (terms: string) => {
      sent.push(terms);
      return sentReport();
    };
    const user = userEvent.setup();
    render(Search);
    // The search tab is shown first; the report is a tab beside it.
    expect(screen.getByRole("tab", { name: "Search" })).toHaveAttribute("aria-selected", "true");
    expect(screen.queryByRole("textbox", { name: "Terms, one per line" })).toBeNull();
    await runReport(user, 'falcon{Enter}"price list"{Enter}=cmd');
    const table = await waitFor(() => {
      const t = reportTable();
      if (!t) throw new Error("no report yet");
      return t;
    });
    expect(table.id).toBe("term-report");
    // Exactly the text typed is sent (the list's SHA-256 is of its bytes).
    expect(sent).toEqual(['falcon\n"price list"\n=cmd']);
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent?.trim())).toEqual(["Term", "Documents", "With families", "Unique"]);
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map(cells)).toEqual([
      ["falcon", "1,234", "2,345", "1,000"],
      ['"price list"', "7", "9", "3"],
      ["=cmd", "0", "0", "0"],
      ["(any term)", "1,240", "2,350", "1,003"],
    ]);
    // The total comes last, set apart.
    expect(rows.at(-1)!.closest("tfoot")).not.toBeNull();
    expect(rows.at(-1)).toHaveClass("total");
    expect(screen.getByTestId("term-report-summary")).toHaveTextContent("3 terms: 1,240 exhibits found by any term.");

    expect(screen.getByTestId("term-report-searched")).toHaveTextContent("52,000");
    expect(screen.getByTestId("term-report-terms-sha256")).toHaveTextContent(HASH_LIST);
    expect(screen.getByTestId("term-report-searched-sha256")).toHaveTextContent(HASH_SET);
    expect(screen.getByText("Anyone who runs the same list on the same exhibits gets the same counts and the same two values.", { exact: false })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Copy searched set SHA-256" }));
    expect(await navigator.clipboard.readText()).toBe(HASH_SET);
    await user.click(screen.getByRole("button", { name: "Copy term list SHA-256" }));
    expect(await navigator.clipboard.readText()).toBe(HASH_LIST);

    // The list edited: the counts say whose they are.
    await user.type(termList(), "{Enter}memo");
    expect(screen.getByText(/The counts are for the list as it was run\./)).toBeInTheDocument();
  });

  it("counts with the mock vault: families and terms no other term finds", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    await runReport(user, "pricing{Enter}memo{Enter}falcon");
    const table = await waitFor(() => reportTable() ?? Promise.reject(new Error("no report yet")));
    expect(within(table).getAllByRole("row").slice(1).map(cells)).toEqual([
      ["pricing", "1", "2", "0"],
      ["memo", "1", "1", "0"],
      ["falcon", "3", "3", "1"],
      ["(any term)", "3", "3", "1"],
    ]);
    expect(screen.getByTestId("term-report-searched")).toHaveTextContent("4");
  });

  it("shows why a list is refused next to it, and no report of the list before it", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    await runReport(user, "falcon");
    await waitFor(() => expect(reportTable()).not.toBeNull());

    await runReport(user, "falcon{Enter}*cret{Enter}memo");
    const alert = await screen.findByRole("alert");
    expect(alert.id).toBe("term-list-problem");
    expect(alert).toHaveTextContent("Not run. A term cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*)");
    expect(reportTable()).toBeNull();
    expect(document.getElementById("term-report")).toBeNull();
    expect(screen.queryByRole("button", { name: "Save as CSV…" })).toBeNull();
    expect(termList()).toHaveAttribute("aria-invalid", "true");
    expect(termList()).toHaveAccessibleDescription(/line 2 \(\*cret\)/);
    expect(termList()).toHaveValue("falcon\n*cret\nmemo");

    // The line refused can be shown in the list.
    await user.click(within(alert).getByRole("button", { name: "Show line 2" }));
    const list = termList() as HTMLTextAreaElement;
    expect(list).toHaveFocus();
    expect(list.value.slice(list.selectionStart, list.selectionEnd)).toBe("*cret");

    // A list without terms is refused too.
    await runReport(user, "{Enter}  {Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Not run. The term list has no terms (one query per line).");
    expect(reportTable()).toBeNull();

    await runReport(user, "memo");
    await waitFor(() => expect(reportTable()).not.toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
    expect(termList()).toHaveAttribute("aria-invalid", "false");
  });

  it("saves the report of the list as run, as CSV or PDF, through the vault, and says where", async () => {
    const mock = install();
    mock.searchReport = async () => sentReport();
    const save = vi.fn(async (terms: string, format: ReportFormat) => `/home/dana/Reports/terms.${format}`);
    mock.saveSearchReport = save;
    const user = userEvent.setup();
    render(Search);
    await runReport(user, 'falcon{Enter}"price list"{Enter}=cmd');
    await user.click(await screen.findByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(save).toHaveBeenLastCalledWith('falcon\n"price list"\n=cmd', "csv");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Search-term report saved to /home/dana/Reports/terms.csv (3 terms)."));

    // The list edited since: what is saved is still the list the counts shown are of.
    await user.type(termList(), "{Enter}osprey");
    await user.click(screen.getByRole("button", { name: "Save as PDF…" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(2));
    expect(save).toHaveBeenLastCalledWith('falcon\n"price list"\n=cmd', "pdf");
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Search-term report saved to /home/dana/Reports/terms.pdf (3 terms)."));

    // A cancelled dialog says nothing.
    clearNotices();
    mock.saveSearchReport = async () => null;
    await user.click(screen.getByRole("button", { name: "Save as CSV…" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Save as CSV…" })).toBeEnabled());
    expect(notices.items).toHaveLength(0);
    expect(screen.queryByRole("alert")).toBeNull();

    mock.saveSearchReport = async () => {
      throw new BackendError("io", "cannot write /home/dana/Reports: permission denied");
    };
    await user.click(screen.getByRole("button", { name: "Save as PDF…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The PDF was not saved: Cannot write /home/dana/Reports: permission denied.");
  });

  it("saves with the mock vault, which refuses nothing it can count", async () => {
    const mock = install();
    const user = userEvent.setup();
    render(Search);
    await runReport(user, "falcon{Enter}memo");
    await user.click(await screen.findByRole("button", { name: "Save as PDF…" }));
    await waitFor(() => expect(mock.state.calls).toContain("saveSearchReport:pdf"));
    await waitFor(() => expect(notices.items.map((n) => n.message)).toContain("Search-term report saved to /home/dana/search-term-report.pdf (2 terms)."));
  });

  it("searches for a term when its row is chosen", async () => {
    const mock = install();
    const calls = vi.spyOn(mock, "searchExhibits");
    const user = userEvent.setup();
    render(Search);
    await runReport(user, "falcon{Enter}memo");
    const table = await waitFor(() => reportTable() ?? Promise.reject(new Error("no report yet")));
    const memo = within(table).getAllByTestId("term-report-row")[1]!;
    expect(calls).not.toHaveBeenCalled();
    // A click anywhere on the row.
    await user.click(within(memo).getAllByRole("cell")[0]!);
    expect(screen.getByRole("tab", { name: "Search" })).toHaveAttribute("aria-selected", "true");
    expect(box()).toHaveValue("memo");
    expect(calls).toHaveBeenLastCalledWith("memo", 501);
    expect(await screen.findByTestId("search-count")).toHaveTextContent("1 exhibit found, best first.");
    expect(hitsShown().map((h) => h.dataset.id)).toEqual(["EX-0003"]);
    await waitFor(() => expect(box()).toHaveFocus());

    // By keyboard: the term's button.
    await user.click(screen.getByRole("tab", { name: "Term report" }));
    screen.getByRole("button", { name: "Search for falcon" }).focus();
    await user.keyboard("{Enter}");
    expect(box()).toHaveValue("falcon");
    expect(calls).toHaveBeenLastCalledWith("falcon", 501);
    expect(await screen.findByText("3 exhibits found, best first.")).toBeInTheDocument();
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it("moves between the tabs with the arrow keys", async () => {
    install();
    const user = userEvent.setup();
    render(Search);
    const search = screen.getByRole("tab", { name: "Search" });
    search.focus();
    await user.keyboard("{ArrowRight}");
    const report = screen.getByRole("tab", { name: "Term report" });
    expect(report).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(report).toHaveFocus());
    expect(termList()).toBeVisible();
    expect(screen.queryByRole("searchbox", { name: "Search" })).toBeNull();
    await user.keyboard("{ArrowLeft}");
    expect(search).toHaveAttribute("aria-selected", "true");
    expect(box()).toBeVisible();
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

  it("keeps the term list and its report when away, Ctrl+K goes back to the search, and a lock forgets them", async () => {
    const { user, nav } = await app();
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await runReport(user, "falcon{Enter}memo");
    await waitFor(() => expect(reportTable()).not.toBeNull());

    await user.click(within(nav).getByRole("button", { name: "Dashboard" }));
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    expect(screen.getByRole("tab", { name: "Term report" })).toHaveAttribute("aria-selected", "true");
    expect(termList()).toHaveValue("falcon\nmemo");
    expect(within(reportTable()!).getAllByTestId("term-report-row").map((r) => r.querySelector("th")?.textContent?.trim())).toEqual(["falcon", "memo"]);

    await user.keyboard("{Control>}k{/Control}");
    expect(screen.getByRole("tab", { name: "Search" })).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(box()).toHaveFocus());

    closed();
    session.vault = OPEN;
    expect(searchState().termReport.text).toBe("");
    expect(searchState().termReport.report).toBeNull();
    expect(searchState().view).toBe("search");
  });

  it("Export everything this search finds opens the wizard with the query, by its saved name when it is a saved search unchanged", async () => {
    const { mock, user, nav } = await app();
    mock.state.savedSearches = [{ name: "Falcon documents", query: "falcon", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" }];
    const plans = vi.spyOn(mock, "planExport");
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await user.click(await screen.findByRole("button", { name: "Run the saved search Falcon documents" }));
    await screen.findByText("3 exhibits found, best first.");
    await user.click(screen.getByRole("button", { name: "Export everything this search finds…" }));

    expect(router.screen).toBe("export");
    expect(router.params).toEqual({ search: "falcon", search_name: "Falcon documents" });
    expect(await screen.findByRole("heading", { level: 1, name: "Export a production" })).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "Exhibits a search finds" })).toBeChecked();
    expect(await screen.findByRole("radio", { name: "A saved search" })).toBeChecked();
    expect(await screen.findByLabelText("Saved search")).toHaveValue("Falcon documents");
    // The vault's plan of the search: what it finds, with their families.
    expect(await screen.findByText("3 exhibits selected: those the search finds, with their families.")).toBeInTheDocument();
    expect(plans.mock.lastCall?.[0]).toMatchObject({ search: "falcon", search_name: "Falcon documents", exhibits: [], tag: null, custodian: null });

    // A query that is no saved search goes as typed.
    await user.click(within(nav).getByRole("button", { name: "Search" }));
    await search(user, "falcon memo");
    await screen.findByText("1 exhibit found, best first.");
    await user.click(screen.getByRole("button", { name: "Export everything this search finds…" }));
    expect(router.params).toEqual({ search: "falcon memo" });
    expect(await screen.findByRole("radio", { name: "A query" })).toBeChecked();
    expect(screen.getByLabelText("Query")).toHaveValue("falcon memo");
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
