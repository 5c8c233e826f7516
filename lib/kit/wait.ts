import type { AnyObject } from './describe.ts';
import { summarizeObject } from './describe.ts';
import { connect, isTransient, retrying, statusOf } from './kube.ts';
import { currentRun } from './run-context.ts';

/**
 * What a predicate says about the current set of watched objects:
 * done (with the value the wait resolves to), not yet (with an optional note for progress output), or
 * fatal: a state that can never turn into the awaited one, so the wait stops at once with the reason.
 */
export type WaitOutcome<V> = { done: true; value: V } | { done: false; note?: string } | { fatal: string };
export type Predicate<T, V> = (items: T[]) => WaitOutcome<V>;

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

/** The part of client-node's Watch that waitFor uses (so tests can feed synthetic events). */
export interface Watcher {
  watch(path: string, query: Record<string, unknown>, callback: (type: string, obj: unknown) => void,
    done: (err: unknown) => void): Promise<AbortController>;
}

/** Where the objects come from: see sources.ts for pods, endpoint slices, nodes, ... */
export interface WaitSource<T> {
  list: () => Promise<ListResult<T>>;
  watchPath: string;
  watchQuery?: Record<string, string>;
  /** Defaults to a watch on the current run's cluster (see run-context.ts). */
  watch?: Watcher;
  /** Kind of the objects, for messages (list items carry no kind). */
  kind?: string;
}

export interface WaitSpec<T, V> extends WaitSource<T> {
  /** What is awaited, in words: it heads progress lines and errors. */
  description: string;
  /** Called with every object currently matched, after the list and after each watch event. */
  predicate: Predicate<T, V>;
  timeoutMs: number;
  /** How often to print that the wait goes on (0 = never). */
  progressEveryMs?: number;
  log?: (line: string) => void;
  /** Stops the wait (WaitAbandonedError, the signal's reason) when whatever it awaited can no longer come. */
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  readonly description: string;
  readonly lastSeen: string;

