import type { ListResult, Watcher } from '../../../lib/kit/wait.ts';

type Item = { metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string }; status?: unknown; spec?: unknown };

/**
 * An API server stand-in for waitFor: lists return `state`, watches are recorded so a test can push
 * events into the open one, end it (optionally with an error) or fail the next watch call.
 */
export class FakeApi implements Watcher {
  state: Item[] = [];
  resourceVersion = '100';
  lists = 0;
  watches: Array<{ path: string; query: Record<string, unknown>; send: (type: string, obj: unknown) => void; end: (err?: unknown) => void; aborted: boolean }> = [];

  list = async (): Promise<ListResult<Item>> => {
    this.lists++;
    return { items: structuredClone(this.state), metadata: { resourceVersion: this.resourceVersion } };
  };

  async watch(path: string, query: Record<string, unknown>, callback: (type: string, obj: unknown) => void,
    done: (err: unknown) => void): Promise<AbortController> {
    const controller = new AbortController();
    const entry = { path, query, aborted: false, send: callback, end: (err?: unknown) => done(err ?? null) };
    controller.signal.addEventListener('abort', () => { entry.aborted = true; });
    this.watches.push(entry);
    return controller;
  }

  get current(): FakeApi['watches'][number] {
    const last = this.watches.at(-1);
    if (!last) throw new Error('no watch open');
    return last;
  }
}

export function pod(name: string, rv: string, status: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Item {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv, uid: `${name}-uid`, ...extra }, spec: { containers: [{ name: 'main' }] }, status };
}

/** Lets pending promise callbacks and zero-delay timers run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
