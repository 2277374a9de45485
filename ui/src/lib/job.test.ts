import { afterEach, describe, expect, it } from "vitest";
import { BackendError, setBackend } from "./backend";
import { JobTracker } from "./job.svelte";
import { createMockBackend } from "./mock-backend";
import { session } from "./session.svelte";

afterEach(() => {
  setBackend(null);
  session.job = null;
});

describe("JobTracker", () => {
  it("counts what the events report and starts afresh on each run", async () => {
    const job = new JobTracker();
    await job.run("intake", async (on) => {
      expect(session.job).toBe("intake");
      on({ type: "begin", files: 3, bytes: 300 });
      on({ type: "file_started", path: "/evidence/mail/specs.eml", size: 100 });
      on({ type: "progress", bytes: 200, items: 0 });
      on({ type: "file_done", path: "a", outcome: { outcome: "stored", exhibit: "EX-0001", sha256: "a" } });
      on({ type: "file_done", path: "b", outcome: { outcome: "duplicate", exhibit: "EX-0001", sha256: "a" } });
      on({ type: "file_done", path: "c", outcome: { outcome: "failed", reason: "vanished" } });
    });
    expect([job.totalFiles, job.totalBytes, job.bytes, job.filesDone]).toEqual([3, 300, 200, 3]);
    expect([job.stored, job.duplicates, job.failed]).toEqual([1, 1, 1]);
    expect(job.currentName).toBe("specs.eml");
    expect(job.byBytes).toBe(true);
    expect(session.job).toBeNull();
    await job.run("verification", async (on) => {
      expect(job.filesDone).toBe(0);
      // Items without outcomes of their own (exhibits checked) come counted.
      on({ type: "progress", bytes: 10, items: 2 });
      expect(job.filesDone).toBe(2);
      on({ type: "progress", bytes: 10, items: 1 });
      expect(job.filesDone).toBe(2);
    });
    expect([job.totalBytes, job.current, job.byBytes]).toEqual([null, null, false]);
  });

  it("ends the session's job when the work fails", async () => {
    const job = new JobTracker();
    await expect(job.run("export", async () => Promise.reject(new BackendError("cancelled", "cancelled")))).rejects.toThrow("cancelled");
    expect(session.job).toBeNull();
  });

  it("cancel asks once and says why it could not", async () => {
    const mock = createMockBackend();
    let asked = 0;
    mock.cancelJob = async () => {
      asked += 1;
      throw new BackendError("internal", "the backend is gone");
    };
    setBackend(mock);
    const job = new JobTracker();
    expect(await job.cancel()).toBe("The backend is gone.");
    expect(job.cancelling).toBe(false);
    mock.cancelJob = async () => {
      asked += 1;
      return true;
    };
    expect(await job.cancel()).toBeNull();
    expect(job.cancelling).toBe(true);
    expect(await job.cancel()).toBeNull();
    expect(asked).toBe(2);
  });
});