  constructor(description: string, timeoutMs: number, lastSeen: string) {
    super(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${description}\nlast seen:\n${lastSeen}`);
    this.name = 'WaitTimeoutError';
    this.description = description;
    this.lastSeen = lastSeen;
  }
}

export class WaitFatalError extends Error {
  readonly description: string;
  readonly reason: string;
  readonly lastSeen: string;

  constructor(description: string, reason: string, lastSeen: string) {
    super(`gave up waiting for ${description}: ${reason}\nlast seen:\n${lastSeen}`);
    this.name = 'WaitFatalError';
    this.description = description;
    this.reason = reason;
    this.lastSeen = lastSeen;
  }
}

/** Every wait still going on in this process, so a test file can stop the ones its failed tests left. */
const pending = new Set<(reason: string) => void>();

/** Ends every pending wait with `reason` (e.g. after a test timed out, before its namespace goes). */
export function abandonWaits(reason: string): number {
  const count = pending.size;
  for (const abandon of [...pending]) abandon(reason);
  return count;
}

export class WaitAbandonedError extends Error {
  constructor(description: string, reason: string) {
    super(`stopped waiting for ${description}: ${reason}`);
    this.name = 'WaitAbandonedError';
  }
}

let sharedWatcher: Watcher | undefined;

/** The run's cluster, for a waitFor given list and watchPath only (the contract's minimal form). */
function runWatcher(): Watcher {
  if (!sharedWatcher) {
    const run = currentRun();
    sharedWatcher = connect(run.kubeconfigPath, run.context).watch;
  }
  return sharedWatcher;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function keyOf(obj: unknown): string {
  const meta = (obj as AnyObject).metadata;
  return `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

function resourceVersionOf(obj: unknown): string | undefined {
  return (obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
}

/** Backoff between watch reconnects after an error: never a stand-in for observing state. */
function reconnectDelayMs(failures: number): number {
  return Math.min(250 * 2 ** failures, 5000);
}

/**
 * The one wait primitive: list, then watch from the list's resourceVersion, re-list when the server
 * says that version is gone (410), re-watch from the last version seen when a watch ends or goes quiet.
 * Resolves with the predicate's value, or rejects with the last object seen.
 */
export function waitFor<T, V>(spec: WaitSpec<T, V>): Promise<V> {
  const log = spec.log ?? defaultLog;
  const started = Date.now();
  const objects = new Map<string, T>();
  let last: T | undefined;
  let note: string | undefined;
  let resourceVersion: string | undefined;
  let controller: AbortController | undefined;
  let failures = 0;
  let finished = false;
  const timers: Array<ReturnType<typeof setTimeout>> = [];

  const lastSeen = (): string => {
    const shown = last ?? [...objects.values()].at(-1);
    const others = objects.size - (shown ? 1 : 0);
    const text = shown ? summarizeObject(shown as AnyObject, spec.kind) : '(no object matched)';
    return `${text}${others > 0 ? `\n(and ${others} more)` : ''}${note ? `\nstate: ${note}` : ''}`;
  };

  return new Promise<V>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      if (finished) return;
      finished = true;
      pending.delete(abandon);
      spec.signal?.removeEventListener('abort', aborted);
      timers.forEach(clearTimeout);
      clearInterval(progress);
      controller?.abort();
      settle();
    };
    const fail = (err: unknown): void => finish(() => reject(err));
    const abandon = (reason: string): void => fail(new WaitAbandonedError(spec.description, reason));
    pending.add(abandon);
    const aborted = (): void => abandon(String(spec.signal?.reason instanceof Error ? spec.signal.reason.message : spec.signal?.reason));
    spec.signal?.addEventListener('abort', aborted, { once: true });

    const evaluate = (): void => {
      let outcome: WaitOutcome<V>;
      try {
        outcome = spec.predicate([...objects.values()]);
      } catch (err) {
        fail(err);
        return;
      }
      if ('fatal' in outcome) fail(new WaitFatalError(spec.description, outcome.fatal, lastSeen()));
      else if (outcome.done) finish(() => resolve(outcome.value));
      else note = outcome.note;
    };

    const relist = async (): Promise<void> => {
      const result = await retrying(`listing for ${spec.description}`, spec.list);
      if (finished) return;
      objects.clear();
      for (const item of result.items) objects.set(keyOf(item), item);
      resourceVersion = result.metadata?.resourceVersion;
      evaluate();
      if (!finished) await startWatch();
    };

    let expired = false;
    let watchStartedAt = 0;
    let eventsSinceWatch = 0;
    const onEvent = (type: string, obj: unknown): void => {
      if (finished) return;
      failures = 0;
      eventsSinceWatch++;
      if (type === 'ERROR') {
        // The server ends the watch with a Status; 410 Gone means our resourceVersion is too old.
        expired = statusOf(obj) === 410;
        controller?.abort();
        return;
      }
      resourceVersion = resourceVersionOf(obj) ?? resourceVersion;
      if (type === 'BOOKMARK') return;
      if (type === 'DELETED') objects.delete(keyOf(obj));
      else objects.set(keyOf(obj), obj as T);
      last = obj as T;
      evaluate();
    };

    const onDone = (err: unknown): void => {
      if (finished) return;
      const gone = expired || statusOf(err) === 410;
      expired = false;
      // client-node's inactivity timeout on a quiet watch (a DOMException: no instanceof across realms).
      const timedOutQuietly = (err as { name?: unknown } | null)?.name === 'TimeoutError';
      // A watch the server closes at once, again and again, must not become a tight loop.
      const closedAtOnce = !err && !eventsSinceWatch && Date.now() - watchStartedAt < 1000;
      if (err && !gone && !timedOutQuietly && !isTransient(err) && statusOf(err) !== undefined) {
        fail(new WaitFatalError(spec.description, `watching ${spec.watchPath} failed: ${(err as Error).message}`, lastSeen()));
        return;
      }
      if ((err && !gone && !timedOutQuietly) || closedAtOnce) failures++;
      if (gone) resourceVersion = undefined;
      const restart = (): void => {
        if (finished) return;
        (resourceVersion ? startWatch() : relist()).catch(fail);
      };
      timers.push(setTimeout(restart, failures > 0 ? reconnectDelayMs(failures) : 0));
    };

    const startWatch = async (): Promise<void> => {
      watchStartedAt = Date.now();
      eventsSinceWatch = 0;
      const query = { ...spec.watchQuery, resourceVersion, allowWatchBookmarks: true };
      try {
        controller = await (spec.watch ?? runWatcher()).watch(spec.watchPath, query, onEvent, onDone);
      } catch (err) {
        onDone(err);
        return;
      }
      if (finished) controller.abort();
    };

    timers.push(setTimeout(() => fail(new WaitTimeoutError(spec.description, spec.timeoutMs, lastSeen())), spec.timeoutMs));
    const every = spec.progressEveryMs ?? 30_000;
    const progress = setInterval(() => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      log(`[wc] still waiting for ${spec.description} (${elapsed}s of ${Math.round(spec.timeoutMs / 1000)}s)${note ? `: ${note}` : ''}`);
    }, every > 0 ? every : 2 ** 31 - 1);
    if (every <= 0) clearInterval(progress);

    if (spec.signal?.aborted) aborted();
    else relist().catch(fail);
  });
}
