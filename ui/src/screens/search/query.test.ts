import { describe, expect, it } from "vitest";
import { BackendError } from "../../lib/backend";
import { mockExhibit } from "../../lib/mock-backend";
import {
  collectedSpan,
  dateClause,
  dateProblem,
  facetsOf,
  familyText,
  fieldClause,
  hasClause,
  hasTopLevelOr,
  refusalReason,
  snippetParts,
  withClause,
  withoutClause,
} from "./query";

describe("the search's filters as clauses", () => {
  it("writes a value as a word when it is one, else as a phrase", () => {
    expect(fieldClause("tag", "hot")).toBe("tag:hot");
    expect(fieldClause("custodian", "Erik Brandt")).toBe('custodian:"Erik Brandt"');
    expect(fieldClause("type", "application/pdf")).toBe('type:"application/pdf"');
    expect(fieldClause("custodian", "Zoë")).toBe("custodian:Zoë");
    // An operator alone would be read as one; quotes and * cannot stand in a phrase.
    expect(fieldClause("tag", "OR")).toBe('tag:"OR"');
    expect(fieldClause("tag", 'say "hi"*')).toBe('tag:"say hi"');
    // Nothing to search for.
    expect(fieldClause("tag", "!!")).toBeNull();
  });

  it("adds a clause so that it narrows the whole query (AND binds tighter than OR)", () => {
    expect(withClause("", "tag:hot")).toBe("tag:hot");
    expect(withClause("  falcon  ", "tag:hot")).toBe("falcon tag:hot");
    expect(withClause("falcon OR osprey", "tag:hot")).toBe("(falcon OR osprey) tag:hot");
    // An OR inside quotes or parentheses is not the query's own.
    expect(withClause('"this OR that" x', "tag:hot")).toBe('"this OR that" x tag:hot');
    expect(withClause("(a OR b) c", "tag:hot")).toBe("(a OR b) c tag:hot");
    expect(hasTopLevelOr("a OR")).toBe(true);
    expect(hasTopLevelOr("ORACLE or")).toBe(false);
  });

  it("finds a clause only as a whole term, and takes it out", () => {
    const q = '(a OR b) custodian:"Erik Brandt" tag:hot';
    expect(hasClause(q, 'custodian:"Erik Brandt"')).toBe(true);
    expect(hasClause(q, "tag:ho")).toBe(false);
    expect(hasClause("tag:hotter", "tag:hot")).toBe(false);
    expect(withoutClause(q, 'custodian:"Erik Brandt"')).toBe("(a OR b) tag:hot");
    expect(withoutClause("falcon AND tag:hot", "tag:hot")).toBe("falcon");
    expect(withoutClause("tag:hot", "tag:hot")).toBe("");
  });

  it("writes date ranges, open at either end, and says what is wrong with one", () => {
    expect(dateClause("collected", "2025-05-01", "2025-05-31")).toBe("collected:2025-05-01..2025-05-31");
    expect(dateClause("sent", "2025-05-01", "2025-05-01")).toBe("sent:2025-05-01");
    expect(dateClause("sent", "", "2025-05-31")).toBe("sent:..2025-05-31");
    expect(dateClause("sent", "2025-05-01", "")).toBe("sent:2025-05-01..");
    expect(dateProblem("", "")).toMatch(/first day, a last day or both/);
    expect(dateProblem("2025-06-01", "2025-05-01")).toMatch(/ends before it begins/);
    expect(dateProblem("2025-05-01", "")).toBeNull();
  });
});

describe("snippets", () => {
  it("marks the words between « and », keeping everything else as text", () => {
    expect(snippetParts("…the «Falcon» price «list»…")).toEqual([
      { text: "…the ", found: false },
      { text: "Falcon", found: true },
      { text: " price ", found: false },
      { text: "list", found: true },
      { text: "…", found: false },
    ]);
    // Markup is text like any other; a « that closes nothing stays.
    expect(snippetParts("<b>«x»</b> «open")).toEqual([
      { text: "<b>", found: false },
      { text: "x", found: true },
      { text: "</b> «open", found: false },
    ]);
    expect(snippetParts("")).toEqual([]);
  });
});

describe("the results' facets", () => {
  it("counts custodians, types and tags over the listings, most common first", () => {
    const rows = [
      mockExhibit(1, { mime: "application/pdf", tags: ["hot", "hot"] }),
      mockExhibit(2, { mime: "application/pdf", tags: ["hot", "privileged"] }),
      mockExhibit(3, { custodian: "IT Department", tags: [] }),
      mockExhibit(4, { custodian: null }),
    ];
    const f = facetsOf(rows);
    expect(f.custodians).toEqual([
      { value: "Erik Brandt", count: 2, clause: 'custodian:"Erik Brandt"' },
      { value: "IT Department", count: 1, clause: 'custodian:"IT Department"' },
    ]);
    expect(f.types.map((t) => [t.value, t.count])).toEqual([
      ["application/pdf", 2],
      ["text/plain", 2],
    ]);
    expect(f.tags.map((t) => [t.clause, t.count])).toEqual([
      ["tag:hot", 2],
      ["tag:privileged", 1],
    ]);
    expect(collectedSpan(rows)).toEqual({ first: "2026-06-02", last: "2026-06-05" });
  });

  it("says where an exhibit stands in its family", () => {
    expect(familyText(mockExhibit(1, { members: 3 }))).toBe("heads a family of 4 exhibits");
    expect(familyText(mockExhibit(2, { parent: "EX-0001", family: "EX-0001" }))).toBe("in the family of EX-0001");
    expect(familyText(mockExhibit(4, { parent: "EX-0003", family: "EX-0001" }))).toBe("in the family of EX-0001 (found in EX-0003)");
    expect(familyText(mockExhibit(5))).toBe("");
  });
});

describe("refusals", () => {
  it("reads the vault's reason from a refused query, and nothing from another error", () => {
    const refused = new BackendError("invalid_input", "the query cannot be searched exactly: *cret: a wildcard may only end a word (term*)");
    expect(refusalReason(refused)).toBe("*cret: a wildcard may only end a word (term*)");
    expect(refusalReason(new BackendError("invalid_input", "a search returns from 1 to 10000 hits"))).toBeNull();
    expect(refusalReason(new BackendError("locked", "the query cannot be searched exactly: no"))).toBeNull();
  });
});
