/**
 * An exhibit's designations for productions as the exhibit screen edits
 * them: the privilege claimed, whether it is withheld (listed on the
 * privilege log), the log's description and the confidentiality level.
 * The form's draft, the designation it makes, and the problems the vault
 * would refuse it for, in the vault's words. All pure.
 */
import type { Designation, PrivilegeBasis } from "../../lib/bindings";
import { formatCount } from "../../lib/format";

/** The privileges that may be claimed, as the privilege log words them. */
export const PRIVILEGES: { value: PrivilegeBasis; label: string }[] = [
  { value: "attorney_client", label: "Attorney-client privilege" },
  { value: "work_product", label: "Attorney work product" },
  { value: "common_interest", label: "Common-interest privilege" },
];

/** The confidentiality levels protective orders most often use. */
export const CONFIDENTIALITY_LEVELS = ["CONFIDENTIAL", "HIGHLY CONFIDENTIAL – ATTORNEYS' EYES ONLY"] as const;

/** The longest privilege log description, and the longest confidentiality level (as the vault allows). */
export const MAX_LOG_DESCRIPTION = 1000;
export const MAX_CONFIDENTIALITY = 100;

/** The confidentiality select's value for a level typed in. */
export const OTHER_LEVEL = "other";

/** The form: a privilege ("" for none), withheld, the description, and the level chosen ("" none, a common one, or OTHER_LEVEL with `otherLevel`). */
export interface DesignationDraft {
  privilege: PrivilegeBasis | "";
  withheld: boolean;
  description: string;
  level: string;
  otherLevel: string;
}

/** A field of the form a problem is about. */
export type DesignationField = "privilege" | "description" | "level";

export interface DesignationProblem {
  fields: DesignationField[];
  message: string;
}

/** No designation: what an exhibit has until one is made. */
export function noDesignation(): Designation {
  return { privilege: null, withheld: false, log_description: "", confidentiality: null };
}

/** Whether nothing is designated. */
export function isUndesignated(d: Designation): boolean {
  return sameDesignation(d, noDesignation());
}

/** Whether two designations are the same. */
export function sameDesignation(a: Designation, b: Designation): boolean {
  return a.privilege === b.privilege && a.withheld === b.withheld && a.log_description === b.log_description && a.confidentiality === b.confidentiality;
}

/** A privilege as the privilege log words it. */
export function privilegeWords(p: PrivilegeBasis): string {
  return PRIVILEGES.find((x) => x.value === p)?.label ?? p;
}

/** The form filled in with a designation. */
export function toDraft(d: Designation): DesignationDraft {
  const c = d.confidentiality;
  const common = c !== null && (CONFIDENTIALITY_LEVELS as readonly string[]).includes(c);
  return {
    privilege: d.privilege ?? "",
    withheld: d.withheld,
    description: d.log_description,
    level: c === null ? "" : common ? c : OTHER_LEVEL,
    otherLevel: c !== null && !common ? c : "",
  };
}

/** The designation the form makes: the description and a level typed in without spaces around them. */
export function fromDraft(f: DesignationDraft): Designation {
  return {
    privilege: f.privilege === "" ? null : f.privilege,
    withheld: f.withheld,
    log_description: f.description.trim(),
    confidentiality: f.level === "" ? null : f.level === OTHER_LEVEL ? f.otherLevel.trim() : f.level,
  };
}

const count = (s: string) => [...s].length;

/** What the vault would refuse the form's designation for, in its words (none: it may be saved). */
export function designationProblems(f: DesignationDraft): DesignationProblem[] {
  const d = fromDraft(f);
  const out: DesignationProblem[] = [];
  if (d.withheld && d.privilege === null)
    out.push({ fields: ["privilege"], message: "A withheld document needs the privilege claimed for it (attorney-client, work product or common interest)." });
  if (d.withheld && d.log_description === "")
    out.push({
      fields: ["description"],
      message: "A withheld document needs a description for the privilege log (what it is, never its privileged content).",
    });
  if (count(d.log_description) > MAX_LOG_DESCRIPTION)
    out.push({ fields: ["description"], message: `The privilege log description is at most ${formatCount(MAX_LOG_DESCRIPTION)} characters (it has ${formatCount(count(d.log_description))}).` });
  if (/[^\P{Cc}\n]/u.test(d.log_description))
    out.push({ fields: ["description"], message: "The privilege log description has a control character (a tab, for instance); only line breaks may stay." });
  const level = d.confidentiality;
  if (level !== null) {
    if (level === "") out.push({ fields: ["level"], message: "Type the confidentiality level, or choose none." });
    else if (count(level) > MAX_CONFIDENTIALITY)
      out.push({ fields: ["level"], message: `A confidentiality level is at most ${MAX_CONFIDENTIALITY} characters (it has ${count(level)}).` });
    else if (/\p{Cc}/u.test(level)) out.push({ fields: ["level"], message: "A confidentiality level has no control characters." });
  }
  return out;
}
