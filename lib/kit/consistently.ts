import type { AnyObject } from './describe.ts';
import { summarizeObject } from './describe.ts';
import type { WaitSource } from './wait.ts';
import { waitFor, WaitTimeoutError } from './wait.ts';

/**
 * "Stays so": `holds` must be true of every matched object for the whole window, as the watch sees them
 * (the list at the start, then every change). It is the opposite of waitFor and runs on the same
 * list + watch: the first object that breaks the promise ends the window at once with that object in the
 * error; the window elapsing with no violation is the success. Fewer than `atLeast` matched objects (one
 * by default) is a violation too, so a check on something that vanished cannot pass by saying nothing.
 */
export interface ConsistentlySpec<T> extends WaitSource<T> {
  /** What must stay true, in words: it heads the error. */
  description: string;
  /** Undefined while the object is as promised, else why it is not (e.g. "restartCount 1"). */
  violation: (obj: T) => string | undefined;
  windowMs: number;
  atLeast?: number;
  log?: (line: string) => void;
}

export interface Consistently<T> {
  /** The window asked for, and how long the objects were observed (from the first list to the end). */
  windowMs: number;
  observedMs: number;
  /** Observations: the first list plus every watch event that changed a matched object. */
  observations: number;
  /** The matched objects as the window ended. */
  objects: T[];
}

export class ConsistentlyViolatedError extends Error {
  readonly description: string;
  readonly reason: string;
  /** The object that broke the promise, as it was at that moment (undefined: too few objects). */
  readonly object: unknown;
  readonly afterMs: number;

  constructor(description: string, reason: string, object: unknown, afterMs: number, kind?: string, options?: { cause?: unknown }) {
    const shown = object === undefined ? '(no object)' : summarizeObject(object as AnyObject, kind);
    super(`${description} stopped holding after ${Math.round(afterMs)} ms: ${reason}\nobject:\n${shown}`, options);
    this.name = 'ConsistentlyViolatedError';
    this.description = description;
    this.reason = reason;
    this.object = object;
    this.afterMs = afterMs;
  }
}

export async function consistently<T>(spec: ConsistentlySpec<T>): Promise<Consistently<T>> {
  const { violation, windowMs, atLeast = 1, ...source } = spec;
  const started = Date.now();
  let firstSeen: number | undefined;
  let observations = 0;
  let current: T[] = [];
  let broken: { reason: string; object?: T; at: number } | undefined;
  try {
    await waitFor<T, never>({
      ...source,
      timeoutMs: windowMs,
      progressEveryMs: 0,
      predicate: (items) => {
        firstSeen ??= Date.now();
        observations++;
        current = items;
        for (const object of items) {
          const reason = violation(object);
          if (reason !== undefined) {
            broken = { reason, object, at: Date.now() };
            return { fatal: reason };
          }
        }
        if (items.length < atLeast) {
          broken = { reason: `${items.length} object(s) matched, fewer than the ${atLeast} promised`, at: Date.now() };
          return { fatal: broken.reason };
        }
        return { done: false };
      },
    });
  } catch (err) {
    if (broken) throw new ConsistentlyViolatedError(spec.description, broken.reason, broken.object, broken.at - started, spec.kind, { cause: err });
    if (err instanceof WaitTimeoutError) {
      // A window in which the list never came back observed nothing, and nothing observed proves nothing.
      if (firstSeen === undefined) throw new Error(`${spec.description}: nothing was observed within the ${windowMs} ms window`, { cause: err });
      return { windowMs, observedMs: Date.now() - firstSeen, observations, objects: current };
    }
    throw err;
  }
  throw new Error('unreachable: a consistently() predicate never finishes the wait');
}
