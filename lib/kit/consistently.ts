import type { WaitSource } from '../wait.ts';
import { WaitTimeoutError, waitFor } from '../wait.ts';

// "Stays so" needs a window watched from its first to its last moment, not one glance at the end: a pod that
// was Pending at 0 s and at 20 s may have been scheduled and evicted in between. consistently() watches the
// objects (the same list + watch as waitFor, so every change in the window is seen) and fails on the first
// change that breaks the condition; when the window passes unbroken it resolves with what it saw.

/** What a condition that must keep holding says about the current objects. */
export type Holds<V> = { holds: true; value: V; note?: string } | { holds: false; reason: string };

export interface ConsistentlySpec<T, V> extends WaitSource<T> {
  /** What must keep holding, in words: it heads errors. */
  description: string;
  /** Called with every object currently matched, after the list and after each watch event. */
  predicate: (items: T[]) => Holds<V>;
  /** How long it must hold, from the first look. */
  windowMs: number;
  log?: (line: string) => void;
}

export interface HeldWindow<V> {
  /** The predicate's value at the last look. */
  value: V;
  /** How many times the objects were looked at (the list, then one per watch event). */
  looks: number;
  /** From the first look to the end of the window. */
  heldMs: number;
}

export class ConditionBrokenError extends Error {
  constructor(description: string, reason: string, afterMs: number) {
    super(`${description} stopped holding after ${(afterMs / 1000).toFixed(1)} s: ${reason}`);
    this.name = 'ConditionBrokenError';
  }
}

export async function consistently<T, V>(spec: ConsistentlySpec<T, V>): Promise<HeldWindow<V>> {
  const { predicate, windowMs, description, ...source } = spec;
  let looks = 0;
  let firstLook = 0;
  let last: { value: V } | undefined;
  let broken: { reason: string; afterMs: number } | undefined;
  try {
    await waitFor<T, never>({
      ...source,
      description: `${description} (for ${Math.round(windowMs / 1000)} s)`,
      // The window is the wait's timeout: reaching it unbroken is the success, so no progress lines.
      timeoutMs: windowMs,
      progressEveryMs: 0,
      predicate: (items) => {
        looks += 1;
        if (looks === 1) firstLook = Date.now();
        const outcome = predicate(items);
        if (!outcome.holds) {
          broken = { reason: outcome.reason, afterMs: Date.now() - firstLook };
          return { fatal: outcome.reason };
        }
        last = { value: outcome.value };
        return outcome.note ? { done: false, note: outcome.note } : { done: false };
      },
    });
  } catch (err) {
    if (broken) throw new ConditionBrokenError(description, broken.reason, broken.afterMs);
    if (!(err instanceof WaitTimeoutError)) throw err;
  }
  if (!last) throw new Error(`${description}: the objects could not be looked at within ${Math.round(windowMs / 1000)} s`);
  return { value: last.value, looks, heldMs: Date.now() - firstLook };
}
