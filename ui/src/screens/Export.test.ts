import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError, setBackend } from "../lib/backend";
import type { ExhibitQuery, ExportBundleRequest, ExportOptions, ExportPlan, JobEvent, VaultSummary } from "../lib/bindings";
import { MOCK_MATTER, MOCK_PAGE_PNG, MOCK_RECIPIENT, createMockBackend, mockExhibit, mockFamily, mockSelectionDigest, mockStampWidth, type MockState } from "../lib/mock-backend";
import { clearNotices } from "../lib/notices.svelte";
import { reset, router } from "../lib/router.svelte";
import { session } from "../lib/session.svelte";
import Export from "./Export.svelte";
import { PICK_ROWS } from "./export/state.svelte";

const vault = (): VaultSummary => ({ matter: { ...MOCK_MATTER }, path: "/home/dana/Matters/Halvorsen", demo: false, examiner: "Dana Whitfield", firm: null });
const KEY = { id: 1, name: "Reyes & Hart LLP", recipient: MOCK_RECIPIENT, added_at: "2026-06-02T09:00:00.000000Z" };

function install(init: Partial<MockState> = {}) {
  const mock = createMockBackend({ open: vault(), counsel: [{ ...KEY }], ...init });
  setBackend(mock);
  return mock;
}

/** Keeps every export request the wizard sends. */
function keepRequests(mock: ReturnType<typeof install>): ExportBundleRequest[] {
  const sent: ExportBundleRequest[] = [];
  const real = mock.exportBundle;
  mock.exportBundle = (req, on) => {
    sent.push(req);
    return real(req, on);
  };
  return sent;
}

type User = ReturnType<typeof userEvent.setup>;

async function next(user: User) {
  const button = screen.getByRole("button", { name: "Next" });
  await waitFor(() => expect(button).toBeEnabled());
  await user.click(button);
}

/** Walks the wizard with its defaults (all exhibits, suggested numbering, natives only) to the encryption step. */
async function toEncryption(user: User) {
  await next(user);
  await next(user);
  await next(user);
}

beforeEach(() => {
  reset("export");
  session.vault = vault();
  session.info = null;
  session.drops = [];
  clearNotices();
});

afterEach(() => setBackend(null));

