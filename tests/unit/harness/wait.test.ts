import { podRunning } from '../../../lib/kit/conditions.ts';
import type { Predicate } from '../../../lib/kit/wait.ts';
import { waitFor, WaitFatalError, WaitTimeoutError } from '../../../lib/kit/wait.ts';
import { FakeApi, pod, settle } from './fake-watch.ts';

type Item = ReturnType<typeof pod>;
const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const named = (name: string): Predicate<Item, Item> => (items) => {
  const found = items.find((i) => i.metadata.name === name);
  return found ? { done: true, value: found } : { done: false, note: `${name} not there` };
};

function start<V>(api: FakeApi, predicate: Predicate<Item, V>, timeoutMs = 5000): Promise<V> {
  return waitFor({
    description: 'the thing', list: api.list, watch: api, watchPath: '/api/v1/namespaces/ns/pods',
    watchQuery: { fieldSelector: 'metadata.name=a' }, kind: 'Pod', predicate, timeoutMs, progressEveryMs: 0,
  });
}

describe('waitFor', () => {
  it('must resolve from the list alone when the state is already there, without watching', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5')];
    await expect(start(api, named('a'))).resolves.toMatchObject({ metadata: { name: 'a' } });
    expect(api.watches).toHaveLength(0);
  });

  it('must watch from the list\'s resourceVersion with the same selectors and resolve on a matching event', async () => {
    const api = new FakeApi();
    const result = start(api, named('a'));
    await settle();
    expect(api.current.query).toMatchObject({ resourceVersion: '100', fieldSelector: 'metadata.name=a', allowWatchBookmarks: true });
    api.current.send('ADDED', pod('a', '101'));
    await expect(result).resolves.toMatchObject({ metadata: { resourceVersion: '101' } });
    expect(api.current.aborted).toBe(true);
  });

  it('must stop, its watch closed, with the reason when its signal aborts (what it awaited can no longer come), and never start when already aborted', async () => {
    const api = new FakeApi();
    const stop = new AbortController();
    const result = waitFor({ description: 'the thing', list: api.list, watch: api, watchPath: '/api/v1/namespaces/ns/pods', kind: 'Pod',
      predicate: named('a'), timeoutMs: 5000, progressEveryMs: 0, signal: stop.signal });
    await settle();
    stop.abort(new Error('the delete failed'));
    await expect(result).rejects.toThrow('stopped waiting for the thing: the delete failed');
    expect(api.current.aborted).toBe(true);
    const before = api.lists;
    await expect(waitFor({ description: 'the other', list: api.list, watch: api, watchPath: '/x', kind: 'Pod',
      predicate: named('a'), timeoutMs: 5000, progressEveryMs: 0, signal: stop.signal })).rejects.toThrow('stopped waiting for the other: the delete failed');
    expect(api.lists).toBe(before);
  });

  it('must forget deleted objects', async () => {
    const api = new FakeApi();
    api.state = [pod('a', '5')];
    const result = start(api, (items) => (items.length === 0 ? { done: true, value: 'gone' } : { done: false }));
    await settle();
    api.current.send('DELETED', pod('a', '102'));
    await expect(result).resolves.toBe('gone');
  });

  it('must re-watch from the last resourceVersion seen (or bookmarked) when a watch ends', async () => {
    const api = new FakeApi();
    const result = start(api, named('b'));
    await settle();
    api.current.send('ADDED', pod('a', '150'));
    api.current.send('BOOKMARK', { metadata: { resourceVersion: '160' } });
    api.current.end();
    await new Promise((r) => setTimeout(r, 300));
    expect(api.watches).toHaveLength(2);
    expect(api.current.query.resourceVersion).toBe('160');
    expect(api.lists).toBe(1);
    api.current.send('ADDED', pod('b', '161'));
    await expect(result).resolves.toMatchObject({ metadata: { name: 'b' } });
  });

  it('must re-watch at once after the client\'s inactivity timeout on a quiet watch', async () => {
    const api = new FakeApi();
    const result = start(api, named('b'));
    await settle();
    api.current.end(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    await new Promise((r) => setTimeout(r, 20));
    expect(api.watches).toHaveLength(2);
    api.current.send('ADDED', pod('b', '170'));
    await expect(result).resolves.toBeDefined();
  });

  it('must re-list when the server says the resourceVersion is gone (410), then watch from the new one', async () => {
    const api = new FakeApi();
    const result = start(api, named('b'));
    await settle();
    api.state = [pod('b', '300')];
    api.resourceVersion = '300';
    api.current.send('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    api.current.end();
    await expect(result).resolves.toMatchObject({ metadata: { resourceVersion: '300' } });
    expect(api.lists).toBe(2);
  });

  it('must re-list after a watch request refused with HTTP 410', async () => {
    const api = new FakeApi();
    const result = start(api, named('c'));
    await settle();
    api.state = [pod('c', '400')];
    api.current.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await expect(result).resolves.toBeDefined();
    expect(api.lists).toBe(2);
  });

  it('must stop at once with the predicate\'s reason and the last object when the state is fatal', async () => {
    const api = new FakeApi();
    const result = start(api, podRunning() as unknown as Predicate<Item, unknown>);
    await settle();
    api.current.send('MODIFIED', pod('a', '101', { phase: 'Pending', containerStatuses: [{
      name: 'main', ready: false, restartCount: 0, image: 'x', imageID: '',
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } } }] }));
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitFatalError);
    expect((err as Error).message).toContain('gave up waiting for the thing: pod a container main is ImagePullBackOff');
    expect((err as Error).message).toContain('container main: waiting(ImagePullBackOff');
  });

  it('must time out naming what was awaited and showing the last object seen and the last state', async () => {
    const api = new FakeApi();
    const result = start(api, named('zzz'), 200);
    await settle();
    api.current.send('MODIFIED', pod('a', '101', running));
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toMatch(/^timed out after 0s waiting for the thing\nlast seen:\npod\/a phase=Running/);
    expect((err as Error).message).toContain('state: zzz not there');
  });

  it('must say so when no object was ever seen', async () => {
    const api = new FakeApi();
    const err = await start(api, named('a'), 50).catch((e: unknown) => e);
    expect((err as Error).message).toContain('(no object matched)');
  });

  it('must fail (not retry forever) when the watch is refused for a non-transient reason such as 403', async () => {
    const api = new FakeApi();
    const result = start(api, named('a'));
    await settle();
    api.current.end(Object.assign(new Error('Forbidden'), { statusCode: 403 }));
    await expect(result).rejects.toThrow(/watching \/api\/v1\/namespaces\/ns\/pods failed: Forbidden/);
  });

  it('must print progress while a long wait goes on', async () => {
    const api = new FakeApi();
    const lines: string[] = [];
    const result = waitFor({ description: 'slow thing', list: api.list, watch: api, watchPath: '/x', predicate: named('a'),
      timeoutMs: 5000, progressEveryMs: 30, log: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 100));
    api.current.send('ADDED', pod('a', '1'));
    await result;
    expect(lines[0]).toMatch(/^\[wc\] still waiting for slow thing \(0s of 5s\): a not there$/);
  });
});
