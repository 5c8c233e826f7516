// "Stays so": a property that must hold for every watched object over a whole window, observed by the same
// list + watch as waitFor (lib/wait.ts), never by a glance or a sleep. It fails at the first object that
// violates it, with that object in the error, and reports how many events the window saw so a report can show
// the watch was live while nothing went wrong.
import type { AnyObject } from '../describe.ts';
import { summarizeObject } from '../describe.ts';
import type { WaitSource } from '../wait.ts';
import { WaitFatalError, WaitTimeoutError, waitFor } from '../wait.ts';

export interface ConsistentlySpec<T> extends WaitSource<T> {
  /** What must hold, in words: it heads the error. */
  description: string;
  /** Why this object breaks the property, or undefined while it holds; called for every matched object. */
  violation: (obj: T) => string | undefined;
  windowMs: number;
  log?: (line: string) => void;
}

export interface HeldWindow {
  windowMs: number;
  /** Evaluations after the first list: one per watch event (and per re-list). */
  events: number;
}

export class ConsistentlyViolatedError extends Error {
  readonly description: string;
  readonly reason: string;
  /** The violating object, summarized. */
  readonly object: string;
  readonly afterMs: number;

  constructor(description: string, reason: string, object: string, afterMs: number) {
    super(`${description} stopped holding after ${afterMs} ms: ${reason}\nviolating object:\n${object}`);
    this.name = 'ConsistentlyViolatedError';
    this.description = description;
    this.reason = reason;
    this.object = object;
    this.afterMs = afterMs;
  }
}

/**
 * Resolves after `windowMs` if `violation` found nothing in any object listed or watched meanwhile; rejects
 * with ConsistentlyViolatedError at the first violating object (errors of the watch itself pass through).
 */
export async function consistently<T>(spec: ConsistentlySpec<T>): Promise<HeldWindow> {
  const started = Date.now();
  let evaluations = 0;
  let violated: ConsistentlyViolatedError | undefined;
  try {
    await waitFor<T, never>({
      ...spec,
      predicate: (items) => {
        evaluations++;
        for (const obj of items) {
          const reason = spec.violation(obj);
          if (reason !== undefined) {
            violated = new ConsistentlyViolatedError(spec.description, reason,
              summarizeObject(obj as AnyObject, spec.kind), Date.now() - started);
            return { fatal: reason };
          }
        }
        return { done: false };
      },
      // Reaching the end of the window is the success; waitFor's timeout is how the window ends.
      timeoutMs: spec.windowMs,
      progressEveryMs: 0,
    });
  } catch (err) {
    if (err instanceof WaitFatalError && violated) throw violated;
    if (err instanceof WaitTimeoutError) {
      // A window in which the first list never came back observed nothing: that is no evidence.
      if (evaluations === 0) {
        throw new Error(`${spec.description}: nothing was listed within the ${spec.windowMs} ms window`, { cause: err });
      }
      return { windowMs: Date.now() - started, events: evaluations - 1 };
    }
    throw err;
  }
  throw new Error(`consistently(${spec.description}): the window ended without a verdict`);
}