describe("Export", () => {
  it("walks exhibits, numbering, encryption and review, then writes where the save dialog says", async () => {
    const mock = install();
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
    expect(await screen.findByText("3 exhibits selected.")).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "All exhibits (3)" })).toBeChecked();
    await next(user);

    // Numbering: a prefix from the matter, the next free number, the range.
    expect(screen.getByLabelText("Bates prefix")).toHaveValue("HAL");
    expect(await screen.findByTestId("export-range")).toHaveTextContent("This production: HAL000001 to HAL000003 (3 exhibits");
    expect(screen.getByRole("radio", { name: "Next free number (1)" })).toBeChecked();
    await next(user);

    // Page images: the natives only unless chosen; nothing to preview then.
    expect(screen.getByRole("heading", { name: "Page images and stamps" })).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "Natives only" })).toBeChecked();
    expect(screen.queryByLabelText("Legend on every page")).toBeNull();
    expect(await screen.findByTestId("export-designations")).toHaveTextContent("0 withheld as privileged");
    await next(user);

    // Encryption: counsel's key from the address book.
    const key = screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ });
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    await user.click(key);
    await next(user);

    // Review: the plan's QC, then the dialog and the export.
    const qc = await screen.findByTestId("export-qc");
    expect(qc).toHaveTextContent("Bates HAL000001–HAL000003: 3 numbers, no gaps, no duplicates.");
    expect(screen.getByText(/^to Reyes & Hart LLP \(age1ql3z7hjy…mcac8p\)$/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(mock.state.calls).toContain("pickDestination");
    expect(result).toHaveTextContent("3 exhibits, Bates HAL000001 to HAL000003, encrypted");
    expect(result).toHaveTextContent("/home/dana/Productions/HAL000001-HAL000003.zip.age");
    expect(screen.getByTestId("export-sha256")).toHaveTextContent("b".repeat(64));
    expect(result).toHaveTextContent(`ssh-keygen -Y verify -f seal/allowed_signers -I custos-vault-${MOCK_MATTER.vault_id} -n custos-bundle`);
    expect(result).toHaveTextContent("bagit.py --validate HAL000001-HAL000003");
    expect(within(result).getByTestId("checkpoint-command")).toHaveTextContent(
      `-I custos-vault-${MOCK_MATTER.vault_id} -n custos-checkpoint -s data/custody/checkpoint.json.sig < data/custody/checkpoint.json`,
    );
    expect(within(result).getByTestId("custody-script-command")).toHaveTextContent("python3 verify_custody.py");
    expect(mock.state.log.filter((e) => e.action === "exported")).toHaveLength(3);
    expect(mock.state.productions).toHaveLength(1);
    // All exhibits are sent as that choice, at the first number reviewed.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      options: { exhibits: [], tag: null, custodian: null, bates_prefix: "HAL", bates_start: 1 },
      expect_first: "HAL000001",
      expect_last: "HAL000003",
      expect_selection: mockSelectionDigest(["EX-0001", "EX-0002", "EX-0003"]),
    });
    expect(mock.state.calls).not.toContain("exhibitWindow");
  });

  it("is refused, with the reason, when the tag moved to other exhibits after the review", async () => {
    const mock = install({
      exhibits: [mockExhibit(1, { tags: ["hot"] }), mockExhibit(2), mockExhibit(3, { tags: ["hot"] })],
    });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Exhibits with a tag" }));
    await user.selectOptions(screen.getByLabelText("Tag"), "hot");
    await next(user);
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    // The same count and range, other exhibits.
    mock.state.exhibits[0]!.tags = [];
    mock.state.exhibits[1]!.tags = ["hot"];
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("no longer the ones reviewed");
    expect(mock.state.productions).toHaveLength(0);
  });

  it("sends exactly the choices made: tag, prefix, start, width, encoding, firm and keys", async () => {
    const mock = install({
      exhibits: [mockExhibit(1, { tags: ["hot"] }), mockExhibit(2), mockExhibit(3, { tags: ["hot"] })],
    });
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Exhibits with a tag" }));
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText("Tag"), "hot");
    expect(screen.getByText("2 exhibits selected.")).toBeInTheDocument();
    await next(user);
    await user.clear(screen.getByLabelText("Bates prefix"));
    await user.type(screen.getByLabelText("Bates prefix"), "DEF");
    await user.click(screen.getByRole("radio", { name: "Start at" }));
    await user.type(screen.getByLabelText("First Bates number"), "41");
    await user.selectOptions(screen.getByLabelText("Digits"), "8");
    await user.selectOptions(screen.getByLabelText("Load file encoding"), "windows1252");
    await user.type(screen.getByLabelText("Producing firm"), "Kessler Moreau LLP");
    expect(await screen.findByTestId("export-range")).toHaveTextContent("DEF00000041 to DEF00000042");
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    expect(await screen.findByTestId("export-qc")).toHaveTextContent("no Windows-1252 form");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await screen.findByTestId("export-result");
    const [request] = sent;
    // The reviewed range goes with it, so the vault refuses a numbering changed since the review.
    expect([request.expect_first, request.expect_last]).toEqual(["DEF00000041", "DEF00000042"]);
    // The tag chosen, not the plan's exhibits by id.
    expect(request.options).toEqual<ExportOptions>({
      exhibits: [],
      tag: "hot",
      custodian: null,
      bates_prefix: "DEF",
      bates_start: 41,
      bates_width: 8,
      recipients: [MOCK_RECIPIENT],
      passphrase: null,
      dat_encoding: "windows1252",
      organization: "Kessler Moreau LLP",
      search: null,
      search_name: null,
      search_terms: null,
      images: null,
      endorse: null,
      endorse_corner: "bottom-left",
      bates_corner: "bottom-right",
    });
  });

  it("offers the vault's tags and custodians with their counts, and counts each choice by them", async () => {
    const mock = install();
    // A matter far larger than any list: the counts are the vault's, not a count of rows.
    mock.exhibitFacets = async () => ({
      exhibits: 500_000,
      custodians: [
        { name: "Erik Brandt", exhibits: 320_000 },
        { name: "", exhibits: 170_000 },
        { name: "Anna Lind", exhibits: 10_000 },
      ],
      tags: [
        { tag: "hot", exhibits: 1_200 },
        { tag: "privileged", exhibits: 40 },
      ],
    });
    const user = userEvent.setup();
    render(Export);
    expect(await screen.findByText("500,000 exhibits selected.")).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "All exhibits (500,000)" })).toBeChecked();

    await user.click(screen.getByRole("radio", { name: "Exhibits with a tag" }));
    const tags = within(screen.getByLabelText("Tag")).getAllByRole("option");
    expect(tags.map((o) => o.textContent)).toEqual(["Choose a tag…", "hot (1,200)", "privileged (40)"]);
    expect(screen.getByText("0 exhibits selected.")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Tag"), "privileged");
    expect(screen.getByText("40 exhibits selected.")).toBeInTheDocument();

    // Only named custodians can be chosen.
    await user.click(screen.getByRole("radio", { name: "Exhibits of a custodian" }));
    const custodians = within(screen.getByLabelText("Custodian")).getAllByRole("option");
    expect(custodians.map((o) => o.textContent)).toEqual(["Choose a custodian…", "Anna Lind (10,000)", "Erik Brandt (320,000)"]);
    await user.selectOptions(screen.getByLabelText("Custodian"), "Erik Brandt");
    expect(screen.getByText("320,000 exhibits selected.")).toBeInTheDocument();
    expect(mock.state.calls).not.toContain("exhibitWindow");
  });

  it("says the vault holds no exhibits yet and keeps Next disabled", async () => {
    install({ exhibits: [] });
    render(Export);
    expect(await screen.findByText("The vault holds no exhibits yet.")).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "All exhibits (0)" })).toBeChecked();
    expect(screen.getByRole("radio", { name: "Exhibits with a tag" })).toBeDisabled();
    expect(screen.getByRole("radio", { name: "Exhibits of a custodian" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
  });

  it("hand-picks exhibits the vault finds for the search, and sends the picks", async () => {
    const mock = install();
    const asked: ExhibitQuery[] = [];
    const search = mock.exhibitWindow;
    mock.exhibitWindow = (q) => {
      asked.push(q);
      return search(q);
    };
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Search and pick by hand" }));
    expect(screen.getByText("0 exhibits selected.")).toBeInTheDocument();
    const list = await screen.findByRole("list", { name: "Exhibits to pick" });
    expect(within(list).getAllByRole("checkbox")).toHaveLength(3);
    await user.type(screen.getByLabelText("Search"), "audit");
    await waitFor(() => expect(within(list).getAllByRole("checkbox")).toHaveLength(1));
    // The vault searches: once for the list, once for the text typed (a pause after the last key).
    expect(asked.map((q) => q.text)).toEqual(["", "audit"]);
    expect(asked.at(-1)).toMatchObject({ custodian: { kind: "any" }, tag: null, offset: 0, limit: PICK_ROWS });
    await user.click(screen.getByRole("button", { name: "Pick all 1 shown" }));
    expect(screen.getByText("1 exhibit selected.")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Search"));
    await waitFor(() => expect(within(list).getAllByRole("checkbox")).toHaveLength(3));
    expect(within(list).getByRole("checkbox", { name: /EX-0003/ })).toBeChecked();
    await user.click(within(list).getByRole("checkbox", { name: /EX-0001/ }));
    expect(screen.getByText("2 exhibits selected.")).toBeInTheDocument();
    await next(user);
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    const rows = within(await screen.findByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[1].textContent)).toEqual(["EX-0001", "EX-0003"]);
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await screen.findByTestId("export-result");
    expect(sent[0].options).toMatchObject({ exhibits: ["EX-0003", "EX-0001"], tag: null, custodian: null, bates_start: 1 });
  });

  it("shows how many match when the search finds more than it shows", async () => {
    const mock = install();
    mock.exhibitWindow = async (q) => ({ total: 12_345, offset: 0, rows: [mockExhibit(1), mockExhibit(2)].slice(0, q.limit) });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Search and pick by hand" }));
    expect(await screen.findByText("12,345 match; showing the first 2. Narrow the search to see the others, or pick all shown.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Pick all 2 shown" }));
    expect(screen.getByText("2 exhibits selected.")).toBeInTheDocument();
  });

  it("says when the search matches nothing, and why a search failed", async () => {
    const mock = install();
    const search = mock.exhibitWindow;
    mock.exhibitWindow = async (q) => {
      if (q.text === "locked") throw new BackendError("locked", "the vault is locked");
      return search(q);
    };
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Search and pick by hand" }));
    await user.type(screen.getByLabelText("Search"), "nothing like it");
    expect(await screen.findByText("No exhibit matches the search.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /^Pick all/ })).toBeDisabled();
    await user.clear(screen.getByLabelText("Search"));
    await user.type(screen.getByLabelText("Search"), "locked");
    expect(await screen.findByRole("alert")).toHaveTextContent("The vault is locked.");
  });

  it("shows a numbering the vault refuses and keeps Next disabled", async () => {
    const mock = install();
    mock.planExport = async (o) => {
      if (o.bates_start === 2)
        throw new BackendError("invalid_input", "Bates HAL000002 was already produced for EX-0002 (production 1); it would now go to EX-0001");
      return createMockBackend({ open: vault() }).planExport(o);
    };
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await user.click(screen.getByRole("radio", { name: "Start at" }));
    await user.type(screen.getByLabelText("First Bates number"), "2");
    expect(await screen.findByRole("alert")).toHaveTextContent("Bates HAL000002 was already produced for EX-0002");
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    await user.clear(screen.getByLabelText("First Bates number"));
    await user.type(screen.getByLabelText("First Bates number"), "0");
    expect(screen.getByText("Enter a whole number from 1.")).toBeInTheDocument();
    await user.click(screen.getByRole("radio", { name: /Next free number/ }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Next" })).toBeEnabled());
  });

  it("adds a counsel key to the address book and chooses it; a bad key is refused with the reason", async () => {
    const mock = install({ counsel: [] });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await next(user);
    await next(user);
    expect(screen.getByText(/The address book is empty/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Name"), "Dana Reyes");
    await user.type(screen.getByLabelText("Public key"), "age1nope");
    await user.click(screen.getByRole("button", { name: "Add to address book" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("'age1nope' is not an age X25519 recipient");
    expect(mock.state.counsel).toHaveLength(0);
    await user.clear(screen.getByLabelText("Public key"));
    await user.type(screen.getByLabelText("Public key"), MOCK_RECIPIENT);
    await user.click(screen.getByRole("button", { name: "Add to address book" }));
    expect(await screen.findByRole("checkbox", { name: /Dana Reyes/ })).toBeChecked();
    expect(mock.state.counsel.map((k) => k.name)).toEqual(["Dana Reyes"]);
    expect(mock.state.log.at(-1)?.details).toMatchObject({ setting: "counsel_key_added", name: "Dana Reyes" });
    await user.click(screen.getByRole("button", { name: "Remove Dana Reyes from the address book" }));
    expect(mock.state.counsel).toHaveLength(1);
    await user.click(await screen.findByRole("button", { name: "Remove key" }));
    await waitFor(() => expect(mock.state.counsel).toHaveLength(0));
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
  });

  it("a passphrase must be long enough and typed twice; it goes to the export and not to the plan", async () => {
    const mock = install();
    const planned: ExportOptions[] = [];
    const realPlan = mock.planExport;
    mock.planExport = async (o) => {
      planned.push(o);
      return realPlan(o);
    };
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await next(user);
    await next(user);
    await user.click(screen.getByRole("radio", { name: "Encrypt with a passphrase" }));
    await user.type(screen.getByLabelText("Passphrase"), "short");
    expect(screen.getByText("Use at least 12 characters.")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Passphrase"));
    await user.type(screen.getByLabelText("Passphrase"), "violet anchor lamp 42");
    await user.type(screen.getByLabelText("Passphrase again"), "violet anchor lamp 4");
    expect(screen.getByText("The two passphrases differ.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Passphrase again"), "2");
    await next(user);
    await screen.findByTestId("export-qc");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await screen.findByTestId("export-result");
    expect(sent[0].options.passphrase).toBe("violet anchor lamp 42");
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((o) => o.passphrase === null)).toBe(true);
  });

  it("a cancelled save dialog writes nothing", async () => {
    const mock = install({ counsel: [] });
    mock.pickDestination = async () => null;
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await next(user);
    await next(user);
    await user.click(screen.getByRole("radio", { name: "Do not encrypt" }));
    expect(screen.getByText(/Anyone who gets the file can read the exhibits/)).toBeInTheDocument();
    await next(user);
    await screen.findByTestId("export-qc");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    expect(mock.state.calls).not.toContain("exportBundle");
    expect(screen.queryByTestId("export-result")).toBeNull();
    expect(screen.getByRole("heading", { name: "Review" })).toBeInTheDocument();
  });

  it("shows progress, cancels, and says nothing was written", async () => {
    const mock = install();
    let rejectRun!: (e: unknown) => void;
    let emit!: (e: JobEvent) => void;
    mock.exportBundle = (_req, on) =>
      new Promise((_, reject) => {
        rejectRun = reject;
        emit = on;
      });
    mock.cancelJob = async () => {
      rejectRun(new BackendError("cancelled", "cancelled"));
      return true;
    };
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    expect(await screen.findByRole("heading", { name: "Writing the bundle" })).toBeInTheDocument();
    emit({ type: "begin", files: 3, bytes: 2000 });
    emit({ type: "progress", bytes: 1000, items: 0 });
    await waitFor(() =>
      expect(screen.getByRole("progressbar", { name: "Export progress" })).toHaveAttribute("aria-valuetext", "1.0 kB of 2.0 kB · 3 exhibits"),
    );
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(await screen.findByText(/The export was cancelled. Nothing was written/)).toBeInTheDocument();
    // Back on the review, ready to export again; the navigation is free again.
    expect(screen.getByRole("heading", { name: "Review" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Choose where to save and export…" })).toBeEnabled());
    expect(session.job).toBeNull();
  });

  it("a failed export says so and that nothing was left at the destination", async () => {
    const mock = install();
    mock.exportBundle = async () => {
      throw new BackendError("object_damaged", "object 3f2a… failed authentication: it was changed or damaged");
    };
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The export did not complete.");
    expect(alert).toHaveTextContent("failed authentication");
    expect(alert).toHaveTextContent("Nothing was left at the destination.");
  });

  it("continues numbering after an earlier production and lists it", async () => {
    install({
      productions: [
        {
          id: 1,
          bates_prefix: "KMR",
          bates_width: 6,
          bates_first: "KMR000001",
          bates_last: "KMR000012",
          exhibits: 12,
          bundle_sha256: "d".repeat(64),
          destination: "/home/dana/Productions/KMR000001-KMR000012.zip",
          produced_at: "2026-06-02T12:00:00.000000Z",
        },
      ],
    });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    expect(screen.getByLabelText("Bates prefix")).toHaveValue("KMR");
    expect(await screen.findByTestId("export-range")).toHaveTextContent("KMR000013 to KMR000015");
    expect(screen.getByTestId("export-range")).toHaveTextContent("The last number produced under KMR is KMR000012.");
    expect(screen.getByRole("radio", { name: "Next free number (13)" })).toBeChecked();
  });

  it("with typed paths (automated tests) the destination can be typed", async () => {
    const mock = install({ typedPaths: true });
    session.info = { version: "0.1.0", settings: mock.state.settings, recent: [], open: vault(), typed_paths: true };
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    await user.type(screen.getByLabelText("Bundle path"), "/tmp/out/bundle.zip.age");
    await user.click(screen.getByRole("button", { name: "Export to this path" }));
    expect(await screen.findByTestId("export-result")).toHaveTextContent("/tmp/out/bundle.zip.age");
    expect(mock.state.calls).not.toContain("pickDestination");
    expect(router.screen).toBe("export");
  });

  it("forgets a passphrase when another protection is chosen", async () => {
    install();
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("radio", { name: "Encrypt with a passphrase" }));
    await user.type(screen.getByLabelText("Passphrase"), "violet anchor lamp 42");
    await user.click(screen.getByRole("radio", { name: "Do not encrypt" }));
    await user.click(screen.getByRole("radio", { name: "Encrypt with a passphrase" }));
    expect(screen.getByLabelText("Passphrase")).toHaveValue("");
  });

  it("shows the numbering's warnings on the numbering step and waits for the plan before Next", async () => {
    const mock = install();
    const pending: ((p: ExportPlan) => void)[] = [];
    const realPlan = mock.planExport;
    mock.planExport = (o) =>
      new Promise((resolve) => pending.push(async () => resolve({ ...(await realPlan(o)), warnings: ["numbering starts at HAL000010; HAL000001 to HAL000009 stay unused under HAL"] })));
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    expect(await screen.findByText("Checking the numbering…")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    await waitFor(() => expect(pending.length).toBeGreaterThan(0));
    pending.at(-1)!({} as ExportPlan);
    expect(await screen.findByText("Numbering starts at HAL000010; HAL000001 to HAL000009 stay unused under HAL.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Next" })).toBeEnabled());
  });

  it("a plan that arrives after leaving the step is dropped", async () => {
    const mock = install();
    const pending: (() => void)[] = [];
    const realPlan = mock.planExport;
    mock.planExport = (o) => new Promise((resolve) => pending.push(async () => resolve(await realPlan(o))));
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await waitFor(() => expect(pending.length).toBe(1));
    await user.click(screen.getByRole("button", { name: "Back" }));
    pending[0]();
    await new Promise((r) => setTimeout(r, 20));
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.queryByTestId("export-range")).toBeNull();
    expect(screen.getByText("Checking the numbering…")).toBeInTheDocument();
  });

  it("locks the navigation while writing, and shows the checks made while writing and the passphrase steps", async () => {
    const mock = install();
    let finish!: () => void;
    const realExport = mock.exportBundle;
    mock.exportBundle = (req, on) =>
      new Promise((resolve, reject) => {
        finish = () =>
          realExport(req, on).then(
            (r) => resolve({ ...r, qc: [...r.qc, "warning: 1 character(s) have no Windows-1252 form and were written as '?'"] }),
            reject,
          );
      });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("radio", { name: "Encrypt with a passphrase" }));
    await user.type(screen.getByLabelText("Passphrase"), "violet anchor lamp 42");
    await user.type(screen.getByLabelText("Passphrase again"), "violet anchor lamp 42");
    await next(user);
    await screen.findByTestId("export-qc");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await waitFor(() => expect(session.job).toBe("export"));
    finish();
    const result = await screen.findByTestId("export-result");
    expect(session.job).toBeNull();
    const written = within(screen.getByTestId("export-written-qc"));
    expect(written.getByText(/every native re-hashed while written/i)).toBeInTheDocument();
    expect(written.getByText("1 character(s) have no Windows-1252 form and were written as '?'.")).toHaveTextContent(/^Warning 1 character/);
    expect(written.getByText(/every native re-hashed while written/i)).toHaveTextContent(/^OK /);
    expect(result).toHaveTextContent("age -d -o bundle.zip HAL000001-HAL000003.zip.age and type the passphrase");
    expect(result).not.toHaveTextContent("age -d -i key.txt");
  });

  it("offers the rest of a family when one of its exhibits is picked, and counts it as produced", async () => {
    // EX-0004 (an e-mail) heads EX-0005, EX-0006 (a ZIP) and EX-0007 (inside the ZIP).
    const mock = install({ exhibits: [mockExhibit(1), mockExhibit(2), mockExhibit(3), ...mockFamily(4)] });
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("7 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Search and pick by hand" }));
    await user.type(screen.getByLabelText("Search"), "bracket");
    const list = await screen.findByRole("list", { name: "Exhibits to pick" });
    await waitFor(() => expect(within(list).getAllByRole("checkbox")).toHaveLength(1));
    await user.click(within(list).getByRole("checkbox", { name: /EX-0007/ }));

    const notice = await screen.findByTestId("export-families");
    expect(notice).toHaveTextContent(
      "EX-0007 belongs to the family of EX-0004 (4 exhibits). Families are produced whole: EX-0004, EX-0005 and EX-0006 will be added.",
    );
    // The count says what the export will produce.
    expect(screen.getByText(/^1 exhibit selected\./)).toHaveTextContent("1 exhibit selected. With their families, 4 will be produced.");

    const add = within(notice).getByRole("button", { name: "Add the family" });
    expect(add).toHaveAccessibleDescription(/EX-0007 belongs to the family of EX-0004/);
    await user.click(add);
    expect(screen.getByText("4 exhibits selected.")).toBeInTheDocument();
    expect(screen.queryByTestId("export-families")).not.toBeInTheDocument();
    await user.clear(screen.getByLabelText("Search"));
    await waitFor(() => expect(within(list).getAllByRole("checkbox")).toHaveLength(7));
    for (const id of ["EX-0004", "EX-0005", "EX-0006", "EX-0007"]) expect(within(list).getByRole("checkbox", { name: new RegExp(id) })).toBeChecked();

    await next(user);
    expect(await screen.findByTestId("export-range")).toHaveTextContent("This production: HAL000001 to HAL000004 (4 exhibits");
    expect(screen.getByTestId("export-range")).not.toHaveTextContent("more than chosen");
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    // The family together, its head first.
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[1].textContent)).toEqual(["EX-0004", "EX-0005", "EX-0006", "EX-0007"]);
    expect(screen.queryByTestId("export-family-added")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("4 exhibits, Bates HAL000001 to HAL000004");
    expect(new Set(sent[0]!.options.exhibits)).toEqual(new Set(["EX-0004", "EX-0005", "EX-0006", "EX-0007"]));
  });

  it("says on review how many exhibits a family taken in part adds when it is not picked whole", async () => {
    const mock = install({ exhibits: [mockExhibit(1), ...mockFamily(2)] });
    mock.state.exhibits[2]!.tags = ["hot"];
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("5 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Exhibits with a tag" }));
    await user.selectOptions(screen.getByLabelText("Tag"), "hot");
    expect(screen.getByText("1 exhibit selected.")).toBeInTheDocument();
    expect(screen.getByText(/Families are produced whole: an attachment or archive entry chosen brings/)).toBeInTheDocument();
    await next(user);
    // The plan is the vault's: the tagged attachment brings its whole family.
    expect(await screen.findByTestId("export-range")).toHaveTextContent(
      "HAL000001 to HAL000004 (4 exhibits, 4.0 kB; 3 exhibits more than chosen: the rest of their families, which are produced whole)",
    );
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    expect(await screen.findByTestId("export-family-added")).toHaveTextContent("3 exhibits more than chosen");
    expect(screen.getByText(/^4 exhibits, /)).toBeInTheDocument();
  });

  it("marks each withheld exhibit on review as its slip sheet, says how many, and lists their Bates numbers when written", async () => {
    const mock = install();
    await mock.designateExhibit("EX-0002", { privilege: "attorney_client", withheld: true, log_description: "E-mail to counsel about the spec", confidentiality: null });
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    const qc = await screen.findByTestId("export-qc");
    expect(qc).toHaveTextContent("1 withheld as privileged: a slip sheet each, and a privilege log of exactly those.");
    expect(screen.getByTestId("export-review-withheld")).toHaveTextContent(
      "1 withheld as privileged: a slip sheet takes each one's place; the bundle carries the privilege log",
    );
    // The withheld row keeps its number and says so in words, not by colour alone.
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).queryByText("Withheld — slip sheet") !== null)).toEqual([false, true, false]);
    expect(within(rows[1]!).getAllByRole("cell")[0]).toHaveTextContent("HAL000002");

    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("2 exhibits produced and 1 withheld as privileged, Bates HAL000001 to HAL000003");
    const withheld = within(screen.getByTestId("export-withheld"));
    expect(withheld.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["HAL000002"]);
    expect(withheld.getByRole("button", { name: "Copy the withheld Bates numbers" })).toBeInTheDocument();
    expect(within(screen.getByTestId("export-written-qc")).getByText(/^privilege log: 1 withheld document/i)).toHaveTextContent(/^OK /);
  });

  it("says nothing of withheld documents when none is withheld", async () => {
    install();
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await toEncryption(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.queryByTestId("export-review-withheld")).not.toBeInTheDocument();
    expect(screen.queryByText("Withheld — slip sheet")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await screen.findByTestId("export-result");
    expect(screen.queryByTestId("export-withheld")).not.toBeInTheDocument();
  });

  it("lists the withheld documents and the privilege log on the first step only", async () => {
    const mock = install();
    await mock.designateExhibit("EX-0002", { privilege: "attorney_client", withheld: true, log_description: "E-mail to counsel about the spec", confidentiality: null });
    const user = userEvent.setup();
    render(Export);
    const log = await screen.findByRole("region", { name: "Withheld documents and the privilege log" });
    expect(await within(log).findByTestId("privilege-log")).toHaveTextContent("E-mail to counsel about the spec");
    expect(within(log).getByRole("button", { name: "Save as CSV…" })).toBeInTheDocument();
    await next(user);
    expect(screen.queryByRole("region", { name: "Withheld documents and the privilege log" })).not.toBeInTheDocument();
  });
});

