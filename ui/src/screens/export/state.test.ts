import { describe, expect, it } from "vitest";
import { MIN_PASSPHRASE_CHARS, type CounselKey, type ExhibitFacets, type ExportPlan } from "../../lib/bindings";
import { MOCK_RECIPIENT, mockExhibit } from "../../lib/mock-backend";
import {
  CHECKING,
  CHECKING_SEARCH,
  PICK_ROWS,
  TERMS_MISSING,
  isTermsRefusal,
  searchChoice,
  termLines,
  buildOptions,
  bundleRequest,
  chosenCount,
  imagesText,
  legendOf,
  namedCustodians,
  navHint,
  passphraseProblem,
  pickQuery,
  previewAlt,
  progressText,
  protectionText,
  stampsText,
  startProblem,
  stepProblem,
  suggestedFileName,
  suggestedPrefix,
  toggled,
  withAllShown,
  withheldCount,
  withheldText,
  type ExportDraft,
  type StepFacts,
} from "./state.svelte";

const exhibits = [
  mockExhibit(1, { tags: ["hot", "privileged"], custodian: "Erik Brandt" }),
  mockExhibit(2, { tags: [], custodian: null, name: "Audit findings.pdf" }),
  mockExhibit(3, { tags: ["hot"], custodian: "Anna Lind" }),
];

/** The vault's counts of a matter far larger than any list the wizard is given. */
const facets: ExhibitFacets = {
  exhibits: 500_000,
  custodians: [
    { name: "Erik Brandt", exhibits: 300_000 },
    { name: "", exhibits: 150_000 },
    { name: "Anna Lind", exhibits: 50_000 },
  ],
  tags: [
    { tag: "hot", exhibits: 1_200 },
    { tag: "privileged", exhibits: 40 },
  ],
};

const draft = (over: Partial<ExportDraft> = {}): ExportDraft => ({
  selectBy: "all",
  tag: "",
  custodian: "",
  picked: [],
  prefix: "HAL",
  startMode: "next",
  start: "",
  width: "6",
  encoding: "utf8",
  organization: "",
  protect: "keys",
  chosenKeys: [MOCK_RECIPIENT],
  passphrase: "",
  searchFrom: "typed",
  savedName: "",
  typedQuery: "",
  savedSearches: [],
  withTerms: false,
  terms: "",
  images: null,
  endorse: "",
  endorseCorner: "bottom-left",
  batesCorner: "bottom-right",
  ...over,
});

const plan = (over: Partial<ExportPlan> = {}): ExportPlan => ({
  exhibit_count: 2,
  selection_sha256: "5e1".padEnd(64, "c"),
  exhibits: [
    { exhibit_id: "EX-0001", name: "a.txt", size: 1, custodian: null, bates: "HAL000041", native_path: "NATIVES/HAL000041.txt", withheld: false },
    { exhibit_id: "EX-0003", name: "c.txt", size: 1, custodian: null, bates: "HAL000042", native_path: "NATIVES/HAL000042.txt", withheld: false },
  ],
  bates_first: "HAL000041",
  bates_last: "HAL000042",
  first_number: 41,
  next_free: 41,
  last_produced: null,
  total_bytes: 2,
  qc: [],
  warnings: [],
  earlier: [],
  pages: null,
  withheld_count: 0,
  confidential_count: 0,
  ...over,
});

const facts = (over: Partial<StepFacts> = {}): StepFacts => ({
  selectBy: "all",
  tag: "",
  custodian: "",
  picked: [],
  loaded: true,
  vaultExhibits: 3,
  chosenCount: 3,
  prefix: "HAL",
  startProblem: null,
  plan: plan(),
  planError: null,
  planning: false,
  protect: "keys",
  chosenKeys: [MOCK_RECIPIENT],
  passphraseProblem: null,
  ...over,
});

