import { describe, expect, it } from "vitest";
import { BackendError } from "../../lib/backend";
import { lineSpan, listRefusal, refusedLine } from "./report";

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
