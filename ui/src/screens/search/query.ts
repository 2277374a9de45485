/**
 * The Search screen's pure parts: the filters it offers as field clauses
 * added to the query on screen (so that what is searched is always exactly
 * what the user sees), the counts those filters show, the snippets' found
 * words, and the vault's reason for refusing a query.
 */
import type { BackendError } from "../../lib/backend";
import type { Exhibit } from "../../lib/bindings";
import { plural } from "../../lib/format";

/** How the vault's refusal of a query it cannot search exactly begins. */
export const REFUSED = "the query cannot be searched exactly: ";

/** Why the vault refused the query (its words after REFUSED), or null when the error is another. */
export function refusalReason(e: BackendError): string | null {
  if (e.code !== "invalid_input" || !e.message.startsWith(REFUSED)) return null;
  return e.message.slice(REFUSED.length).trim() || e.message;
}

/** The date fields, as the query language names them, with what each reads. */
export const DATE_FIELDS: readonly { field: string; label: string }[] = [
  { field: "collected", label: "Collected" },
  { field: "sent", label: "Sent" },
  { field: "received", label: "Received" },
  { field: "created", label: "Created" },
  { field: "modified", label: "Modified" },
  { field: "taken", label: "Taken (photos)" },
];

const OPERATORS = new Set(["AND", "OR", "NOT"]);

/**
 * A value as the query language reads it after `field:`: a single word as
 * it is, anything else as a "phrase". Quotes and `*` cannot stand inside a
 * phrase, and the index reads them as spaces anyway, so they become spaces.
 * Null: the value has no letter or digit to search for.
 */
export function fieldValue(value: string): string | null {
  const clean = value.replace(/["*]/g, " ").replace(/\s+/g, " ").trim();
  if (!/[\p{L}\p{N}]/u.test(clean)) return null;
  return /^[\p{L}\p{N}]+$/u.test(clean) && !OPERATORS.has(clean) ? clean : `"${clean}"`;
}

/** `field:value` for a filter (null: the value cannot be searched for). */
export function fieldClause(field: string, value: string): string | null {
  const v = fieldValue(value);
  return v === null ? null : `${field}:${v}`;
}

/** Whether `query` has an OR outside quotes and parentheses (a clause added after it must not bind to its last part only). */
export function hasTopLevelOr(query: string): boolean {
  let depth = 0;
  let word = "";
  const end = () => {
    const w = word;
    word = "";
    return depth === 0 && w === "OR";
  };
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (c === '"') {
      if (end()) return true;
      const close = query.indexOf('"', i + 1);
      if (close < 0) return false;
      i = close;
    } else if (c === "(" || c === ")" || /\s/.test(c)) {
      if (end()) return true;
      if (c === "(") depth++;
      else if (c === ")") depth = Math.max(0, depth - 1);
    } else {
      word += c;
    }
  }
  return end();
}

/**
 * The query with a clause added: every term must then match the clause too.
 * AND binds tighter than OR, so a query with an OR of its own is put in
 * parentheses first (`a OR b` becomes `(a OR b) custodian:x`, not `a OR (b
 * custodian:x)`).
 */
export function withClause(query: string, clause: string): string {
  const q = query.trim();
  if (!q) return clause;
  return hasTopLevelOr(q) ? `(${q}) ${clause}` : `${q} ${clause}`;
}

function escaped(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The clause as a whole term of the query (after the start, a space or a "(", before the end, a space or a ")"). */
function clausePattern(clause: string, andBefore: boolean): RegExp {
  return new RegExp(`(^|[\\s(])${andBefore ? "(?:AND\\s+)?" : ""}${escaped(clause)}(?=$|[\\s)])`);
}

/** Whether the query holds the clause as a whole term. */
export function hasClause(query: string, clause: string): boolean {
  return clausePattern(clause, false).test(query);
}

/** The query without the clause (and an AND written just before it). */
export function withoutClause(query: string, clause: string): string {
  const pattern = clausePattern(clause, true);
  let q = query;
  while (pattern.test(q)) q = q.replace(pattern, "$1");
  return q.replace(/\s+/g, " ").replace(/\(\s+/g, "(").replace(/\s+\)/g, ")").trim();
}

/** `collected:2025-05-01..2025-05-31` (one day: `collected:2025-05-01`; an end left open: `..2025-05-31`). */
export function dateClause(field: string, from: string, to: string): string {
  if (from && from === to) return `${field}:${from}`;
  return `${field}:${from}..${to}`;
}

/** What is wrong with a date range typed for a filter, or null. */
export function dateProblem(from: string, to: string): string | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!from && !to) return "Enter a first day, a last day or both.";
  if ((from && !day.test(from)) || (to && !day.test(to))) return "Write each day as YYYY-MM-DD.";
  if (from && to && from > to) return "The range ends before it begins.";
  return null;
}

/** A part of a snippet: text, found (a word the query matched) or not. */
export interface SnippetPart {
  text: string;
  found: boolean;
}

/**
 * A snippet in parts, the words the vault found between « and » marked
 * found. The snippet is exhibit text: it is only ever shown as text. A «
 * or » that opens or closes nothing is kept as text.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let text = "";
  let found = false;
  const push = () => {
    if (text) parts.push({ text, found });
    text = "";
  };
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i]!;
    if (c === "«" && !found && snippet.indexOf("»", i + 1) > i) {
      push();
      found = true;
    } else if (c === "»" && found) {
      push();
      found = false;
    } else {
      text += c;
    }
  }
  push();
  return parts;
}

/** One value of a filter over the results: how many results have it, and the clause that narrows to it. */
export interface FacetValue {
  value: string;
  count: number;
  clause: string;
}

/** The values of the results' custodians, types and tags, most common first. */
export interface Facets {
  custodians: FacetValue[];
  types: FacetValue[];
  tags: FacetValue[];
}

function counted(field: string, values: Iterable<string>): FacetValue[] {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  const out: FacetValue[] = [];
  for (const [value, count] of n) {
    const clause = fieldClause(field, value);
    if (clause !== null) out.push({ value, count, clause });
  }
  return out.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** The filters the results offer, counted over the listings read so far. */
export function facetsOf(listings: Iterable<Exhibit>): Facets {
  const rows = [...listings];
  return {
    custodians: counted(
      "custodian",
      rows.flatMap((e) => (e.custodian ? [e.custodian] : [])),
    ),
    types: counted(
      "type",
      rows.map((e) => e.mime),
    ),
    tags: counted(
      "tag",
      rows.flatMap((e) => [...new Set(e.tags)]),
    ),
  };
}

/** The first and last day the results were collected on (null: none read yet). */
export function collectedSpan(listings: Iterable<Exhibit>): { first: string; last: string } | null {
  let first: string | null = null;
  let last: string | null = null;
  for (const e of listings) {
    const day = e.collected_at.slice(0, 10);
    if (first === null || day < first) first = day;
    if (last === null || day > last) last = day;
  }
  return first === null || last === null ? null : { first, last };
}

/** Where an exhibit stands in its family, in words ("" when in none). */
export function familyText(e: Pick<Exhibit, "id" | "parent" | "family" | "members">): string {
  if (e.parent !== null) {
    const head = e.family !== e.id ? e.family : e.parent;
    return head === e.parent ? `in the family of ${head}` : `in the family of ${head} (found in ${e.parent})`;
  }
  if (e.members > 0) return `heads a family of ${plural(e.members + 1, "exhibit", "exhibits")}`;
  return "";
}