describe("choosing exhibits", () => {
  it("offers the named custodians by name, not the exhibits with none recorded", () => {
    expect(namedCustodians(facets)).toEqual([
      { name: "Anna Lind", exhibits: 50_000 },
      { name: "Erik Brandt", exhibits: 300_000 },
    ]);
    expect(namedCustodians(null)).toEqual([]);
  });

  it("asks the vault for the first rows the search matches, of every custodian and tag", () => {
    expect(pickQuery("  brandt memo ")).toEqual({
      text: "brandt memo",
      custodian: { kind: "any" },
      tag: null,
      order: "number",
      direction: "ascending",
      offset: 0,
      limit: PICK_ROWS,
    });
    // A window holds at most 2000 rows.
    expect(PICK_ROWS).toBeLessThanOrEqual(2000);
  });

  it("counts what each way of choosing takes by the vault's counts", () => {
    const choice = { selectBy: "all" as const, tag: "hot", custodian: "Anna Lind", picked: ["EX-0002", "EX-0009"] };
    expect(chosenCount(facets, choice)).toBe(500_000);
    expect(chosenCount(facets, { ...choice, selectBy: "tag" })).toBe(1_200);
    expect(chosenCount(facets, { ...choice, selectBy: "tag", tag: "privileged" })).toBe(40);
    expect(chosenCount(facets, { ...choice, selectBy: "custodian" })).toBe(50_000);
    expect(chosenCount(facets, { ...choice, selectBy: "picked" })).toBe(2);
    // Nothing before a tag or custodian is chosen (not the exhibits with none recorded).
    expect(chosenCount(facets, { ...choice, selectBy: "tag", tag: "" })).toBe(0);
    expect(chosenCount(facets, { ...choice, selectBy: "custodian", custodian: "" })).toBe(0);
    expect(chosenCount(facets, { ...choice, selectBy: "tag", tag: "gone" })).toBe(0);
    expect(chosenCount(null, choice)).toBe(0);
  });

  it("picks and unpicks without doubles", () => {
    expect(toggled(["a"], "b", true)).toEqual(["a", "b"]);
    expect(toggled(["a", "b"], "b", true)).toEqual(["a", "b"]);
    expect(toggled(["a", "b"], "a", false)).toEqual(["b"]);
    expect(withAllShown(["EX-0003"], exhibits)).toEqual(["EX-0003", "EX-0001", "EX-0002"]);
  });
});

describe("validation", () => {
  it("accepts a typed first number from 1, up to twelve digits", () => {
    expect(startProblem("next", "")).toBeNull();
    expect(startProblem("custom", " 41 ")).toBeNull();
    expect(startProblem("custom", "999999999999")).toBeNull();
    for (const bad of ["", "0", "007", "1.5", "-3", "abc", "1000000000000"])
      expect(startProblem("custom", bad)).toBe("Enter a whole number from 1.");
  });

  it("wants a long enough passphrase, typed twice, only when it is the protection", () => {
    const short = "x".repeat(MIN_PASSPHRASE_CHARS - 1);
    const long = "x".repeat(MIN_PASSPHRASE_CHARS);
    expect(passphraseProblem("keys", "", "")).toBeNull();
    expect(passphraseProblem("none", short, "")).toBeNull();
    expect(passphraseProblem("passphrase", short, short)).toBe(`Use at least ${MIN_PASSPHRASE_CHARS} characters.`);
    expect(passphraseProblem("passphrase", short, short)).toBe("Use at least 12 characters.");
    expect(passphraseProblem("passphrase", long, `${long}y`)).toBe("The two passphrases differ.");
    expect(passphraseProblem("passphrase", long, long)).toBeNull();
  });

  it("counts a passphrase in characters, as the core does, not in UTF-16 units", () => {
    const emoji = "\u{1F511}".repeat(MIN_PASSPHRASE_CHARS - 1);
    expect(emoji.length).toBeGreaterThanOrEqual(MIN_PASSPHRASE_CHARS);
    expect(passphraseProblem("passphrase", emoji, emoji)).toBe(`Use at least ${MIN_PASSPHRASE_CHARS} characters.`);
  });

  it("says why the first step cannot go on", () => {
    expect(stepProblem("select", facts({ loaded: false }))).toBe("Loading the exhibits…");
    expect(stepProblem("select", facts({ vaultExhibits: 0, chosenCount: 0 }))).toBe("The vault holds no exhibits yet.");
    expect(stepProblem("select", facts({ selectBy: "tag" }))).toBe("Choose a tag.");
    expect(stepProblem("select", facts({ selectBy: "custodian" }))).toBe("Choose a custodian.");
    expect(stepProblem("select", facts({ selectBy: "picked", chosenCount: 0 }))).toBe("Choose at least one exhibit.");
    expect(stepProblem("select", facts())).toBeNull();
  });

  it("holds the numbering until the plan is there and the vault accepts it", () => {
    expect(stepProblem("numbering", facts({ prefix: "  " }))).toBe("Enter a Bates prefix.");
    expect(stepProblem("numbering", facts({ startProblem: "Enter a whole number from 1." }))).toBe("Enter a whole number from 1.");
    expect(stepProblem("numbering", facts({ planError: "Bates HAL000002 was already produced." }))).toBe("Bates HAL000002 was already produced.");
    expect(stepProblem("numbering", facts({ planning: true }))).toBe(CHECKING);
    expect(stepProblem("numbering", facts({ plan: null }))).toBe(CHECKING);
    expect(stepProblem("numbering", facts())).toBeNull();
  });

  it("wants a key or another protection, and a good passphrase", () => {
    expect(stepProblem("encryption", facts({ chosenKeys: [] }))).toBe("Choose at least one key, or choose another option.");
    expect(stepProblem("encryption", facts({ protect: "none", chosenKeys: [] }))).toBeNull();
    expect(stepProblem("encryption", facts({ protect: "passphrase", passphraseProblem: "The two passphrases differ." }))).toBe(
      "The two passphrases differ.",
    );
  });

  it("exports only a plan that is there and current", () => {
    expect(stepProblem("review", facts())).toBeNull();
    expect(stepProblem("review", facts({ planning: true }))).toBe(CHECKING);
    expect(stepProblem("review", facts({ plan: null, planError: "Refused." }))).toBe("Refused.");
  });

  it("shows the problem beside Next except where the step shows the plan's state", () => {
    expect(navHint("select", "Choose a tag.", "HAL", null)).toBe("Choose a tag.");
    expect(navHint("select", null, "HAL", null)).toBeNull();
    expect(navHint("numbering", CHECKING, "HAL", null)).toBeNull();
    expect(navHint("numbering", "Enter a Bates prefix.", " ", null)).toBe("Enter a Bates prefix.");
    expect(navHint("numbering", "Enter a whole number from 1.", "HAL", "Enter a whole number from 1.")).toBe("Enter a whole number from 1.");
    expect(navHint("review", CHECKING, "HAL", null)).toBeNull();
  });
});

