import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import {
  podReadyOnRevision, statefulSetStatusIs, templateEnvPatch, unchangedPod, updateRevisionMovedFrom,
} from '../../../lib/kit/statefulset-updates.ts';

const pod = (name: string, uid: string, revision: string, more: { ready?: boolean; deleting?: boolean } = {}): V1Pod => ({
  metadata: { name, uid, labels: { 'controller-revision-hash': revision },
    ...(more.deleting ? { deletionTimestamp: new Date() } : {}) },
  status: { conditions: [{ type: 'Ready', status: more.ready ? 'True' : 'False' }] },
});

const set = (generation: number, status: V1StatefulSet['status']): V1StatefulSet => ({ metadata: { generation }, spec: { selector: {}, serviceName: 's', template: {} }, status });

describe('StatefulSet update helpers', () => {
  it('must test the env var\'s name before replacing its value', () => {
    expect(templateEnvPatch(0, 'VERSION', 'v2')).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/0/env/0/name', value: 'VERSION' },
      { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'v2' },
    ]);
  });

  it('must see a pod kept only while it is the same uid, not terminating, on the same revision', () => {
    const violation = unchangedPod(new Map([['s-0', 'u0']]), 'r1');
    expect(violation(pod('s-0', 'u0', 'r1'))).toBeUndefined();
    expect(violation(pod('s-1', 'u9', 'r2'))).toBeUndefined();
    expect(violation(pod('s-0', 'u1', 'r1'))).toBe('s-0 was recreated (uid u1, was u0)');
    expect(violation(pod('s-0', 'u0', 'r1', { deleting: true }))).toBe('s-0 is terminating');
    expect(violation(pod('s-0', 'u0', 'r2'))).toBe('s-0 is on revision r2, not r1');
  });

  it('must wait for the controller to observe the spec before trusting updateRevision', () => {
    expect(updateRevisionMovedFrom('r1')([set(2, { observedGeneration: 1, updateRevision: 'r2', replicas: 3 })])).toMatchObject({ done: false });
    expect(updateRevisionMovedFrom('r1')([set(2, { observedGeneration: 2, updateRevision: 'r1', replicas: 3 })])).toMatchObject({ done: false });
    expect(updateRevisionMovedFrom('r1')([set(2, { observedGeneration: 2, updateRevision: 'r2', replicas: 3 })])).toMatchObject({ done: true });
  });

  it('must match ready and updated counts exactly', () => {
    const is = statefulSetStatusIs(3, 1);
    expect(is([set(1, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1, replicas: 3 })])).toMatchObject({ done: true });
    expect(is([set(1, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 2, replicas: 3 })])).toMatchObject({ done: false });
    expect(is([set(1, { observedGeneration: 1, readyReplicas: 2, updatedReplicas: 1, replicas: 3 })])).toMatchObject({ done: false });
  });

  it('must wait for the named pod to be Ready on the revision, ignoring a terminating one', () => {
    const on = podReadyOnRevision('s-2', 'r2');
    expect(on([pod('s-2', 'u1', 'r1', { ready: true, deleting: true })])).toMatchObject({ done: false });
    expect(on([pod('s-2', 'u2', 'r2')])).toMatchObject({ done: false });
    expect(on([pod('s-2', 'u2', 'r2', { ready: true })])).toMatchObject({ done: true });
  });
});
