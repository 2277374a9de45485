/**
 * One long backend job (intake, verification, export, import) as a screen
 * sees it: the progress its events report, what became of each file, and
 * cancelling. While it runs it is the session's job, so the navigation
 * waits for it (see session.job).
 */
import { backend, toBackendError } from "./backend";
import type { JobEvent } from "./bindings";
import { sentence } from "./format";
import { beginJob, endJob } from "./session.svelte";

export class JobTracker {
  /** Files (or exhibits) the job will handle, once it says. */
  totalFiles = $state(0);
  /** Bytes it will handle; null until it says. */
  totalBytes = $state<number | null>(null);
  /** Bytes done so far. */
  bytes = $state(0);
  /** Files finished (whatever their outcome). */
  filesDone = $state(0);
  /** The file being worked on (as the backend names it). */
  current = $state<string | null>(null);
  /** Outcomes so far. */
  stored = $state(0);
  duplicates = $state(0);
  failed = $state(0);
  /** A cancel was asked for and the job has not ended yet. */
  cancelling = $state(false);

  /** The current file's last path component. */
  get currentName(): string | null {
    return this.current === null ? null : this.current.split(/[\\/]/).pop() || this.current;
  }

  /** Whether the job reported a byte total to measure progress by. */
  get byBytes(): boolean {
    return this.totalBytes !== null && this.totalBytes > 0;
  }

  reset(): void {
    this.totalFiles = 0;
    this.totalBytes = null;
    this.bytes = 0;
    this.filesDone = 0;
    this.current = null;
    this.stored = 0;
    this.duplicates = 0;
    this.failed = 0;
    this.cancelling = false;
  }

  /** Takes one event of the job's progress channel. */
  onEvent = (e: JobEvent): void => {
    switch (e.type) {
      case "begin":
        this.totalFiles = e.files;
        this.totalBytes = e.bytes;
        break;
      case "file_started":
        this.current = e.path;
        break;
      case "progress":
        this.bytes = e.bytes;
        // Items finished without an outcome of their own (exhibits checked).
        this.filesDone = Math.max(this.filesDone, e.items);
        break;
      case "file_done":
        this.filesDone += 1;
        if (e.outcome.outcome === "stored") this.stored += 1;
        else if (e.outcome.outcome === "duplicate") this.duplicates += 1;
        else this.failed += 1;
        break;
    }
  };

  /** Whether a job runs on this tracker. */
  running = $state(false);

  /**
   * Runs `work` (which starts the backend command with `onEvent`) as the
   * session's long job called `name` ("export"), from a fresh count. A job
   * that leaves the app usable (`blocking: false`, tagging) is not the
   * session's job: the navigation does not wait for it.
   */
  async run<T>(name: string, work: (onEvent: (e: JobEvent) => void) => Promise<T>, options: { blocking?: boolean } = {}): Promise<T> {
    const blocking = options.blocking ?? true;
    this.reset();
    this.running = true;
    if (blocking) beginJob(name);
    try {
      return await work(this.onEvent);
    } finally {
      this.cancelling = false;
      this.running = false;
      if (blocking) endJob();
    }
  }

  /** Asks the backend to stop the job; returns why it could not, or null. */
  async cancel(): Promise<string | null> {
    if (this.cancelling) return null;
    this.cancelling = true;
    try {
      await backend().cancelJob();
      return null;
    } catch (e) {
      this.cancelling = false;
      return sentence(toBackendError(e).message);
    }
  }
}