describe("the request", () => {
  it("sends every exhibit, the next free number and the chosen keys by default", () => {
    expect(buildOptions(draft())).toEqual({
      exhibits: [],
      tag: null,
      custodian: null,
      bates_prefix: "HAL",
      bates_start: null,
      bates_width: 6,
      recipients: [MOCK_RECIPIENT],
      passphrase: null,
      dat_encoding: "utf8",
      organization: null,
      search: null,
      search_name: null,
      search_terms: null,
      images: null,
      endorse: null,
      endorse_corner: "bottom-left",
      bates_corner: "bottom-right",
    });
  });

  it("sends only what the choices select", () => {
    const o = buildOptions(
      draft({
        selectBy: "tag",
        tag: "hot",
        custodian: "Anna Lind",
        picked: ["EX-0002"],
        prefix: " DEF ",
        startMode: "custom",
        start: "41",
        width: "8",
        encoding: "windows1252",
        organization: " Kessler Moreau LLP ",
        protect: "passphrase",
        passphrase: "violet anchor lamp 42",
      }),
    );
    expect(o).toMatchObject({
      exhibits: [],
      tag: "hot",
      custodian: null,
      bates_prefix: "DEF",
      bates_start: 41,
      bates_width: 8,
      recipients: [],
      passphrase: "violet anchor lamp 42",
      dat_encoding: "windows1252",
      organization: "Kessler Moreau LLP",
    });
    expect(buildOptions(draft({ selectBy: "picked", picked: ["EX-0002"] }))).toMatchObject({ exhibits: ["EX-0002"], tag: null });
    expect(buildOptions(draft({ selectBy: "custodian", custodian: "Anna Lind" }))).toMatchObject({ custodian: "Anna Lind", tag: null });
    expect(buildOptions(draft({ protect: "none" }))).toMatchObject({ recipients: [], passphrase: null });
  });

  it("leaves an unusable typed start or width to the defaults", () => {
    expect(buildOptions(draft({ startMode: "custom", start: " " })).bates_start).toBeNull();
    expect(buildOptions(draft({ startMode: "custom", start: "4.5" })).bates_start).toBeNull();
    expect(buildOptions(draft({ startMode: "next", start: "41" })).bates_start).toBeNull();
    expect(buildOptions(draft({ width: "" })).bates_width).toBe(6);
  });

  it("writes the selection as chosen, not the plan's ids, at the reviewed numbers", () => {
    const options = buildOptions(draft({ selectBy: "tag", tag: "hot" }));
    expect(bundleRequest(options, plan(), "sel-7")).toEqual({
      options: { ...options, exhibits: [], tag: "hot", custodian: null, bates_start: 41 },
      destination: "sel-7",
      expect_first: "HAL000041",
      expect_last: "HAL000042",
      // What was reviewed, by digest: the vault refuses other exhibits.
      expect_selection: "5e1".padEnd(64, "c"),
    });
    const byCustodian = buildOptions(draft({ selectBy: "custodian", custodian: "Anna Lind" }));
    expect(bundleRequest(byCustodian, plan(), "sel-7").options).toMatchObject({ exhibits: [], tag: null, custodian: "Anna Lind" });
    const all = buildOptions(draft());
    expect(bundleRequest(all, plan(), "sel-7").options).toMatchObject({ exhibits: [], tag: null, custodian: null });
    // Hand-picked exhibits are the choice itself, in the order picked.
    const picked = buildOptions(draft({ selectBy: "picked", picked: ["EX-0003", "EX-0001"] }));
    expect(bundleRequest(picked, plan(), "sel-7").options.exhibits).toEqual(["EX-0003", "EX-0001"]);
  });

  it("fixes the first number the review showed, even when the choice was the next free one", () => {
    const options = buildOptions(draft({ startMode: "next" }));
    expect(options.bates_start).toBeNull();
    expect(bundleRequest(options, plan({ first_number: 7, bates_first: "HAL000007", bates_last: "HAL000008" }), "sel-7")).toMatchObject({
      options: { bates_start: 7 },
      expect_first: "HAL000007",
      expect_last: "HAL000008",
    });
  });
});