describe("Export chosen by a search", () => {
  const SAVED = { name: "Spec", query: "lodestar", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" };

  it("takes the exhibits a typed query finds, refused with the vault's reason, and records the search", async () => {
    const mock = install({ exhibits: [mockExhibit(1, { name: "Lodestar spec v3.pdf" }), ...mockFamily(2), mockExhibit(6, { name: "memo.txt" })] });
    mock.state.exhibits[1]!.name = "Re: pricing.eml";
    mock.state.exhibits[2]!.name = "lodestar-pricing.pdf";
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("6 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Exhibits a search finds" }));
    // Nothing saved: only a typed query.
    expect(await screen.findByRole("radio", { name: "A saved search (none saved yet)" })).toBeDisabled();
    expect(screen.getByRole("radio", { name: "A query" })).toBeChecked();
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    expect(screen.getByText("Enter a query.")).toBeInTheDocument();

    // A query the vault cannot search exactly: its reason, and no way on.
    await user.type(screen.getByLabelText("Query"), "*cret");
    expect(await screen.findByTestId("export-search-problem")).toHaveTextContent(
      "The query cannot be searched exactly: *cret: a wildcard may only end a word (term*)",
    );
    expect(screen.getByLabelText("Query")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    // One that finds nothing.
    await user.clear(screen.getByLabelText("Query"));
    await user.type(screen.getByLabelText("Query"), "osprey");
    expect(await screen.findByTestId("export-search-problem")).toHaveTextContent("The selection is empty: the search osprey finds no exhibit.");

    // Found: the attachment brings its family.
    await user.clear(screen.getByLabelText("Query"));
    await user.type(screen.getByLabelText("Query"), "lodestar");
    expect(await screen.findByText("5 exhibits selected: those the search finds, with their families.")).toBeInTheDocument();
    await next(user);
    expect(await screen.findByTestId("export-range")).toHaveTextContent("HAL000001 to HAL000005 (5 exhibits");
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.getByTestId("export-review-search")).toHaveTextContent(
      "the query lodestar, with the rest of the families of what it finds; recorded with the production",
    );
    expect(screen.getByTestId("export-review-terms")).toHaveTextContent("none");
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("5 exhibits, Bates HAL000001 to HAL000005");
    const recorded = screen.getByTestId("export-search");
    expect(recorded).toHaveTextContent("Chosen by The query lodestar");
    expect(recorded).toHaveTextContent("Found 2 exhibits, before the rest of their families was added");
    expect(recorded).toHaveTextContent(mockSelectionDigest(["EX-0001", "EX-0003"]));
    expect(within(recorded).queryByTestId("export-search-report")).toBeNull();
    expect(sent[0]!.options).toMatchObject({ exhibits: [], tag: null, custodian: null, search: "lodestar", search_name: null, search_terms: null });
    expect(mock.state.log.filter((e) => e.action === "exported").at(0)?.details).toMatchObject({ search: { query: "lodestar", hits: 2 } });
  });

  it("takes a saved search by name, and is refused when it changed since it was reviewed", async () => {
    const mock = install({ savedSearches: [{ ...SAVED }] });
    const plans = vi.spyOn(mock, "planExport");
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await user.click(screen.getByRole("radio", { name: "Exhibits a search finds" }));
    await user.click(await screen.findByRole("radio", { name: "A saved search" }));
    expect(screen.getByText("Choose a saved search.")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Saved search"), "Spec");
    expect(screen.getByText("lodestar")).toBeInTheDocument();
    expect(await screen.findByText("1 exhibit selected: those the search finds, with their families.")).toBeInTheDocument();
    expect(plans.mock.lastCall?.[0]).toMatchObject({ search: "lodestar", search_name: "Spec" });
    await next(user);
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.getByTestId("export-review-search")).toHaveTextContent("the saved search “Spec”: lodestar");

    // Changed since: the vault refuses to write it.
    mock.state.savedSearches = [{ ...SAVED, query: "brandt" }];
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The saved search Spec is no longer the query lodestar (changed or deleted since); choose it again.",
    );
    expect(mock.state.productions).toHaveLength(0);

    // Switching to a typed query starts from the saved one's.
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("radio", { name: "A query" }));
    expect(screen.getByLabelText("Query")).toHaveValue("lodestar");
  });

  it("starts with a search handed over, as typed when its saved search no longer holds it", async () => {
    install({ savedSearches: [{ ...SAVED, query: "brandt" }] });
    render(Export, { props: { search: "lodestar", searchName: "Spec" } });
    expect(await screen.findByRole("radio", { name: "Exhibits a search finds" })).toBeChecked();
    expect(await screen.findByText("The saved search “Spec” is no longer this query (changed or deleted since): the query is used as typed.")).toBeInTheDocument();
    expect(screen.getByRole("radio", { name: "A query" })).toBeChecked();
    expect(screen.getByLabelText("Query")).toHaveValue("lodestar");
    expect(await screen.findByText("1 exhibit selected: those the search finds, with their families.")).toBeInTheDocument();
  });

  it("puts a search-term report in the bundle: the list checked by the plan, shown on review and in the result", async () => {
    const mock = install();
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await screen.findByTestId("export-range");
    const about = screen.getByText(/For each term of a list, counted over the documents of this production/);
    expect(about).toHaveTextContent("custos search-report BUNDLE --terms data/search/terms.txt");
    expect(about).toHaveTextContent("data/search/");
    expect(screen.queryByLabelText("Terms, one per line")).toBeNull();
    await user.click(screen.getByRole("checkbox", { name: "Put a search-term report in the bundle" }));
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    expect(screen.getByText("Enter the report's terms, one per line, or leave the report out.")).toBeInTheDocument();

    // A term the vault cannot search exactly: the plan refuses it, naming its line.
    const terms = screen.getByLabelText("Terms, one per line");
    await user.type(terms, "lodestar{Enter}*cret");
    expect(await screen.findByRole("alert")).toHaveTextContent("The query cannot be searched exactly: line 2 (*cret)");
    await waitFor(() => expect(terms).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    await user.clear(terms);
    await user.type(terms, "lodestar{Enter}{Enter}name:audit");
    expect(await screen.findByTestId("export-range")).toHaveTextContent("HAL000001 to HAL000003");
    expect(terms).toHaveAttribute("aria-invalid", "false");
    await next(user);
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.getByTestId("export-review-terms")).toHaveTextContent("2 terms, counted over the documents produced, in data/search/");
    expect(screen.queryByTestId("export-review-search")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    await screen.findByTestId("export-result");
    // The list exactly as typed (its hash in the bundle is of these bytes).
    expect(sent[0]!.options).toMatchObject({ search: null, search_name: null, search_terms: "lodestar\n\nname:audit" });
    expect(screen.getByTestId("export-search-report")).toHaveTextContent(
      "2 terms over the 3 documents produced: any term finds 2 documents, 2 with their families, 2 unique",
    );
    expect(screen.getByTestId("export-search")).toHaveTextContent("custos search-report BUNDLE --terms data/search/terms.txt");
  });
});

