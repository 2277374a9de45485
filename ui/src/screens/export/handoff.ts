/**
 * Opening the export wizard with exhibits already chosen by another screen:
 * picked by hand (the Search screen's selection), or every exhibit a search
 * finds. The route names the exhibits picked (`picked`, their ids joined by
 * commas: an exhibit number holds none), with the listings the screen had
 * handed along, so the wizard knows at once which are in a family; or the
 * search (`search`, its query, and `search_name`, the saved search it is,
 * when it is one unchanged).
 */
import type { Exhibit } from "../../lib/bindings";
import { go, type Params } from "../../lib/router.svelte";

let handed = new Map<string, Exhibit>();

/** The route's parameters for the wizard with `ids` picked. */
export function pickedParams(ids: readonly string[]): Params {
  return { picked: ids.join(",") };
}

/** The ids a route's `picked` parameter names, in order, each once. */
export function pickedIds(param: string | undefined): string[] {
  return [...new Set((param ?? "").split(",").map((id) => id.trim()).filter(Boolean))];
}

/** Shows the export wizard with `ids` picked by hand. */
export function exportPicked(ids: readonly string[], rows: readonly Exhibit[] = []): void {
  const wanted = new Set(ids);
  handed = new Map(rows.filter((r) => wanted.has(r.id)).map((r) => [r.id, r]));
  go("export", pickedParams(ids));
}

/** The listings handed along for `ids` (taken once). */
export function takeHandedRows(ids: readonly string[]): Exhibit[] {
  const rows = ids.flatMap((id) => handed.get(id) ?? []);
  handed = new Map();
  return rows;
}

/** The route's parameters for the wizard with the exhibits `query` finds chosen, by the saved search `name` when it is one. */
export function searchParams(query: string, name: string | null = null): Params {
  return name ? { search: query, search_name: name } : { search: query };
}

/** Shows the export wizard with every exhibit `query` finds chosen (the saved search `name`, when it is that search unchanged). */
export function exportSearch(query: string, name: string | null = null): void {
  go("export", searchParams(query, name));
}
