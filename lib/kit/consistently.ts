import type { WaitSpec } from '../wait.ts';
import { waitFor, WaitFatalError, WaitTimeoutError } from '../wait.ts';

/**
 * What `consistently` is given: waitFor's spec, with the window the state must hold for instead of a timeout.
 * The predicate keeps waitFor's meaning of its answer: `{done: true, value}` = the state holds now,
 * `{done: false, note}` = it does not (the note says how), `{fatal}` = it never will again.
 */
export type ConsistentlySpec<T, V> = Omit<WaitSpec<T, V>, 'timeoutMs'> & { windowMs: number };

export class ConsistentlyError extends Error {
  constructor(description: string, reason: string, lastSeen: string) {
    super(`${description} stopped holding: ${reason}\nlast seen:\n${lastSeen}`);
    this.name = 'ConsistentlyError';
  }
}

/**
 * "Stays so for a window", observed: the same list + watch as waitFor, and the predicate must hold for every
 * state seen (the first list and every watch event) from now until `windowMs` has passed. Resolves with the
 * predicate's value for the last state seen; rejects at the first state where it does not hold. It is waitFor
 * turned inside out, so it reuses waitFor's watch handling (re-list on 410, re-watch when quiet): the wait
 * is for a state that must never come, and reaching the end of the window is the success.
 */
export async function consistently<T, V>(spec: ConsistentlySpec<T, V>): Promise<V> {
  const { windowMs, predicate, ...source } = spec;
  let observed = 0;
  let last: { value: V } | undefined;
  try {
    await waitFor<T, never>({
      ...source,
      timeoutMs: windowMs,
      predicate: (items) => {
        const outcome = predicate(items);
        observed++;
        if ('fatal' in outcome) return outcome;
        if (!outcome.done) return { fatal: outcome.note ?? 'the predicate no longer holds' };
        last = { value: outcome.value };
        return { done: false, note: `holding (${observed} states seen)` };
      },
    });
  } catch (err) {
    if (err instanceof WaitTimeoutError && last) return last.value;
    if (err instanceof WaitTimeoutError) {
      // Never listed within the window: nothing was observed, so nothing was shown to hold.
      throw new ConsistentlyError(spec.description, `no state was observed within ${windowMs} ms`, err.lastSeen);
    }
    if (err instanceof WaitFatalError) throw new ConsistentlyError(spec.description, err.reason, err.lastSeen);
    throw err;
  }
  // waitFor resolves only on {done: true}, which the inverted predicate never gives.
  throw new Error(`consistently(${spec.description}): the wait ended without its window passing`);
}
