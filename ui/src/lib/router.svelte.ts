/**
 * The app's screen state. There are no URLs: the current screen and its
 * parameters live here, and `go` moves between them.
 */

export type Screen =
  | "start"
  | "dashboard"
  | "intake"
  | "exhibits"
  | "exhibit"
  | "search"
  | "timeline"
  | "verify"
  | "log"
  | "export"
  | "bundles"
  | "import"
  | "settings";

export type Params = Record<string, string>;

export interface Route {
  screen: Screen;
  params: Params;
}

const HISTORY_LIMIT = 50;

export const router: Route = $state({ screen: "start", params: {} });

let history: Route[] = [];

/** Shows `screen` with `params` (e.g. `go("exhibit", { id: "EX-0007" })`). */
export function go(screen: Screen, params: Params = {}): void {
  if (screen === router.screen && sameParams(params, router.params)) return;
  history.push({ screen: router.screen, params: router.params });
  if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
  router.screen = screen;
  router.params = { ...params };
}

/** Shows `screen` in place of the current one (stepping through a list:
 * "back" still returns to where the stepping began). */
export function replace(screen: Screen, params: Params = {}): void {
  router.screen = screen;
  router.params = { ...params };
}

/** Returns to the previous screen; returns false when there is none. */
export function back(): boolean {
  const previous = history.pop();
  if (!previous) return false;
  router.screen = previous.screen;
  router.params = previous.params;
  return true;
}

/** Forgets the history and shows `screen` (e.g. the start screen on lock). */
export function reset(screen: Screen = "start", params: Params = {}): void {
  history = [];
  router.screen = screen;
  router.params = { ...params };
}

function sameParams(a: Params, b: Params): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
