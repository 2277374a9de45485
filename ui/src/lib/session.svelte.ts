/**
 * What the whole UI shares about the session: app info (settings, recent
 * vaults), the open vault, selections dropped on the window that the
 * intake screen has not taken yet, and the long job running (if any).
 */
import type { AppInfo, Selection, VaultSummary } from "./bindings";
import { backend } from "./backend";

export const session: {
  info: AppInfo | null;
  vault: VaultSummary | null;
  drops: Selection[];
  /** The long job running (intake, verification, export, import): the
   * screen showing it stays until it ends, so its result is not lost. */
  job: string | null;
} = $state({ info: null, vault: null, drops: [], job: null });

/** A long job started on the current screen. */
export function beginJob(name: string): void {
  session.job = name;
}

/** The long job ended (finished, failed or cancelled). */
export function endJob(): void {
  session.job = null;
}

/** Reloads app info (settings, recent vaults, open vault). */
export async function refreshInfo(): Promise<AppInfo> {
  const info = await backend().appInfo();
  session.info = info;
  session.vault = info.open;
  return info;
}

/** A vault was unlocked or created. */
export function opened(v: VaultSummary): void {
  session.vault = v;
  session.drops = [];
}

const forgetters = new Set<() => void>();

/** Registers what to forget when the vault locks (what was read out of its exhibits). */
export function forgetOnClose(forget: () => void): void {
  forgetters.add(forget);
}

/** The vault locked: forget everything of it. */
export function closed(): void {
  session.vault = null;
  session.drops = [];
  session.job = null;
  for (const forget of forgetters) forget();
}

/** Takes the dropped selections waiting for the intake screen. */
export function takeDrops(): Selection[] {
  const d = session.drops;
  session.drops = [];
  return d;
}
