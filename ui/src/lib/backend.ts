/**
 * The one interface the UI talks to. Its types come from the generated
 * bindings (bindings.ts, made from the Rust types); this module only
 * unwraps results into values or a thrown BackendError, and turns the
 * progress channels into plain callbacks. Tests install a mock with
 * setBackend().
 */
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  type AcceptNewKey,
  events,
  type BundleCheck,
  type BundleSource,
  type ErrorCode,
  type ExportBundleRequest,
  type ExportResult,
  type ImportSummary,
  type IntakeRequest,
  type IntakeSummary,
  type JobEvent,
  type LockReason,
  type ProcessReport,
  type ProcessRequest,
  type Selection,
  type TagRequest,
  type VerifyMode,
  type VerifyReport,
  type WireError,
} from "./bindings";

/** A command failed; `code` is stable, `message` is for people. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

type Commands = typeof commands;
type Unwrap<F> = F extends (...args: infer A) => Promise<infer R>
  ? [Extract<R, { status: "ok" }>] extends [never]
    ? (...args: A) => Promise<R>
    : (...args: A) => Promise<Extract<R, { status: "ok" }> extends { data: infer T } ? T : never>
  : never;

type Streaming = "intake" | "processExhibits" | "verifyVault" | "exportBundle" | "importBundle" | "verifyBundle" | "tagExhibits";

export type Backend = { [K in Exclude<keyof Commands, Streaming>]: Unwrap<Commands[K]> } & {
  intake(request: IntakeRequest, onEvent: (e: JobEvent) => void): Promise<IntakeSummary>;
  /** Progress counts exhibits: `begin.files` those named (0 for "all not processed yet"), `progress.items` those done, items found inside included (so it can pass the total). */
  processExhibits(request: ProcessRequest, onEvent: (e: JobEvent) => void): Promise<ProcessReport>;
  /** Progress counts exhibits (`begin.files`, `progress.bytes` = exhibits done). */
  tagExhibits(request: TagRequest, onEvent: (e: JobEvent) => void): Promise<number>;
  /** `reextract`: also run every processed exhibit's extractors again and report an output that changed. */
  verifyVault(mode: VerifyMode, reextract: boolean, onEvent: (e: JobEvent) => void): Promise<VerifyReport>;
  exportBundle(request: ExportBundleRequest, onEvent: (e: JobEvent) => void): Promise<ExportResult>;
  /** `accept`: the user's explicit acceptance of a producer's new seal key (after `producer_key_changed`). */
  importBundle(source: BundleSource, accept: AcceptNewKey | null, onEvent: (e: JobEvent) => void): Promise<ImportSummary>;
  verifyBundle(source: BundleSource, onEvent: (e: JobEvent) => void): Promise<BundleCheck>;
  /** Files or folders dropped on the window (held by the backend). */
  onDrop(cb: (selection: Selection) => void): Promise<() => void>;
  /** The vault locked (on demand or after idle time). */
  onLocked(cb: (reason: LockReason) => void): Promise<() => void>;
};

/** Turns anything a command rejected with into a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const w = e as WireError;
    return new BackendError(w.code, w.message);
  }
  // Framework-level failures (ACL denial, bad arguments) arrive as strings.
  return new BackendError("internal", e instanceof Error ? e.message : String(e));
}

async function unwrap<T>(p: Promise<{ status: "ok"; data: T } | { status: "error"; error: unknown }>): Promise<T> {
  let r;
  try {
    r = await p;
  } catch (e) {
    throw toBackendError(e);
  }
  if (r.status === "error") throw toBackendError(r.error);
  return r.data;
}

function channel(onEvent: (e: JobEvent) => void): Channel<JobEvent> {
  const ch = new Channel<JobEvent>();
  ch.onmessage = onEvent;
  return ch;
}

/** The backend of the running app (tauri IPC). */
export function tauriBackend(): Backend {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(commands)) {
    wrapped[name] = async (...args: unknown[]) => {
      const out = (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      const r = await out.catch((e: unknown) => {
        throw toBackendError(e);
      });
      if (r && typeof r === "object" && "status" in r) {
        return unwrap(Promise.resolve(r as { status: "ok"; data: unknown } | { status: "error"; error: unknown }));
      }
      return r;
    };
  }
  const b = wrapped as unknown as Backend;
  b.intake = (request, onEvent) => unwrap(commands.intake(request, channel(onEvent)));
  b.tagExhibits = (request, onEvent) => unwrap(commands.tagExhibits(request, channel(onEvent)));
  b.processExhibits = (request, onEvent) => unwrap(commands.processExhibits(request, channel(onEvent)));
  b.verifyVault = (mode, reextract, onEvent) => unwrap(commands.verifyVault(mode, reextract, channel(onEvent)));
  b.exportBundle = (request, onEvent) => unwrap(commands.exportBundle(request, channel(onEvent)));
  b.importBundle = (source, accept, onEvent) => unwrap(commands.importBundle(source, accept, channel(onEvent)));
  b.verifyBundle = (source, onEvent) => unwrap(commands.verifyBundle(source, channel(onEvent)));
  b.onDrop = (cb) => events.dropEvent.listen((e) => cb(e.payload.selection));
  b.onLocked = (cb) => events.lockedEvent.listen((e) => cb(e.payload.reason));
  return b;
}

let current: Backend | null = null;

/** The backend in use (the tauri one unless a test installed another). */
export function backend(): Backend {
  if (!current) current = tauriBackend();
  return current;
}

/** Installs a backend (tests install a mock). */
export function setBackend(b: Backend | null): void {
  current = b;
}
