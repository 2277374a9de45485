/**
 * Adding or removing one tag on a set of exhibits as one job (each change
 * logged by the vault), and the words that say how it went: shared by the
 * exhibit table and the search results.
 */
import { backend, toBackendError } from "./backend";
import { formatCount } from "./format";
import type { JobTracker } from "./job.svelte";

/** How a tagging job ended: a result to show, or why it stopped. */
export type TagOutcome = { result: string; error: null } | { result: null; error: string };

/** Runs the tagging job on `job` for `ids` and says how it went. */
export async function tagExhibits(job: JobTracker, ids: string[], mode: "add" | "remove", name: string): Promise<TagOutcome> {
  const request = { ids, add_tags: mode === "add" ? [name] : [], remove_tags: mode === "remove" ? [name] : [] };
  try {
    const changed = await job.run("tagging", (onEvent) => backend().tagExhibits(request, onEvent), { blocking: false });
    const noun = changed === 1 ? "exhibit" : "exhibits";
    return { result: `Tag “${name}” ${mode === "add" ? "added" : "removed"}: ${formatCount(changed)} ${noun} processed.`, error: null };
  } catch (e) {
    const err = toBackendError(e);
    const done = job.bytes;
    const error =
      err.code === "cancelled"
        ? `Cancelled after ${formatCount(done)} of ${formatCount(ids.length)} exhibits; those are tagged and logged, the rest are not.`
        : done > 0
          ? `Stopped after ${formatCount(done)} of ${formatCount(ids.length)} exhibits (those are tagged and logged): ${err.message}`
          : `Tags were not changed: ${err.message}`;
    return { result: null, error };
  }
}
