/**
 * Runs only the last of several calls, once `ms` have passed without
 * another: typed filter text is applied when the typing pauses.
 */
export function afterPause(ms: number): { run: (fn: () => void) => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    run(fn) {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}
