/**
 * Cleanup on Ctrl-C and SIGTERM. Jest does not run its global teardown when interrupted, so without
 * this an interrupted run would leave its namespaces (and a cluster it created) behind.
 */
export type InterruptCleanup = (signal: NodeJS.Signals) => Promise<void>;

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * One Ctrl-C arrives more than once: the terminal sends it to the whole process group, and npm and scripts/node.cjs
 * each pass it on to their child as well, all within milliseconds (seen: the cleanup cut short by "SIGINT again" on a
 * single Ctrl-C, a cordoned node left behind). Only a signal this long after the first is a person asking again.
 */
export const REPEAT_AFTER_MS = 1000;

export interface InterruptOptions {
  log?: (line: string) => void;
  exit?: (code: number) => void;
  /** Longest the cleanup may take before the process exits anyway. */
  limitMs?: number;
}

/** Installs the handler; returns a function that removes it (when the run ends normally). */
export function onInterrupt(cleanup: InterruptCleanup, options: InterruptOptions = {}): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const limitMs = options.limitMs ?? 240_000;
  let cleaning = false;
  let firstAt = 0;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

  const handler = (signal: NodeJS.Signals): void => {
    const code = EXIT_CODES[signal] ?? 1;
    if (cleaning) {
      if (Date.now() - firstAt < REPEAT_AFTER_MS) return; // the same signal, passed on by a parent process
      log(`[wc] ${signal} again: exiting without finishing the cleanup`);
      exit(code);
      return;
    }
    cleaning = true;
    firstAt = Date.now();
    log(`[wc] ${signal}: cleaning up this run before exiting (press Ctrl-C again to exit at once)`);
    const limit = setTimeout(() => {
      log(`[wc] cleanup did not finish in ${Math.round(limitMs / 1000)}s; exiting (the next run's sweep removes the rest)`);
      exit(code);
    }, limitMs);
    cleanup(signal)
      .then(() => log('[wc] cleanup done'), (err: unknown) => log(`[wc] cleanup failed: ${(err as Error)?.message ?? err}`))
      .finally(() => {
        clearTimeout(limit);
        exit(code);
      });
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
