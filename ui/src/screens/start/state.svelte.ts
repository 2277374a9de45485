/**
 * The start screen's state and rules: what its panels share (one action at a
 * time, the app info), how a vault to unlock is named to the backend, and
 * the checks and request of the create form, and how the firm database's
 * matters are shown. The rules are plain functions, tested alone.
 */
import { backend, toBackendError } from "../../lib/backend";
import {
  MIN_PASSPHRASE_CHARS,
  type CreateVaultRequest,
  type FirmMatter,
  type JoinFirmRequest,
  type PickPurpose,
  type RecentVault,
  type Selection,
  type VaultSummary,
  type VaultTarget,
} from "../../lib/bindings";
import { formatLocal, parseTime, plural, sentence } from "../../lib/format";
import { reset } from "../../lib/router.svelte";
import { opened, session } from "../../lib/session.svelte";
import type { Score } from "../../lib/strength";

/** The lowest strength score (0–4) accepted for a new vault. */
export const MIN_SCORE = 3;
export const WRONG_PASSPHRASE = "Wrong passphrase. Check caps lock and try again.";

/** What the screen is doing; one thing at a time: the key derivation alone takes about a second. */
export type Busy = "unlock" | "pick" | "forget" | "create" | "demo" | "matters" | "join";

/** Backend messages are lower-case clauses; show them as sentences. */
export function problem(e: unknown): string {
  return sentence(toBackendError(e).message);
}

/** A vault was unlocked or created: on to its dashboard. */
export function enter(summary: VaultSummary): void {
  opened(summary);
  reset("dashboard");
}

/** What a native dialog gave: the paths chosen (null when cancelled), or why it failed. */
export interface Picked {
  picked: Selection | null;
  error: string | null;
}

/** What the start screen's panels share. */
export class StartState {
  busy = $state<Busy | null>(null);
  infoError = $state<string | null>(null);

  /**
   * Reads the app info again: the recent list may have changed since the
   * app started (a vault was created or opened, then locked). Only the info
   * is replaced: the open vault is the business of whoever unlocks it.
   */
  readInfo(): Promise<void> {
    return backend()
      .appInfo()
      .then(
        (info) => {
          session.info = info;
          this.infoError = null;
        },
        (e: unknown) => {
          if (!session.info) this.infoError = problem(e);
        },
      );
  }

  /**
   * Asks for paths in a native dialog, the screen busy meanwhile. A failure
   * is returned as a message, never thrown. The caller checks that the
   * screen is idle first.
   */
  async pick(purpose: PickPurpose): Promise<Picked> {
    this.busy = "pick";
    try {
      return { picked: await backend().pickPaths(purpose), error: null };
    } catch (e) {
      return { picked: null, error: problem(e) };
    } finally {
      this.busy = null;
    }
  }
}

// ------------------------------------------------------------ open

/**
 * The vault to unlock. A folder chosen in a dialog is a single-use
 * selection: once an attempt has used it, `token` is null and Unlock asks
 * for the folder again. A typed path gets a fresh selection per attempt.
 */
export type Target =
  | { kind: "recent"; vaultId: string; path: string }
  | { kind: "picked"; token: string | null; path: string }
  | { kind: "typed"; path: string };

/** The wire target for an attempt, or null when the user cancelled a dialog. */
export async function wireTarget(t: Target): Promise<VaultTarget | null> {
  if (t.kind === "recent") return { kind: "recent", vault_id: t.vaultId };
  if (t.kind === "typed") return { kind: "selection", token: (await backend().typedPath(t.path)).token };
  if (t.token) return { kind: "selection", token: t.token };
  const again = await backend().pickPaths("open_vault");
  if (!again) return null;
  t.path = again.paths[0] ?? t.path;
  return { kind: "selection", token: again.token };
}

/** What to say when an unlock failed, and whether it was the passphrase. */
export function unlockFailure(e: unknown): { message: string; wrongPassphrase: boolean } {
  const err = toBackendError(e);
  const wrongPassphrase = err.code === "wrong_passphrase";
  return { message: wrongPassphrase ? WRONG_PASSPHRASE : sentence(err.message), wrongPassphrase };
}