describe("derived texts", () => {
  it("suggests the last production's prefix, else three letters of the matter", () => {
    expect(suggestedPrefix("KMR", "Halvorsen v. Brandt")).toBe("KMR");
    expect(suggestedPrefix(null, "Halvorsen v. Brandt")).toBe("HAL");
    expect(suggestedPrefix(null, "3M v. Ng")).toBe("M");
    expect(suggestedPrefix(null, "2024-17")).toBe("PROD");
    expect(suggestedPrefix(null, "")).toBe("PROD");
  });

  it("names the bundle by its range, .age when encrypted", () => {
    expect(suggestedFileName(plan(), true)).toBe("HAL000041-HAL000042.zip.age");
    expect(suggestedFileName(plan(), false)).toBe("HAL000041-HAL000042.zip");
  });

  it("says who can open the bundle", () => {
    const key = (id: number, name: string, recipient: string): CounselKey => ({ id, name, recipient, added_at: "2026-06-02T09:00:00Z" });
    const counsel = [key(1, "Reyes & Hart LLP", MOCK_RECIPIENT), key(2, "Other", "age1other")];
    expect(protectionText("keys", counsel, [MOCK_RECIPIENT])).toBe(`to Reyes & Hart LLP (${MOCK_RECIPIENT.slice(0, 12)}…${MOCK_RECIPIENT.slice(-6)})`);
    expect(protectionText("passphrase", counsel, [])).toBe("with a passphrase");
    expect(protectionText("none", counsel, [])).toBe("none");
  });

  it("shows progress by bytes once the job reports them", () => {
    expect(progressText({ byBytes: false, bytes: 0, totalBytes: null, totalFiles: 0 })).toBe("Starting…");
    expect(progressText({ byBytes: true, bytes: 3000, totalBytes: 2000, totalFiles: 1 })).toBe("2.0 kB of 2.0 kB · 1 exhibit");
  });
});

