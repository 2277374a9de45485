import { describe, expect, it } from "vitest";
import { BackendError } from "../../lib/backend";
import type { SearchReport } from "../../lib/bindings";
import { lineSpan, listRefusal, refusedLine, termReportCsv, termReportFileName } from "./report";

const A = "a".repeat(64);
const B = "b".repeat(64);

function report(over: Partial<SearchReport> = {}): SearchReport {
  return {
    terms_sha256: A,
    searched: 1234,
    searched_sha256: B,
    terms: [
      { term: "falcon", documents: 3, with_families: 5, unique: 2 },
      { term: '"trade secret"', documents: 1, with_families: 1, unique: 0 },
      { term: "=cmd", documents: 0, with_families: 0, unique: 0 },
      { term: "price, list", documents: 2, with_families: 2, unique: 1 },
    ],
    total: { term: "(any term)", documents: 4, with_families: 6, unique: 3 },
    ...over,
  };
}

describe("the search-term report as CSV", () => {
  it("writes the header, a row per term, the total and the two hashes, CRLF, as the command line does", () => {
    expect(termReportCsv(report())).toBe(
      [
        "term,documents,with_families,unique",
        "falcon,3,5,2",
        '"""trade secret""",1,1,0',
        "'=cmd,0,0,0",
        '"price, list",2,2,1',
        "(any term),4,6,3",
        `term list SHA-256,${A},,`,
        `searched set SHA-256,${B},1234,`,
        "",
      ].join("\r\n"),
    );
  });

  it("keeps every term a spreadsheet would run as a formula as text, and quotes after guarding", () => {
    const terms = ["=1+1", "+x", "-y", "@SUM(A1)", "=a,b"].map((term) => ({ term, documents: 1, with_families: 1, unique: 1 }));
    const rows = termReportCsv(report({ terms })).split("\r\n").slice(1, 6);
    expect(rows).toEqual(["'=1+1,1,1,1", "'+x,1,1,1", "'-y,1,1,1", "'@SUM(A1),1,1,1", `"'=a,b",1,1,1`]);
  });

  it("names the file after the matter and the day", () => {
    const day = new Date(2026, 5, 2, 12);
    expect(termReportFileName("Halvorsen Dynamics v. Brandt", day)).toBe("search-term-report-halvorsen-dynamics-v-brandt-20260602.csv");
    expect(termReportFileName("", day)).toBe("search-term-report-vault-20260602.csv");
  });
});

describe("a refused term list", () => {
  it("says which term cannot be searched exactly, and on which line", () => {
    const refusal = listRefusal(
      new BackendError("invalid_input", "the query cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*)"),
    );
    expect(refusal).toBe("A term cannot be searched exactly: line 2 (*cret): *cret: a wildcard may only end a word (term*)");
    expect(refusedLine(refusal!)).toBe(2);
    expect(listRefusal(new BackendError("invalid_input", "the term list has no terms (one query per line)"))).toBe(
      "The term list has no terms (one query per line).",
    );
    expect(refusedLine("The term list has no terms (one query per line).")).toBeNull();
    expect(listRefusal(new BackendError("locked", "the vault is locked"))).toBeNull();
  });

  it("finds a line of the list", () => {
    const text = "falcon\n\n*cret\nmemo";
    expect(lineSpan(text, 1)).toEqual({ start: 0, end: 6 });
    expect(lineSpan(text, 3)).toEqual({ start: 8, end: 13 });
    expect(text.slice(8, 13)).toBe("*cret");
    expect(lineSpan(text, 4)).toEqual({ start: 14, end: 18 });
    expect(lineSpan(text, 5)).toBeNull();
    expect(lineSpan(text, 0)).toBeNull();
  });
});
