import { describe, expect, it } from "vitest";
import type { Designation } from "../../lib/bindings";
import { mockDesignationProblem } from "../../lib/mock-backend";
import { OTHER_LEVEL, designationProblems, fromDraft, isUndesignated, noDesignation, privilegeWords, sameDesignation, toDraft, type DesignationDraft } from "./designation";

const draft = (over: Partial<DesignationDraft> = {}): DesignationDraft => ({
  privilege: "attorney_client",
  withheld: true,
  description: "E-mail to outside counsel requesting advice on the employment agreement",
  level: "",
  otherLevel: "",
  ...over,
});

const messages = (f: DesignationDraft) => designationProblems(f).map((p) => p.message);
const fields = (f: DesignationDraft) => designationProblems(f).flatMap((p) => p.fields);

describe("designations: the form", () => {
  it("fills the form with a designation and makes the same designation from it", () => {
    const designations: Designation[] = [
      noDesignation(),
      { privilege: "work_product", withheld: true, log_description: "Draft pricing analysis", confidentiality: "CONFIDENTIAL" },
      { privilege: "common_interest", withheld: false, log_description: "", confidentiality: "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY" },
      { privilege: null, withheld: false, log_description: "", confidentiality: "RESTRICTED – OUTSIDE COUNSEL ONLY" },
    ];
    for (const d of designations) expect(fromDraft(toDraft(d))).toEqual(d);
    expect(toDraft(designations[3]!)).toMatchObject({ level: OTHER_LEVEL, otherLevel: "RESTRICTED – OUTSIDE COUNSEL ONLY" });
    expect(toDraft(designations[1]!)).toMatchObject({ level: "CONFIDENTIAL", otherLevel: "" });
  });

  it("sends the description and a typed level without spaces around them", () => {
    expect(fromDraft(draft({ description: "  Memo to counsel \n", level: OTHER_LEVEL, otherLevel: " RESTRICTED " }))).toEqual({
      privilege: "attorney_client",
      withheld: true,
      log_description: "Memo to counsel",
      confidentiality: "RESTRICTED",
    });
    expect(fromDraft(draft({ privilege: "", withheld: false, description: "", level: "" }))).toEqual(noDesignation());
  });

  it("compares designations and knows when nothing is designated", () => {
    expect(isUndesignated(noDesignation())).toBe(true);
    expect(isUndesignated({ ...noDesignation(), confidentiality: "CONFIDENTIAL" })).toBe(false);
    expect(sameDesignation(fromDraft(draft()), fromDraft(draft()))).toBe(true);
    expect(sameDesignation(fromDraft(draft()), fromDraft(draft({ withheld: false })))).toBe(false);
    expect(privilegeWords("common_interest")).toBe("Common-interest privilege");
  });
});

describe("designations: the problems, as the vault sees them", () => {
  it("a withheld document needs a privilege and a description for the log", () => {
    expect(messages(draft())).toEqual([]);
    expect(messages(draft({ privilege: "" }))).toEqual([
      "A withheld document needs the privilege claimed for it (attorney-client, work product or common interest).",
    ]);
    expect(fields(draft({ privilege: "", description: "   " }))).toEqual(["privilege", "description"]);
    expect(messages(draft({ description: " \n " }))).toEqual([
      "A withheld document needs a description for the privilege log (what it is, never its privileged content).",
    ]);
    // Not withheld, neither is needed.
    expect(messages(draft({ withheld: false, privilege: "", description: "" }))).toEqual([]);
  });

  it("a description is at most 1000 characters (not UTF-16 units), with line breaks but no other control characters", () => {
    expect(messages(draft({ description: "é".repeat(1000) }))).toEqual([]);
    expect(messages(draft({ description: "😀".repeat(1000) }))).toEqual([]);
    expect(messages(draft({ description: "x".repeat(1001) }))).toEqual(["The privilege log description is at most 1,000 characters (it has 1,001)."]);
    expect(messages(draft({ description: "Memo\nto counsel" }))).toEqual([]);
    expect(fields(draft({ description: "Memo\tto counsel" }))).toEqual(["description"]);
  });

  it("a confidentiality level typed in is 1 to 100 characters, without control characters", () => {
    expect(messages(draft({ level: OTHER_LEVEL, otherLevel: "  " }))).toEqual(["Type the confidentiality level, or choose none."]);
    expect(messages(draft({ level: OTHER_LEVEL, otherLevel: "C".repeat(100) }))).toEqual([]);
    expect(fields(draft({ level: OTHER_LEVEL, otherLevel: "C".repeat(101) }))).toEqual(["level"]);
    expect(fields(draft({ level: OTHER_LEVEL, otherLevel: "CONFIDENTIAL\u0007" }))).toEqual(["level"]);
    expect(messages(draft({ level: "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY" }))).toEqual([]);
  });

  it("finds a problem exactly when the vault (as the mock stands in for it) refuses", () => {
    const forms = [
      draft(),
      draft({ privilege: "" }),
      draft({ description: "" }),
      draft({ withheld: false, privilege: "", description: "" }),
      draft({ description: "x".repeat(1001) }),
      draft({ description: "a\u0000b" }),
      draft({ description: "a\nb" }),
      draft({ level: OTHER_LEVEL, otherLevel: "" }),
      draft({ level: OTHER_LEVEL, otherLevel: "L".repeat(101) }),
      draft({ level: OTHER_LEVEL, otherLevel: "L\u001b" }),
      draft({ level: "CONFIDENTIAL" }),
    ];
    for (const f of forms) expect(designationProblems(f).length > 0, JSON.stringify(f)).toBe(mockDesignationProblem(fromDraft(f)) !== null);
  });
});