describe("choosing by a search", () => {
  const saved = [
    { name: "Spec", query: "lodestar", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" },
    { name: "Mail", query: "type:email", saved_at: "2026-06-02T09:00:00Z", saved_by: "Dana Whitfield" },
  ];

  it("sends a saved search's own query with its name, a typed one without, and none otherwise", () => {
    const search = (over: Partial<ExportDraft>) => searchChoice(draft({ selectBy: "search", savedSearches: saved, ...over }));
    expect(search({ searchFrom: "saved", savedName: "Spec", typedQuery: "something else" })).toEqual({ search: "lodestar", search_name: "Spec" });
    expect(search({ searchFrom: "saved", savedName: "Gone" })).toEqual({ search: null, search_name: null });
    expect(search({ searchFrom: "typed", savedName: "Spec", typedQuery: "  falcon pre/3 price " })).toEqual({ search: "falcon pre/3 price", search_name: null });
    expect(search({ searchFrom: "typed", typedQuery: "  " })).toEqual({ search: null, search_name: null });
    expect(searchChoice(draft({ selectBy: "all", searchFrom: "saved", savedName: "Spec", savedSearches: saved }))).toEqual({ search: null, search_name: null });
    expect(buildOptions(draft({ selectBy: "search", searchFrom: "saved", savedName: "Spec", savedSearches: saved }))).toMatchObject({
      exhibits: [],
      tag: null,
      custodian: null,
      search: "lodestar",
      search_name: "Spec",
    });
  });

  it("counts what the vault's plan of the search produces", () => {
    expect(chosenCount(facets, { selectBy: "search", tag: "", custodian: "", picked: [] })).toBe(0);
    expect(chosenCount(facets, { selectBy: "search", tag: "", custodian: "", picked: [], searchFound: 37 })).toBe(37);
  });

  it("says why the first step cannot go on until the vault found the search's exhibits", () => {
    const f = (over: Partial<StepFacts>) => stepProblem("select", facts({ selectBy: "search", searchFrom: "typed", searchQuery: "lodestar", ...over }));
    expect(f({ searchFrom: "saved", savedName: "", searchQuery: null })).toBe("Choose a saved search.");
    expect(f({ searchQuery: null })).toBe("Enter a query.");
    expect(f({ searchCheckError: "The query cannot be searched exactly: *cret: …" })).toBe("The query cannot be searched exactly: *cret: …");
    expect(f({ searchChecking: true })).toBe(CHECKING_SEARCH);
    expect(f({ chosenCount: 0 })).toBe(CHECKING_SEARCH);
    expect(f({ chosenCount: 12 })).toBeNull();
  });
});

describe("a search-term report in the bundle", () => {
  it("sends the list exactly as typed, only when asked for and holding a term", () => {
    const list = "falcon\n\n  \"price list\"  \n";
    expect(buildOptions(draft({ withTerms: true, terms: list })).search_terms).toBe(list);
    expect(buildOptions(draft({ withTerms: false, terms: list })).search_terms).toBeNull();
    expect(buildOptions(draft({ withTerms: true, terms: " \n \n" })).search_terms).toBeNull();
    expect(termLines(list)).toEqual(["falcon", '"price list"']);
  });

  it("holds the numbering step until the list has a term, and says so beside Next", () => {
    expect(stepProblem("numbering", facts({ withTerms: true, terms: "\n " }))).toBe(TERMS_MISSING);
    expect(stepProblem("numbering", facts({ withTerms: true, terms: "falcon" }))).toBeNull();
    expect(stepProblem("numbering", facts({ withTerms: false, terms: "" }))).toBeNull();
    expect(navHint("numbering", TERMS_MISSING, "HAL", null)).toBe(TERMS_MISSING);
  });

  it("tells the vault's refusal of the list from other refusals", () => {
    expect(isTermsRefusal("The query cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*).")).toBe(true);
    expect(isTermsRefusal("The term list has no terms (one query per line).")).toBe(true);
    expect(isTermsRefusal("Bates HAL000002 was already produced for another exhibit.")).toBe(false);
    expect(isTermsRefusal(null)).toBe(false);
  });
});

describe("withheld documents on review", () => {
  const row = (n: number, withheld: boolean) => ({
    exhibit_id: `EX-${String(n).padStart(4, "0")}`,
    name: `${n}.txt`,
    size: 1,
    custodian: null,
    bates: `HAL${String(n).padStart(6, "0")}`,
    native_path: withheld ? `data/VOL001/IMAGES/0001/HAL${String(n).padStart(6, "0")}.pdf` : `data/VOL001/NATIVES/0001/HAL${String(n).padStart(6, "0")}.txt`,
    withheld,
  });

  it("counts the withheld rows of a plan that lists them all", () => {
    expect(withheldCount(plan())).toBe(0);
    expect(withheldCount(plan({ exhibits: [row(1, false), row(2, true), row(3, true)], exhibit_count: 3 }))).toBe(2);
  });

  it("takes the count of the whole selection from the plan's check when it lists only the first rows", () => {
    const first = [row(1, true), row(2, false)];
    const qc = ["Bates HAL000001–HAL000500: 500 numbers, no gaps, no duplicates", "37 withheld as privileged: a slip sheet each, and a privilege log of exactly those"];
    expect(withheldCount(plan({ exhibits: first, exhibit_count: 500, qc }))).toBe(37);
    // Without the check, at least those listed.
    expect(withheldCount(plan({ exhibits: first, exhibit_count: 500 }))).toBe(1);
  });

  it("says a slip sheet takes each one's place and the bundle carries the privilege log", () => {
    expect(withheldText(2)).toBe("2 withheld as privileged: a slip sheet takes each one's place; the bundle carries the privilege log");
    expect(withheldText(1_200)).toBe("1,200 withheld as privileged: a slip sheet takes each one's place; the bundle carries the privilege log");
  });
});

describe("page images", () => {
  it("sends the page images and corners chosen, and the legend trimmed, only with page images", () => {
    expect(buildOptions(draft())).toMatchObject({ images: null, endorse: null, bates_corner: "bottom-right", endorse_corner: "bottom-left" });
    const tiff = draft({ images: "tiff", endorse: "  CONFIDENTIAL ", batesCorner: "top-right", endorseCorner: "top-left" });
    expect(buildOptions(tiff)).toMatchObject({ images: "tiff", endorse: "CONFIDENTIAL", bates_corner: "top-right", endorse_corner: "top-left" });
    // Natives only: a legend typed before is not sent (the vault refuses a legend without page images).
    expect(buildOptions({ ...tiff, images: null })).toMatchObject({ images: null, endorse: null });
    expect(buildOptions(draft({ images: "pdf", endorse: "   " })).endorse).toBeNull();
    expect(legendOf("pdf", " AEO ")).toBe("AEO");
    expect(legendOf(null, "AEO")).toBeNull();
    // The reviewed request keeps them.
    expect(bundleRequest(buildOptions(tiff), plan(), "sel-7").options).toMatchObject({ images: "tiff", endorse: "CONFIDENTIAL" });
  });

  it("holds the page images step while the plan refuses the stamps or, with page images, is on its way", () => {
    const refused = "The Bates number and the legend cannot share the bottom-left corner.";
    expect(stepProblem("images", facts())).toBeNull();
    expect(stepProblem("images", facts({ images: "tiff", planError: refused }))).toBe(refused);
    expect(stepProblem("images", facts({ images: "tiff", planning: true }))).toBe(CHECKING);
    expect(stepProblem("images", facts({ images: "pdf", plan: null }))).toBe(CHECKING);
    expect(stepProblem("images", facts({ images: null, planning: true }))).toBeNull();
    expect(stepProblem("images", facts({ images: "pdf" }))).toBeNull();
    // The step shows the refusal itself.
    expect(navHint("images", refused, "HAL", null)).toBeNull();
  });

  it("says on review what the page images and stamps are", () => {
    expect(imagesText("tiff", plan({ pages: 46, bates_first: "HAL000001", bates_last: "HAL000046" }))).toBe("TIFF, 46 pages, Bates HAL000001–HAL000046 by page");
    expect(imagesText("pdf", plan({ pages: 1, bates_first: "HAL000041", bates_last: "HAL000041" }))).toBe("PDF, 1 page, Bates HAL000041–HAL000041 by page");
    expect(imagesText(null, plan())).toBe("none (natives only; one Bates number per document)");
    expect(stampsText("bottom-right", "bottom-left", "CONFIDENTIAL", 0)).toBe("Bates number bottom right; legend “CONFIDENTIAL” bottom left");
    expect(stampsText("top-right", "top-left", null, 0)).toBe("Bates number top right; no legend");
    expect(stampsText("bottom-right", "bottom-left", "CONFIDENTIAL", 2)).toBe(
      "Bates number bottom right; legend “CONFIDENTIAL” bottom left; 2 documents carry their confidentiality level instead",
    );
    expect(stampsText("bottom-right", "top-left", null, 1)).toBe("Bates number bottom right; no legend; 1 document carries its confidentiality level top left");
  });

  it("names the page previewed, its Bates number and its legend", () => {
    const p = { data_url: "data:image/png;base64,", exhibit_id: "EX-0004", bates: "HAL000007", legend: "CONFIDENTIAL", pages: 3 };
    expect(previewAlt(p)).toBe("First page of EX-0004, stamped HAL000007 and the legend “CONFIDENTIAL”");
    expect(previewAlt({ ...p, legend: null })).toBe("First page of EX-0004, stamped HAL000007, no legend");
  });
});
