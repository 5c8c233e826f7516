import type { AnyObject } from './describe.ts';
import { summarizeObject } from './describe.ts';
import type { Predicate, WaitOutcome, WaitSource } from './wait.ts';
import { waitFor, WaitTimeoutError } from './wait.ts';

/**
 * "Stays so": a promise must hold for the whole window, as the watch sees the matched objects (the list at
 * the start, then every change). It is the opposite of waitFor and runs on the same list + watch: the first
 * state that breaks the promise ends the window at once with the object (or the note) in the error; the
 * window elapsing with no violation is the success. Fewer than `atLeast` matched objects is a violation
 * too (one by default with `violation`, none with `predicate`), so a check on something that vanished
 * cannot pass by saying nothing.
 *
 * The promise is said one of two ways:
 * - `violation(obj)`: about each object (undefined while it is as promised, else why not, e.g. "restartCount 1");
 * - `predicate(items)`: about the set, in waitFor's terms ({done: true, value} = holds now, {done: false,
 *   note} = broken, {fatal} = broken for good), for promises such as "no successor is created".
 */
/** A promise's verdict on one state, for checks shared by a wait and a window: holds (with what was seen) or why not. */
export type Holds<V> = { holds: true; value: V } | { holds: false; reason: string };
export const holdsAsOutcome = <V>(verdict: Holds<V>): WaitOutcome<V> =>
  verdict.holds ? { done: true, value: verdict.value } : { done: false, note: verdict.reason };

interface ConsistentlyBase<T> extends WaitSource<T> {
  /** What must stay true, in words: it heads the error. */
  description: string;
  windowMs: number;
  atLeast?: number;
  log?: (line: string) => void;
}
export type ConsistentlySpec<T, V = undefined> = ConsistentlyBase<T> & (
  | { violation: (obj: T) => string | undefined; predicate?: never }
  | { predicate: Predicate<T, V>; violation?: never });

export interface Consistently<T, V = undefined> {
  /** The window asked for, and how long the objects were observed (from the first list to the end). */
  windowMs: number;
  observedMs: number;
  /** Observations: the first list plus every watch event that changed a matched object. */
  observations: number;
  /** The matched objects as the window ended. */
  objects: T[];
  /** With `predicate`: its value for the last state seen. */
  value: V | undefined;
}

export class ConsistentlyViolatedError extends Error {
  readonly description: string;
  readonly reason: string;
  /** The object that broke the promise, as it was at that moment (undefined: a promise about the set). */
  readonly object: unknown;
  readonly afterMs: number;

  constructor(description: string, reason: string, object: unknown, afterMs: number, kind?: string, options?: { cause?: unknown }) {
    const shown = object === undefined ? '(a promise about the set; see the reason)' : summarizeObject(object as AnyObject, kind);
    super(`${description} stopped holding after ${Math.round(afterMs)} ms: ${reason}\nobject:\n${shown}`, options);
    this.name = 'ConsistentlyViolatedError';
    this.description = description;
    this.reason = reason;
    this.object = object;
    this.afterMs = afterMs;
  }
}

type Check<T, V> = { broken: { reason: string; object?: T } } | { broken?: undefined; value?: V };

/** The first object-level or set-level break in `items`, if any (a predicate is asked once per state). */
function check<T, V>(spec: ConsistentlySpec<T, V>, items: T[]): Check<T, V> {
  const tooFew = (atLeast: number): Check<T, V> | undefined => items.length < atLeast
    ? { broken: { reason: `${items.length} object(s) matched, fewer than the ${atLeast} promised` } } : undefined;
  if (spec.violation) {
    for (const object of items) {
      const reason = spec.violation(object);
      if (reason !== undefined) return { broken: { reason, object } };
    }
    return tooFew(spec.atLeast ?? 1) ?? {};
  }
  const outcome = spec.predicate(items);
  if ('fatal' in outcome) return { broken: { reason: outcome.fatal } };
  if (!outcome.done) return { broken: { reason: outcome.note ?? 'the promise no longer holds' } };
  return tooFew(spec.atLeast ?? 0) ?? { value: outcome.value };
}

export async function consistently<T, V = undefined>(spec: ConsistentlySpec<T, V>): Promise<Consistently<T, V>> {
  const { violation: _v, predicate: _p, windowMs, atLeast: _a, ...source } = spec;
  const started = Date.now();
  let firstSeen: number | undefined;
  let observations = 0;
  let current: T[] = [];
  let value: V | undefined;
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
        const seen = check(spec, items);
        if (seen.broken) {
          broken = { ...seen.broken, at: Date.now() };
          return { fatal: seen.broken.reason };
        }
        value = seen.value;
        return { done: false };
      },
    });
  } catch (err) {
    if (broken) throw new ConsistentlyViolatedError(spec.description, broken.reason, broken.object, broken.at - started, spec.kind, { cause: err });
    if (err instanceof WaitTimeoutError) {
      // A window in which the list never came back observed nothing, and nothing observed proves nothing.
      if (firstSeen === undefined) throw new Error(`${spec.description}: nothing was observed within the ${windowMs} ms window`, { cause: err });
      return { windowMs, observedMs: Date.now() - firstSeen, observations, objects: current, value };
    }
    throw err;
  }
  throw new Error('unreachable: a consistently() predicate never finishes the wait');
}