describe("Export with page images", () => {
  /** Walks the wizard with its defaults to the page images step. */
  async function toImages(user: User) {
    await screen.findByText("3 exhibits selected.");
    await next(user);
    await next(user);
    expect(screen.getByRole("heading", { name: "Page images and stamps" })).toBeInTheDocument();
  }

  /** Keeps the options of every preview the wizard asks for. */
  function keepPreviews(mock: ReturnType<typeof install>): [ExportOptions, string | null][] {
    const asked: [ExportOptions, string | null][] = [];
    const real = mock.stampPreview;
    mock.stampPreview = (o, exhibit) => {
      asked.push([o, exhibit]);
      return real(o, exhibit);
    };
    return asked;
  }

  it("previews the first page stamped as the export stamps it, named by its exhibit, Bates number and legend", async () => {
    const mock = install();
    const asked = keepPreviews(mock);
    const user = userEvent.setup();
    render(Export);
    await toImages(user);
    const steps = within(screen.getByRole("list", { name: "Steps" })).getAllByRole("listitem");
    expect(steps.map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual(["1 Exhibits", "2 Numbering", "3 Page images", "4 Encryption", "5 Review and export"]);
    expect(steps.map((li) => li.getAttribute("aria-current"))).toEqual([null, null, "step", null, null]);
    expect(asked).toHaveLength(0);

    await user.click(screen.getByRole("radio", { name: "TIFF per page (Group IV, 300 dpi; JPEG for photographs)" }));
    const page = await screen.findByRole("img", { name: "First page of EX-0001, stamped HAL000001, no legend" });
    expect(page).toHaveAttribute("src", MOCK_PAGE_PNG);
    expect(screen.getByText("EX-0001: the first of its 3 pages, as the export stamps it.")).toBeInTheDocument();
    expect(screen.getByText("Documents designated with a confidentiality level carry their level instead.")).toBeInTheDocument();
    // Numbered by page: 3, 1 and 2 pages.
    expect(await screen.findByTestId("export-pages")).toHaveTextContent("This production: 6 pages, Bates HAL000001 to HAL000006 by page.");

    const legend = screen.getByLabelText("Legend on every page");
    expect(legend).toHaveAttribute("placeholder", "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER");
    await user.type(legend, "CONFIDENTIAL");
    expect(await screen.findByRole("img", { name: "First page of EX-0001, stamped HAL000001 and the legend “CONFIDENTIAL”" })).toBeInTheDocument();
    // A pause after the last key, not a page a key.
    expect(asked.filter(([o]) => o.endorse !== null && o.endorse !== "CONFIDENTIAL")).toHaveLength(0);
    expect(asked.at(-1)).toEqual([expect.objectContaining({ images: "tiff", endorse: "CONFIDENTIAL", bates_corner: "bottom-right", endorse_corner: "bottom-left" }), null]);

    // Another document's first page, by its own first number.
    await user.selectOptions(screen.getByLabelText("Document shown"), "EX-0003");
    expect(await screen.findByRole("img", { name: "First page of EX-0003, stamped HAL000005 and the legend “CONFIDENTIAL”" })).toBeInTheDocument();
    expect(asked.at(-1)?.[1]).toBe("EX-0003");
  });

  it("shows the vault's reason in place of the preview when a stamp does not fit, and keeps Next disabled", async () => {
    install();
    const user = userEvent.setup();
    render(Export);
    await toImages(user);
    await user.click(screen.getByRole("radio", { name: "Searchable PDF per document" }));
    await screen.findByRole("img", { name: /^First page of EX-0001/ });
    const long = "HIGHLY CONFIDENTIAL — ATTORNEYS' EYES ONLY — SUBJECT TO THE PROTECTIVE ORDER ENTERED IN HALVORSEN v. BRANDT, CASE NO. 24-CV-0193";
    await user.click(screen.getByLabelText("Legend on every page"));
    await user.paste(long);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      `The stamp “${long}” is ${Math.round(mockStampWidth(long))} points wide; 500 fit in the bottom-left corner of a 612×792-point page beside the other stamp; shorten it or move the stamps to opposite edges.`,
    );
    await waitFor(() => expect(screen.queryByRole("img")).toBeNull());
    // Said once, where the page would be.
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(screen.getByTestId("export-preview-problem")).toBe(screen.getByRole("alert"));
    await waitFor(() => expect(screen.getByRole("button", { name: "Next" })).toBeDisabled());

    // At the other edge it has the width of the page, and still does not fit.
    await user.selectOptions(screen.getByLabelText("Legend corner"), "top-left");
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("points wide; 576 fit in the top-left corner of a 612×792-point page; shorten it"));

    // Two stamps in one corner.
    await user.clear(screen.getByLabelText("Legend on every page"));
    await user.type(screen.getByLabelText("Legend on every page"), "CONFIDENTIAL");
    await user.selectOptions(screen.getByLabelText("Legend corner"), "bottom-right");
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The Bates number and the legend cannot share the bottom-right corner."));
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();

    await user.selectOptions(screen.getByLabelText("Bates number corner"), "top-right");
    expect(await screen.findByRole("img", { name: "First page of EX-0001, stamped HAL000001 and the legend “CONFIDENTIAL”" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Next" })).toBeEnabled());
  });

  it("sends the page images, legend and corners to the plan and the export, and shows them on review and in the result", async () => {
    const mock = install();
    const planned: ExportOptions[] = [];
    const realPlan = mock.planExport;
    mock.planExport = async (o) => {
      planned.push(o);
      return realPlan(o);
    };
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await toImages(user);
    await user.click(screen.getByRole("radio", { name: "Searchable PDF per document" }));
    await user.type(screen.getByLabelText("Legend on every page"), "  CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER ");
    await user.selectOptions(screen.getByLabelText("Bates number corner"), "top-right");
    await user.selectOptions(screen.getByLabelText("Legend corner"), "top-left");
    await screen.findByRole("img", { name: "First page of EX-0001, stamped HAL000001 and the legend “CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER”" });
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.getByTestId("export-review-images")).toHaveTextContent("PDF, 6 pages, Bates HAL000001–HAL000006 by page");
    expect(screen.getByTestId("export-review-stamps")).toHaveTextContent("Bates number top right; legend “CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER” top left");
    expect(screen.getByRole("columnheader", { name: "Bates (first page)" })).toBeInTheDocument();
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0].textContent)).toEqual(["HAL000001", "HAL000004", "HAL000005"]);
    const stamps = { images: "pdf", endorse: "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER", bates_corner: "top-right", endorse_corner: "top-left" };
    expect(planned.at(-1)).toMatchObject(stamps);

    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("3 exhibits, 6 pages imaged and numbered by page, Bates HAL000001 to HAL000006");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ options: stamps, expect_first: "HAL000001", expect_last: "HAL000006" });
  });

  it("sends no page images and no legend for the natives only, even with a legend typed before", async () => {
    const mock = install();
    const asked = keepPreviews(mock);
    const sent = keepRequests(mock);
    const user = userEvent.setup();
    render(Export);
    await toImages(user);
    await user.click(screen.getByRole("radio", { name: "TIFF per page (Group IV, 300 dpi; JPEG for photographs)" }));
    await user.type(screen.getByLabelText("Legend on every page"), "CONFIDENTIAL");
    await screen.findByRole("img", { name: /legend “CONFIDENTIAL”/ });
    const previews = asked.length;
    await user.click(screen.getByRole("radio", { name: "Natives only" }));
    expect(screen.queryByLabelText("Legend on every page")).toBeNull();
    expect(screen.queryByRole("img")).toBeNull();
    await waitFor(() => expect(screen.queryByTestId("export-pages")).toBeNull());
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    await screen.findByTestId("export-qc");
    expect(screen.getByTestId("export-review-images")).toHaveTextContent("none (natives only; one Bates number per document)");
    expect(screen.queryByTestId("export-review-stamps")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Choose where to save and export…" }));
    const result = await screen.findByTestId("export-result");
    expect(result).toHaveTextContent("3 exhibits, Bates HAL000001 to HAL000003");
    expect(within(result).queryByTestId("export-done-pages")).toBeNull();
    expect(sent[0]!.options).toMatchObject({ images: null, endorse: null });
    expect(asked).toHaveLength(previews);
  });

  it("sums up the designations, and previews a designated document with its own level", async () => {
    const mock = install();
    await mock.designateExhibit("EX-0001", { privilege: "attorney_client", withheld: true, log_description: "E-mail to counsel", confidentiality: null });
    await mock.designateExhibit("EX-0003", { privilege: null, withheld: false, log_description: "", confidentiality: "HIGHLY CONFIDENTIAL – AEO" });
    const user = userEvent.setup();
    render(Export);
    await toImages(user);
    const summary = await screen.findByTestId("export-designations");
    expect(within(summary).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "1 withheld as privileged (a slip sheet each, on the privilege log)",
      "1 with a confidentiality level",
    ]);
    await user.click(screen.getByRole("radio", { name: "TIFF per page (Group IV, 300 dpi; JPEG for photographs)" }));
    await user.type(screen.getByLabelText("Legend on every page"), "CONFIDENTIAL");
    // The withheld document is its slip sheet: one page.
    expect(await screen.findByRole("img", { name: "First page of EX-0001, stamped HAL000001 and the legend “CONFIDENTIAL”" })).toBeInTheDocument();
    expect(await screen.findByTestId("export-pages")).toHaveTextContent("This production: 4 pages, Bates HAL000001 to HAL000004 by page.");
    await user.selectOptions(screen.getByLabelText("Document shown"), "EX-0003");
    expect(await screen.findByRole("img", { name: "First page of EX-0003, stamped HAL000003 and the legend “HIGHLY CONFIDENTIAL – AEO”" })).toBeInTheDocument();
    await next(user);
    await user.click(screen.getByRole("checkbox", { name: /Reyes & Hart LLP/ }));
    await next(user);
    expect(await screen.findByTestId("export-review-stamps")).toHaveTextContent(
      "Bates number bottom right; legend “CONFIDENTIAL” bottom left; 1 document carries its confidentiality level instead",
    );
  });
});