/** An RFC 3339 time in local time, or the text as stored when it is not a time. */
function localTime(iso: string): string {
  const date = parseTime(iso);
  return date ? formatLocal(date) : iso;
}

/** When a recent vault was last opened, in local time. */
export function lastOpened(r: RecentVault): string {
  return localTime(r.last_opened);
}

// ------------------------------------------------------------ create

/** The create form's fields as typed. */
export interface CreateForm {
  matter: string;
  matterNumber: string;
  examiner: string;
  prefix: string;
  passphrase: string;
  confirmation: string;
  recovery: string;
}

/** A passphrase's length as the backend counts it (characters, not UTF-16 units). */
export function passphraseLength(passphrase: string): number {
  return [...passphrase].length;
}

export function badPrefix(prefix: string): boolean {
  return prefix.trim() !== "" && !/^[A-Za-z0-9_-]{1,16}$/.test(prefix.trim());
}

export function badRecovery(recovery: string): boolean {
  return recovery.trim() !== "" && !recovery.trim().startsWith("age1");
}

export function mismatch(f: Pick<CreateForm, "passphrase" | "confirmation">): boolean {
  return f.confirmation !== "" && f.confirmation !== f.passphrase;
}

/** Why "Create vault" is disabled, or null when the form is complete. */
export function createBlocker(f: CreateForm, folderChosen: boolean, score: Score): string | null {
  const length = passphraseLength(f.passphrase);
  if (!f.matter.trim()) return "Enter the matter name.";
  if (!f.examiner.trim()) return "Enter the examiner's name.";
  if (!folderChosen) return "Choose a folder for the vault.";
  if (length < MIN_PASSPHRASE_CHARS) return `The passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters (${length} so far).`;
  if (score < MIN_SCORE) return "The passphrase is too weak: it must be rated at least “Strong”.";
  if (!f.confirmation) return "Type the passphrase again under “Confirm passphrase”.";
  if (mismatch(f)) return "The passphrases do not match.";
  if (badPrefix(f.prefix)) return "The exhibit number prefix must be 1 to 16 letters, digits, “-” or “_”.";
  if (badRecovery(f.recovery)) return "A recovery key starts with “age1”.";
  return null;
}

const optional = (value: string) => (value.trim() === "" ? null : value.trim());

/** The request that creates the vault in `folder` (a selection token). */
export function createRequest(f: CreateForm, folder: string): CreateVaultRequest {
  return {
    folder,
    matter: f.matter.trim(),
    matter_number: optional(f.matterNumber),
    examiner: f.examiner.trim(),
    passphrase: f.passphrase,
    recovery_recipient: optional(f.recovery),
    exhibit_prefix: optional(f.prefix),
  };
}

// ------------------------------------------------------------ firm matters

/** When a firm matter's catalog was made in the firm database, in local time. */
export function matterCreated(m: FirmMatter): string {
  return localTime(m.created);
}

/** "1 change", "42 changes". */
export function matterChanges(m: FirmMatter): string {
  return plural(m.changes, "change", "changes");
}

/** The copy of a firm matter already on this computer (in the recent list), if any. */
export function copyHere(m: FirmMatter, recent: readonly RecentVault[]): RecentVault | null {
  return recent.find((r) => r.vault_id === m.vault_id) ?? null;
}

/** Why "Join matter" is disabled, or null when it can be joined. */
export function joinBlocker(folderChosen: boolean, passphrase: string): string | null {
  if (!folderChosen) return "Choose an empty folder for this computer's copy.";
  if (!passphrase) return "Enter your passphrase to the matter.";
  return null;
}

/** The request that makes this computer's copy of matter `vaultId` in `folder` (selection tokens). */
export function joinRequest(config: string, vaultId: string, folder: string, passphrase: string): JoinFirmRequest {
  return { config, vault_id: vaultId, folder, passphrase };
}
