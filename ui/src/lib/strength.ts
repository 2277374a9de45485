/**
 * Passphrase strength estimates with zxcvbn-ts. The estimator and its
 * dictionaries (several hundred kB) are loaded on first use only.
 */
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { formatDuration } from "./format";

export type Score = 0 | 1 | 2 | 3 | 4;

export const SCORE_LABELS: Record<Score, string> = {
  0: "Very weak",
  1: "Weak",
  2: "Fair",
  3: "Strong",
  4: "Very strong",
};

export interface Strength {
  score: Score;
  label: string;
  /** Estimated time for an offline attack against a slow password hash. */
  crackTime: string;
  crackSeconds: number;
}

let estimator: Promise<ZxcvbnFactory> | null = null;

function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary },
        graphs: common.adjacencyGraphs,
      }),
  );
  // A failed load (e.g. a missing chunk) may be retried on the next call.
  estimator.catch(() => {
    estimator = null;
  });
  return estimator;
}

/**
 * Estimates the strength of `passphrase`. `userInputs` are words an attacker
 * would try first (the matter name, the examiner's name).
 */
export async function estimateStrength(passphrase: string, userInputs: string[] = []): Promise<Strength> {
  const zxcvbn = await loadEstimator();
  const result = zxcvbn.check(passphrase, userInputs);
  const score = result.score as Score;
  const crackSeconds = result.crackTimes.offlineSlowHashingXPerSecond.seconds;
  return {
    score,
    label: SCORE_LABELS[score],
    crackTime: formatDuration(crackSeconds),
    crackSeconds,
  };
}
