import type { V1Node } from '@kubernetes/client-node';
import { CORDONED_BY_ANNOTATION, cordonHolder, cordonPatch, uncordonPatch } from '../../../lib/kit/cordon.ts';
import { BUDGET_CAUSE, evictionRefusal } from '../../../lib/kit/evictions.ts';
import { nodeLevelUnavailable } from '../../../lib/kit/node-level.ts';
import { schedulableWorkers } from '../../../lib/kit/nodes.ts';

const node = (name: string, extra: Partial<V1Node['spec']> = {}, labels: Record<string, string> = {}, annotations?: Record<string, string>, ready = 'True'): V1Node => ({
  metadata: { name, labels, resourceVersion: '42', ...(annotations ? { annotations } : {}) },
  spec: { ...extra }, status: { conditions: [{ type: 'Ready', status: ready }] },
});

describe('cordons the suite makes', () => {
  it('must test the node\'s resourceVersion, add the annotations map only when absent, mark the run and set unschedulable', () => {
    expect(cordonPatch(node('w1'), 'r1')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/workload-conformance.io~1cordoned-by', value: 'r1' },
      { op: 'add', path: '/spec/unschedulable', value: true },
    ]);
    expect(cordonPatch(node('w1', {}, {}, { a: 'b' }), 'r1')).toHaveLength(3);
  });

  it('must uncordon only while the node still carries this run\'s mark (a JSON-patch test)', () => {
    expect(uncordonPatch('r1')[0]).toEqual({ op: 'test', path: '/metadata/annotations/workload-conformance.io~1cordoned-by', value: 'r1' });
  });

  it('must tell a node cordoned by a run from one cordoned by someone else, and a schedulable one', () => {
    expect(cordonHolder(node('w1'))).toBeUndefined();
    expect(cordonHolder(node('w1', { unschedulable: true }))?.by).toMatch(/someone other than this suite/);
    expect(cordonHolder(node('w1', { unschedulable: true }, {}, { [CORDONED_BY_ANNOTATION]: 'r9' }))?.by).toBe('run r9');
  });
});

describe('eviction answers', () => {
  const apiError = (code: number, body: object) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify(body) });

  it('must call a 429 a budget\'s refusal only with the DisruptionBudget cause', () => {
    const budget = evictionRefusal(apiError(429, { message: 'Cannot evict pod as it would violate the pod\'s disruption budget.',
      details: { causes: [{ reason: BUDGET_CAUSE, message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] } }));
    expect(budget).toMatchObject({ granted: false, status: 429, byBudget: true });
    expect(budget.message).toContain('needs 2 healthy pods');
    expect(evictionRefusal(apiError(429, { message: 'Too many requests, please try again later.' }))).toMatchObject({ status: 429, byBudget: false });
    expect(evictionRefusal(apiError(403, { message: 'forbidden', details: { causes: [{ reason: BUDGET_CAUSE }] } }))).toMatchObject({ status: 403, byBudget: false });
  });
});

describe('the nodes node-level cases may use', () => {
  it('must count Ready, schedulable, untainted nodes that are not the control plane', () => {
    expect(schedulableWorkers([
      node('cp', {}, { 'node-role.kubernetes.io/control-plane': '' }),
      node('w2'), node('w1'),
      node('cordoned', { unschedulable: true }),
      node('tainted', { taints: [{ key: 'x', effect: 'NoSchedule' }] }),
      node('soft', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
      node('down', {}, {}, undefined, 'Unknown'),
    ])).toEqual(['soft', 'w1', 'w2']);
  });

  it('must say why node-level cases skip: another run on the cluster, no right to cordon, or fewer than two workers', () => {
    expect(nodeLevelUnavailable({ mayCordon: true, workers: ['a', 'b'], otherRuns: ['r2 (host/12 run r2)'] }))
      .toMatch(/^skipped: run\(s\) r2 \(host\/12 run r2\) used this cluster at this run's start.*no other run uses$/);
    expect(nodeLevelUnavailable({ mayCordon: true, workers: ['a', 'b'], otherRuns: [] })).toBeUndefined();
    expect(nodeLevelUnavailable({ mayCordon: true, workers: ['a', 'b'] })).toBeUndefined();
    expect(nodeLevelUnavailable({ mayCordon: false, workers: ['a', 'b'] })).toMatch(/may not patch nodes.*workload-conformance-nodes/);
    expect(nodeLevelUnavailable({ mayCordon: true, workers: ['a'] })).toMatch(/had 1 schedulable worker node at the run's start.*need 2/);
  });
});
