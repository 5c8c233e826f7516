// The audit of one workload: its objects applied into a namespace the caller made (lib/audit/input.ts found them), then
// each check of lib/checks/ run on it in turn, the same functions the behaviour tests run on the reference workloads.
// The caller owns the namespace (made and removed as every test file's is); this creates only inside it.
import type { KubernetesObject, V1LabelSelector } from '@kubernetes/client-node';
import { deletionCheck } from '../checks/deletion.ts';
import { observeStartup, startupVerdict } from '../checks/startup.ts';
import { redundancyVerdict } from '../checks/redundancy.ts';
import { resourcesVerdict } from '../checks/resources.ts';
import type { Verdict } from '../checks/verdict.ts';
import { isPodReady } from '../kit/conditions.ts';
import { containerStatus } from '../kit/containers.ts';
import type { TestNamespace } from '../kit/fixture.ts';
import type { Place } from '../kit/kube.ts';
import { runLabels } from '../kit/labels.ts';
import { applyObjects, stampLabels } from '../kit/manifests.ts';
import { pods } from '../kit/sources.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { waitFor } from '../kit/wait.ts';
import type { AuditInput } from './input.ts';

export interface AuditPlace extends Place {
  runId: string;
  /** How many nodes an ordinary workload can be scheduled onto (the run's schedulable workers; 1 on a one-node cluster). */
  schedulableNodes: number;
  log(line: string): void;
}

export interface AuditReport {
  workload: { kind: string; name: string; replicas: number };
  namespace: string;
  /** The namespace's Pod Security level: restricted unless the user asked for baseline. */
  podSecurity: 'restricted' | 'baseline';
  service: { name: string; created: boolean; port: number; path: string };
  notes: string[];
  checks: Verdict[];
  durationSeconds: number;
}

/** Where a test file's namespace audits: its connection and run, the run's schedulable workers (1 on a one-node cluster), stderr. */
export function auditPlaceOf(t: TestNamespace): AuditPlace {
  return { kube: t.kube, ns: t.ns, runId: t.run.runId, schedulableNodes: Math.max(1, t.run.workers?.length ?? 1),
    log: (line) => process.stderr.write(`${line}\n`) };
}

/** A label selector as the API's query string: matchLabels and matchExpressions. */
export function selectorString(selector: V1LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map((e) => {
    switch (e.operator) {
      case 'In': return `${e.key} in (${(e.values ?? []).join(',')})`;
      case 'NotIn': return `${e.key} notin (${(e.values ?? []).join(',')})`;
      case 'Exists': return e.key;
      default: return `!${e.key}`;
    }
  });
  return [...labels, ...expressions].join(',');
}

/** Applies the workload and runs every check: start-up, redundancy, deletion, resources. */
export async function runAudit(place: AuditPlace, input: AuditInput, podSecurity: AuditReport['podSecurity'] = 'restricted'): Promise<AuditReport> {
  const started = Date.now();
  const { workload, target } = input;
  const spec = workload.object.spec;
  const replicas = spec.replicas ?? 1;
  const podSpec = spec.template.spec!;
  const container = podSpec.containers[0]!;
  const selector = selectorString(spec.selector);
  const checks: Verdict[] = [];
  const step = (line: string) => place.log(`[audit] ${workload.kind}/${workload.name}: ${line}`);

  step(`applying ${input.objects.length} object(s) into ${place.ns}`);
  await applyObjects(place.kube, place.ns, input.objects.map((o) => stampLabels(structuredClone(o) as KubernetesObject, runLabels(place.runId))));

  step(`start-up: waiting for ${replicas} pod(s) Ready (or a restart)`);
  const starts = await observeStartup(place, selector, replicas, container.name, TIMEOUTS.workload);
  checks.push(startupVerdict(starts, container));
  step(`start-up: ${checks.at(-1)!.verdict}: ${checks.at(-1)!.summary}`);

  const current = async () => (await place.kube.core.listNamespacedPod({ namespace: place.ns, labelSelector: selector })).items
    .filter((p) => !p.metadata?.deletionTimestamp);
  checks.push(redundancyVerdict(workload.kind, replicas, podSpec, await current(), place.schedulableNodes));
  step(`redundancy: ${checks.at(-1)!.verdict}: ${checks.at(-1)!.summary}`);

  const grace = podSpec.terminationGracePeriodSeconds ?? 30;
  // A pod whose container runs (Ready ones first): one waiting in a restart back-off has no process to signal.
  const victim = await waitFor({ ...pods(place.kube, place.ns, { labelSelector: selector }), description: `a pod of ${workload.name} whose ${container.name} runs`,
    predicate: (items) => {
      const running = items.filter((p) => !p.metadata?.deletionTimestamp && containerStatus(p, container.name)?.state?.running)
        .sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)) || a.metadata!.name!.localeCompare(b.metadata!.name!));
      return running[0] ? { done: true, value: running[0].metadata!.name! } : { done: false, note: `${items.length} pod(s), none running ${container.name}` };
    }, timeoutMs: TIMEOUTS.pod });
  step(`deletion: deleting ${victim} (grace ${grace} s)`);
  checks.push(await deletionCheck(place, victim, container.name, grace));
  step(`deletion: ${checks.at(-1)!.verdict}: ${checks.at(-1)!.summary}`);
  // The next check reads every replica: the controller's replacement is waited for (created; it may never turn Ready).
  await waitFor({ ...pods(place.kube, place.ns, { labelSelector: selector }), description: `${replicas} pod(s) of ${workload.name} again after the deletion`,
    predicate: (items) => {
      const live = items.filter((p) => !p.metadata?.deletionTimestamp);
      return live.length >= replicas ? { done: true, value: live } : { done: false, note: `${live.length} of ${replicas}` };
    }, timeoutMs: TIMEOUTS.pod });

  checks.push(resourcesVerdict(podSpec.containers, await current()));
  step(`resources: ${checks.at(-1)!.verdict}: ${checks.at(-1)!.summary}`);

  return {
    workload: { kind: workload.kind, name: workload.name, replicas },
    namespace: place.ns,
    podSecurity,
    service: { name: target.service.metadata?.name ?? '', created: target.created, port: target.port, path: target.path },
    notes: input.notes,
    checks,
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
