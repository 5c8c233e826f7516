// For state the API server cannot watch (DNS answers, traffic through a Service): ask again until the answer
// is the awaited one or the deadline passes. The interval only paces the questions; each answer is observed.

export interface PollOptions<T> {
  /** What is awaited, as a reader of a failed run should see it. */
  description: string;
  probe: () => Promise<T>;
  done: (value: T) => boolean;
  timeoutMs: number;
  intervalMs?: number;
  /** How the last answer is shown when the deadline passes. */
  show?: (value: T) => string;
  /** How often to print that the wait goes on, as the watch-based waits do (0 = never). */
  progressEveryMs?: number;
  log?: (line: string) => void;
}

export interface Polled<T> {
  value: T;
  attempts: number;
  elapsedMs: number;
}

export class PollTimeoutError extends Error {
  constructor(description: string, timeoutMs: number, attempts: number, last: string) {
    super(`timed out after ${Math.round(timeoutMs / 1000)} s (${attempts} attempts) waiting for ${description}; ` +
      `last answer: ${last}`);
    this.name = 'PollTimeoutError';
  }
}

export async function pollUntil<T>(options: PollOptions<T>): Promise<Polled<T>> {
  const { description, probe, done, timeoutMs, intervalMs = 1000, show = (v: T) => JSON.stringify(v),
    progressEveryMs = 30_000, log = (line: string) => process.stderr.write(`${line}\n`) } = options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let attempts = 0;
  let lastProgress = started;
  let last: string;
  for (;;) {
    attempts += 1;
    const value = await probe();
    if (done(value)) return { value, attempts, elapsedMs: Date.now() - started };
    last = show(value);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new PollTimeoutError(description, timeoutMs, attempts, last);
    if (progressEveryMs > 0 && Date.now() - lastProgress >= progressEveryMs) {
      lastProgress = Date.now();
      log(`[wc] still waiting for ${description} (${Math.round((lastProgress - started) / 1000)}s of ` +
        `${Math.round(timeoutMs / 1000)}s): last answer ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}
