/**
 * What the bundle screens (check and import) share: the bundle and key file
 * chosen, the wire source made of them, and the commands that check a bundle
 * without Custos.
 */
import { backend, toBackendError } from "./backend";
import type { BundleCheck, BundleSource, SealKeyPinning, Selection } from "./bindings";
import { sentence } from "./format";
import type { JobTracker } from "./job.svelte";

/** A file or folder chosen in a dialog or typed: a backend selection and its path. */
export interface Chosen {
  token: string;
  path: string;
}

/** The first path of a selection, with its token. */
export function chosen(selection: Selection): Chosen {
  return { token: selection.token, path: selection.paths[0] ?? "" };
}

/** The wire source for `verifyBundle` / `importBundle` (an empty passphrase or key fingerprint is none). */
export function bundleSource(bundle: Chosen, identity: Chosen | null, passphrase: string, expectKey = ""): BundleSource {
  return {
    bundle: bundle.token,
    identity: identity?.token ?? null,
    passphrase: passphrase === "" ? null : passphrase,
    expect_key: expectKey.trim() === "" ? null : expectKey.trim(),
  };
}

/** What a seal key's standing against the pinned key means, in words. */
export function pinningText(fingerprint: string, pinning: SealKeyPinning): string {
  switch (pinning) {
    case "not_pinned":
      return `Sealed by key ${fingerprint} — not pinned: compare it with the fingerprint the producing party gave you.`;
    case "matches_pinned":
      return `Sealed by key ${fingerprint} — matches the pinned key.`;
    case "differs_from_pinned":
      return `Sealed by key ${fingerprint} — does not match the pinned key.`;
  }
}

/** Whether a path names an age-encrypted bundle (`.age`). */
export function looksEncrypted(path: string): boolean {
  return /\.age$/i.test(path.trim());
}

/** A word for a POSIX shell: as is when safe, otherwise in single quotes. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The OpenSSH command that checks the seal, run inside the bag folder. */
export function sealCommand(identity: string): string {
  return (
    `ssh-keygen -Y verify -f seal/allowed_signers -I ${shellWord(identity)} ` +
    "-n custos-bundle -s seal/tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt"
  );
}

/** The OpenSSH command that checks the custody checkpoint's signature, run inside the bag folder. */
export function checkpointCommand(identity: string): string {
  return (
    `ssh-keygen -Y verify -f seal/allowed_signers -I ${shellWord(identity)} ` +
    "-n custos-checkpoint -s data/custody/checkpoint.json.sig < data/custody/checkpoint.json"
  );
}

/** The bundle's own custody checker (Python 3 standard library only), run inside the bag folder. */
export const CUSTODY_SCRIPT_COMMAND = "python3 verify_custody.py";

/** The Library of Congress BagIt validator's command, run next to the bag folder. */
export function bagitCommand(bag: string): string {
  return `bagit.py --validate ${shellWord(bag)}`;
}

/** What to say when the backend no longer holds the chosen bundle (and key). */
export function chooseAgain(message: string, identity: Chosen | null): string {
  return `${sentence(message)} Choose the bundle${identity ? " and the key file" : ""} again.`;
}

/** What checking a bundle came to: its result, or what to tell the user. */
export type CheckOutcome =
  | { check: BundleCheck }
  | {
      /** For the user; empty when the check was cancelled. */
      problem: string;
      cancelled: boolean;
      /** The backend no longer holds the selections: choose them again. */
      forget: boolean;
    };

/** Checks a bundle as the session's long job (progress in `job`). */
export async function checkBundle(
  job: JobTracker,
  bundle: Chosen,
  identity: Chosen | null,
  passphrase: string,
  expectKey = "",
): Promise<CheckOutcome> {
  try {
    return {
      check: await job.run("bundle check", (onEvent) => backend().verifyBundle(bundleSource(bundle, identity, passphrase, expectKey), onEvent)),
    };
  } catch (e) {
    const err = toBackendError(e);
    if (err.code === "cancelled") return { problem: "", cancelled: true, forget: false };
    if (err.code === "stale_selection")
      return { problem: chooseAgain(err.message, identity), cancelled: false, forget: true };
    return { problem: sentence(err.message), cancelled: false, forget: false };
  }
}
