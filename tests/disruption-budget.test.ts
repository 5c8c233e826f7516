import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { budgetHonoured, refusedByBudget, type EvictionRecord } from '../lib/checks/index.ts';
import {
  disruptionBudgets, evictPod, isPodReady, podReady, pods, runCase, startCase, useTestNamespace, waitFor,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'PodDisruptionBudgets are honoured by the Eviction API';
const t = useTestNamespace('disruption-budget');

// Every pod turns Ready 10 s after it starts (manifests/disruption-budget.yaml), plus start-up on a busy node.
const READY_TIMEOUT_MS = 120_000;

const selector = (name: string, ready?: 'yes' | 'no'): string =>
  `app.kubernetes.io/name=${name}${ready ? `,workload-conformance.io/ready=${ready}` : ''}`;

async function readyPods(name: string, count: number): Promise<V1Pod[]> {
  return waitFor({ ...pods(t.kube, t.ns, { labelSelector: selector(name, 'yes') }), description: `${count} Ready pods of ${name}`,
    predicate: podReady(count), timeoutMs: READY_TIMEOUT_MS });
}

async function evict(pod: string): Promise<EvictionRecord> {
  const answer = await evictPod(t.kube, t.ns, pod);
  return { pod, atMs: Date.now(), answer };
}

/** The budget as the disruption controller last computed it. */
async function budgetSays(name: string, done: (b: V1PodDisruptionBudget) => boolean, what: string): Promise<V1PodDisruptionBudget> {
  const [budget] = await waitFor({ ...disruptionBudgets(t.kube, t.ns, { name }), description: `PodDisruptionBudget ${name} to ${what}`,
    predicate: (items: V1PodDisruptionBudget[]) => items[0] && done(items[0]) ? { done: true, value: items }
      : { done: false, note: JSON.stringify(items[0]?.status ?? {}) },
    timeoutMs: READY_TIMEOUT_MS });
  return budget!;
}

/**
 * Evicts one pod, then at once another, then (once the first one's replacement is Ready, and the budget has counted
 * it) the second again: the sequence budgetHonoured judges.
 */
async function evictTwoThenAgain(name: string, withBudget: boolean): Promise<{ records: EvictionRecord[]; replacementReadyAtMs?: number; verdict: ReturnType<typeof budgetHonoured> }> {
  const before = await readyPods(name, 3);
  if (withBudget) await budgetSays(name, (b) => (b.status?.disruptionsAllowed ?? 0) === 1, 'allow one disruption');
  const original = new Set(before.map((p) => p.metadata!.name!));
  const [a, b] = before.map((p) => p.metadata!.name!);
  const first = await evict(a!);
  const next = await evict(b!);
  if (next.answer.granted) return { records: [first, next], verdict: budgetHonoured(first, next) };
  const fresh = await waitFor({ ...pods(t.kube, t.ns, { labelSelector: selector(name, 'yes') }), description: `a Ready replacement for ${a} in ${name}`,
    predicate: (items: V1Pod[]) => {
      const replacement = items.find((p) => !original.has(p.metadata?.name ?? '') && isPodReady(p));
      return replacement ? { done: true, value: replacement } : { done: false, note: `${items.length} pods, no new one Ready` };
    }, timeoutMs: READY_TIMEOUT_MS });
  const replacementReadyAtMs = Date.now();
  await budgetSays(name, (bud) => (bud.status?.disruptionsAllowed ?? 0) >= 1, `allow a disruption again (after ${fresh.metadata?.name} turned Ready)`);
  const again = await evict(b!);
  return { records: [first, next, again], replacementReadyAtMs, verdict: budgetHonoured(first, next, replacementReadyAtMs, again) };
}

const show = (records: EvictionRecord[], since: number) => records.map((r) => ({ pod: r.pod, afterSeconds: (r.atMs - since) / 1000,
  answer: r.answer.granted ? 'granted' : `${r.answer.status}${r.answer.byBudget ? ' DisruptionBudget' : ''}: ${r.answer.message}` }));

let guarded: Promise<void>;
let unguarded: Promise<void>;
let alwaysAllow: Promise<void>;
let ifHealthy: Promise<void>;

beforeAll(async () => {
  await t.apply('disruption-budget.yaml');

  guarded = startCase(() => runCase(BEHAVIOUR, 'minAvailable 2 of 3: one eviction at a time', async (seen) => {
    const since = Date.now();
    const r = await evictTwoThenAgain('guarded', true);
    Object.assign(seen, { evictions: show(r.records, since), replacementReadyAfterSeconds: r.replacementReadyAtMs && (r.replacementReadyAtMs - since) / 1000,
      failures: r.verdict.failures });
    expect(r.verdict.failures).toEqual([]);
  }));

  unguarded = startCase(() => runCase(BEHAVIOUR, 'control: no budget', async (seen) => {
    const since = Date.now();
    const r = await evictTwoThenAgain('unguarded', false);
    Object.assign(seen, { evictions: show(r.records, since), checkFailures: r.verdict.failures });
    expect(r.records.every((rec) => rec.answer.granted)).toBe(true);
    expect(r.verdict.held).toBe(false);
    expect(r.verdict.failures.join('; ')).toContain('granted while the first one\'s replacement was not Ready');
  }));

  // The pair from test/e2e/apps/disruption.go's idea: the same not-ready pod under an already disrupted budget
  // (2 healthy of the 3 it needs), evicted under each unhealthyPodEvictionPolicy.
  const notReadyEviction = async (name: string) => {
    await readyPods(name, 2);
    const [sick] = await waitFor({ ...pods(t.kube, t.ns, { labelSelector: selector(name, 'no') }), description: `the never-Ready pod of ${name} running`,
      predicate: (items: V1Pod[]) => items[0]?.status?.phase === 'Running' ? { done: true, value: items } : { done: false, note: items[0]?.status?.phase ?? 'none' },
      timeoutMs: READY_TIMEOUT_MS });
    const budget = await budgetSays(name, (b) => b.status?.currentHealthy === 2 && b.status?.expectedPods === 3, 'count 2 healthy of 3 pods');
    const record = await evict(sick!.metadata!.name!);
    return { record, budget: budget.status, verdict: refusedByBudget(record) };
  };

  alwaysAllow = startCase(() => runCase(BEHAVIOUR, 'unhealthyPodEvictionPolicy AlwaysAllow: a not-ready pod under a disrupted budget', async (seen) => {
    const r = await notReadyEviction('sick-always');
    Object.assign(seen, { budget: r.budget, eviction: show([r.record], r.record.atMs)[0], refusedByBudgetFailures: r.verdict.failures });
    expect(r.record.answer.granted).toBe(true);
    expect(r.verdict.held).toBe(false);
  }));

  ifHealthy = startCase(() => runCase(BEHAVIOUR, 'unhealthyPodEvictionPolicy IfHealthyBudget: the same not-ready pod', async (seen) => {
    const r = await notReadyEviction('sick-if-healthy');
    Object.assign(seen, { budget: r.budget, eviction: show([r.record], r.record.atMs)[0] });
    expect(r.verdict.failures).toEqual([]);
  }));
});

test('with a PodDisruptionBudget of minAvailable 2 over 3 Ready pods, the Eviction API grants the first eviction, refuses the next (429 with the DisruptionBudget cause, not just any 429) while the first one\'s replacement is not Ready, and grants it once the replacement is Ready',
  () => guarded);

test('negative control: without a budget both evictions are granted at once, and the same check fails on them',
  () => unguarded);

test('under a budget already short of healthy pods, unhealthyPodEvictionPolicy AlwaysAllow lets the Eviction API evict a running pod that is not Ready (the budget-refusal check fails on it)',
  () => alwaysAllow);

test('under the same budget with unhealthyPodEvictionPolicy IfHealthyBudget, the Eviction API refuses that not-Ready pod (429, DisruptionBudget)',
  () => ifHealthy);
