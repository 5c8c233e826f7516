import type { V1Pod } from '@kubernetes/client-node';
import { adoptedBy, replacedUpTo, settledAt } from '../../../lib/kit/replicasets.ts';

const owned = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true }];
const pod = (name: string, { owner = 'rs-uid', ready = true, terminating = false } = {}): V1Pod => ({
  metadata: { name, uid: `${name}-uid`, ...(owner ? { ownerReferences: owned(owner) } : {}),
    ...(terminating ? { deletionTimestamp: new Date() } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('replacedUpTo', () => {
  const before = new Set(['a', 'b', 'c']);
  it('must wait while the deleted pod is still terminating or the new one is not Ready', () => {
    expect(replacedUpTo(3, 'rs-uid', before)([pod('a', { terminating: true }), pod('b'), pod('c'), pod('d', { ready: false })]))
      .toMatchObject({ done: false });
    expect(replacedUpTo(3, 'rs-uid', before)([pod('b'), pod('c'), pod('d', { ready: false })])).toMatchObject({ done: false });
  });
  it('must be done with the new pod once exactly the count remains, all Ready and owned', () => {
    const outcome = replacedUpTo(3, 'rs-uid', before)([pod('b'), pod('c'), pod('d')]);
    expect(outcome).toMatchObject({ done: true });
    expect('done' in outcome && outcome.done && outcome.value.map((p) => p.metadata?.name)).toEqual(['d']);
  });
  it('must not take the original pods for a replacement', () => {
    expect(replacedUpTo(3, 'rs-uid', before)([pod('a'), pod('b'), pod('c')])).toMatchObject({ done: false });
  });
});

describe('settledAt', () => {
  it('must wait while there is a surplus or an orphan, and be done at the count, all owned', () => {
    expect(settledAt(3, 'rs-uid')([pod('a'), pod('b'), pod('c'), pod('x', { terminating: true })])).toMatchObject({ done: false });
    expect(settledAt(3, 'rs-uid')([pod('a'), pod('b'), pod('x', { owner: '' })])).toMatchObject({ done: false });
    expect(settledAt(3, 'rs-uid')([pod('c'), pod('a'), pod('x')])).toEqual({ done: true, value: ['a', 'c', 'x'] });
  });
});

describe('adoptedBy', () => {
  it('must wait for the controller reference and be fatal if the pod goes without one', () => {
    const adopted = adoptedBy('rs-uid');
    expect(adopted([])).toMatchObject({ done: false, note: 'not created yet' });
    expect(adopted([pod('x', { owner: '' })])).toMatchObject({ done: false, note: 'controller: none' });
    expect(adopted([])).toEqual({ fatal: 'the pod was removed without ever being adopted' });
    expect(adoptedBy('rs-uid')([pod('x')])).toMatchObject({ done: true });
  });
});
