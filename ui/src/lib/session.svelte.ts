/**
 * What the whole UI shares about the session: app info (settings, recent
 * vaults), the open vault, and selections dropped on the window that the
 * intake screen has not taken yet.
 */
import type { AppInfo, Selection, VaultSummary } from "./bindings";
import { backend } from "./backend";

export const session: {
  info: AppInfo | null;
  vault: VaultSummary | null;
  drops: Selection[];
} = $state({ info: null, vault: null, drops: [] });

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

/** The vault locked: forget everything of it. */
export function closed(): void {
  session.vault = null;
  session.drops = [];
}

/** Takes the dropped selections waiting for the intake screen. */
export function takeDrops(): Selection[] {
  const d = session.drops;
  session.drops = [];
  return d;
}
