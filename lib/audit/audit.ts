// The audit of one workload: its objects applied into a namespace the caller made (lib/audit/input.ts found them), then
// each check of lib/checks/ run on it in turn, the same functions the behaviour tests run on the reference workloads.
// The caller owns the namespace (made and removed as every test file's is); this creates only inside it.
import { join } from 'node:path';
import type { KubernetesObject, V1LabelSelector } from '@kubernetes/client-node';
import { DELETION_QUESTION, deletionUnderLoadVerdict } from '../checks/deletion.ts';
import { DRAIN_QUESTION, drainVerdict, readyGapProblems } from '../checks/drain.ts';
import { EVICTION_QUESTION, evictionBlockedVerdict, evictionVerdict } from '../checks/eviction.ts';
import { RESTART_QUESTION, restartVerdict } from '../checks/restart.ts';
import { observeStartup, startupVerdict } from '../checks/startup.ts';
import { redundancyVerdict } from '../checks/redundancy.ts';
import { couldNotComplete } from '../checks/verdict.ts';
import { resourcesVerdict } from '../checks/resources.ts';
import { checkUnderLoad, type LoadPlace } from '../checks/under-load.ts';
import type { Verdict } from '../checks/verdict.ts';
import type { TestNamespace } from '../kit/fixture.ts';
import { runLabels } from '../kit/labels.ts';
import { applyObjects, stampLabels } from '../kit/manifests.ts';
import { PodObserver } from '../kit/pod-observer.ts';
import { sampleUsage, type UsagePeaks } from '../kit/pod-usage.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { podDeletion } from '../rollout/deletion.ts';
import { nodeDrain } from '../rollout/drain.ts';
import type { LoadPlan, UnderLoadTarget } from '../rollout/driver.ts';
import { EvictionRefused, evictAll } from '../rollout/eviction.ts';
import { rollingRestart } from '../rollout/restart.ts';
import type { AuditInput, WorkloadKind } from './input.ts';

export interface AuditPlace extends LoadPlace {
  runId: string;
  /** How many nodes an ordinary workload can be scheduled onto (the run's schedulable workers; 1 on a one-node cluster). */
  schedulableNodes: number;
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

/**
 * Where a test file's namespace audits `name`: its connection and run, the run's schedulable workers (1 on a one-node
 * cluster), the load generator's image, the reports in <reports>/audit-<name>/, stderr.
 */
export function auditPlaceOf(t: TestNamespace, name: string): AuditPlace {
  const loadgenImage = t.run.images.loadgen;
  return { kube: t.kube, ns: t.ns, runId: t.run.runId, schedulableNodes: Math.max(1, t.run.workers?.length ?? 1),
    apply: (file, vars) => t.apply(file, vars), loadgenImage, reportsDir: auditReportsDir(t.run.reportsDir, name),
    log: (line) => process.stderr.write(`${line}\n`) };
}

/** The audit's own directory of reports: the scorecard, its JSON, and each check under load's ledger and timeline. */
export const auditReportsDir = (reports: string, name: string): string => join(reports, `audit-${name}`);

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

/** The audit's load: both connection modes at `rate` each, at least 10 s of it, the rollout wing's load rule. */
export function auditLoadPlan(rate = AUDIT_RATE): LoadPlan {
  return { modes: ['fresh', 'keepalive'], ratePerSecond: rate, concurrency: 1024, timeoutMs: 10_000,
    minRequestsPerMode: rate * 10, warmupRequestsPerMode: rate * 2, movedTailSize: 100, maxSendGapMs: 1000 };
}

/**
 * Requests per second per connection mode, unless --rate: enough that a second of lost endpoints costs dozens of
 * requests (a loss cannot hide), light enough for several audits beside a suite on a 2-core machine.
 */
export const AUDIT_RATE = 50;

/**
 * Whether the audit drains one of the workload's nodes (cordon, evict its pods, uncordon): a node is not the audit's to
 * cordon unless the cluster is one the harness runs (kind) or the user asked; when not, why not (said in the notes).
 */
export type DrainPlan = { run: true } | { run: false; why: string };

/** The label that tells a pod's template apart: the controller's own hash. */
const versionLabel = (kind: WorkloadKind) => (kind === 'StatefulSet' ? 'controller-revision-hash' : 'pod-template-hash');

/** A check that threw (a wait that timed out, an API refusal) is a failed verdict saying so; the audit goes on. */
async function guarded(check: string, question: string, run: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await run();
  } catch (err) {
    return couldNotComplete(check, question, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Applies the workload and runs every check: start-up, redundancy, then under load deletion, rolling restart, eviction,
 * a drain of one node (when `drain` says so), then resources.
 */
export async function runAudit(place: AuditPlace, input: AuditInput, podSecurity: AuditReport['podSecurity'] = 'restricted',
  plan: LoadPlan = auditLoadPlan(), drain: DrainPlan = { run: false, why: 'not asked' }): Promise<AuditReport> {
  const started = Date.now();
  // Every pod of the workload over the whole audit, deleted ones too: the resources check counts their OOM kills and
  // restarts (the checks under load replace every pod; the ones left at the end saw none of it).
  const history = new PodObserver(place.kube, place.ns, selectorString(input.workload.object.spec.selector), () => undefined);
  await history.start();
  try {
    return await audit(place, input, podSecurity, plan, drain, history, started);
  } finally {
    history.stop();
  }
}

async function audit(place: AuditPlace, input: AuditInput, podSecurity: AuditReport['podSecurity'], plan: LoadPlan, drain: DrainPlan,
  history: PodObserver, started: number): Promise<AuditReport> {
  const { workload, target } = input;
  const spec = workload.object.spec;
  const podSpec = spec.template.spec!;
  const container = podSpec.containers[0]!;
  const selector = selectorString(spec.selector);
  // An HPA raises the workload to its minReplicas at once (its controller does so before it reads any metric).
  const hpaMin = (input.autoscaler as { spec?: { minReplicas?: number } } | undefined)?.spec?.minReplicas;
  const replicas = Math.max(spec.replicas ?? 1, hpaMin ?? 1);
  const checks: Verdict[] = [];
  const step = (line: string) => place.log(`[audit] ${workload.kind}/${workload.name}: ${line}`);
  const said = () => step(`${checks.at(-1)!.check}: ${checks.at(-1)!.verdict}: ${checks.at(-1)!.summary}`);

  step(`applying ${input.objects.length} object(s) into ${place.ns}`);
  const notes = [...input.notes];
  if (replicas !== (spec.replicas ?? 1)) notes.push(`${replicas} replicas: its HorizontalPodAutoscaler's minReplicas (the ${workload.kind} says ${spec.replicas ?? 1})`);
  if (!drain.run) notes.push(`no node drained: ${drain.why}`);
  for (const note of notes.slice(input.notes.length)) step(note);
  await applyObjects(place.kube, place.ns, input.objects.map((o) => stampLabels(structuredClone(o) as KubernetesObject, runLabels(place.runId))));

  step(`start-up: waiting for ${replicas} pod(s) Ready (or a restart)`);
  const starts = await observeStartup(place, selector, replicas, container.name, TIMEOUTS.workload);
  checks.push(startupVerdict(starts, container));
  said();

  const running = async () => (await place.kube.core.listNamespacedPod({ namespace: place.ns, labelSelector: selector })).items
    .filter((p) => !p.metadata?.deletionTimestamp);
  const pods = await running();
  checks.push(redundancyVerdict(workload.kind, replicas, podSpec, pods, place.schedulableNodes));
  said();

  // Under load: the user's workload as the rollout wing's target, its versions by the controller's hash; its answers
  // name no pod, so only failures are judged (every request counted by cause).
  const label = versionLabel(workload.kind);
  const version = pods.map((p) => p.metadata?.labels?.[label]).find(Boolean) ?? 'current';
  const grace = podSpec.terminationGracePeriodSeconds ?? 30;
  const under: UnderLoadTarget = {
    spec: { name: workload.name, image: container.image ?? '', args: container.args ?? [], port: target.port, readinessPath: '', requestPath: target.path,
      identify: { from: 'body' }, replicas, terminationGracePeriodSeconds: grace, from: { name: version }, to: { name: version } },
    kind: workload.kind, selector, versionOf: (pod) => pod.metadata?.labels?.[label],
    service: { name: target.service.metadata?.name ?? workload.name, nodePort: 0 }, attributed: false,
  };
  const titled = (what: string) => `Audit of ${workload.kind}/${workload.name}: ${what} under load`;
  // Peak CPU and memory over the three checks under load, for the resources check (or why not measured).
  const usage = sampleUsage(place, selector);
  let peaks: UsagePeaks | undefined;
  try {
    step(`deletion: one pod deleted under load (grace ${grace} s)`);
    checks.push(await guarded('deletion', DELETION_QUESTION, async () => {
      const deletion = podDeletion(container.name);
      const u = await checkUnderLoad(place, under, target.port, plan, deletion, 'deletion', titled('deletion of one pod'));
      const deleted = deletion.deleted();
      if (!deleted) throw new Error('the deletion did not capture the pod\'s exit');
      return deletionUnderLoadVerdict(deleted.exit, grace, u);
    }));
    said();

    step('rollout: a rolling restart under load (kubectl rollout restart)');
    checks.push(await guarded('rollout', RESTART_QUESTION, async () =>
      restartVerdict(await checkUnderLoad(place, under, target.port, plan, rollingRestart, 'rollout', titled('rolling restart')), container)));
    said();

    // The rolling restart made a new template: the checks after it name its version.
    const restarted = (await running()).map((p) => p.metadata?.labels?.[label]).find(Boolean);
    if (restarted) under.spec = { ...under.spec, from: { name: restarted }, to: { name: restarted } };

    step('eviction: every pod evicted at once under load, as a drain of their nodes asks');
    const hasBudget = input.budget !== undefined;
    const blocked = (err: EvictionRefused) => evictionBlockedVerdict(workload.kind, hasBudget, err.message, err.asked.filter((a) => a.answer.granted).length);
    checks.push(await guarded('eviction', EVICTION_QUESTION, async () => {
      const eviction = evictAll();
      try {
        const u = await checkUnderLoad(place, under, target.port, plan, eviction, 'eviction', titled('eviction of every pod'));
        return evictionVerdict(workload.kind, hasBudget, eviction.evidence()!, u);
      } catch (err) {
        if (err instanceof EvictionRefused) return blocked(err);
        throw err;
      }
    }));
    said();

    const evictionBlocked = checks.at(-1)!.evidence.refused !== undefined;
    if (drain.run && evictionBlocked) {
      notes.push('no node drained: its budget let no eviction through in the eviction check (a drain would wait as long)');
    } else if (drain.run) {
      step('drain: one node drained under load (cordon, evict its pods through their budget), as kubectl drain does');
      checks.push(await guarded('drain', DRAIN_QUESTION, async () => {
        const drained = nodeDrain(place.runId, TIMEOUTS.pod);
        try {
          // A stretch without a Ready pod fails the drain by itself: a run with one is never measured again.
          const u = await checkUnderLoad(place, under, target.port, plan, drained, 'drain', titled('drain of one node'),
            (first) => readyGapProblems(first.run, workload.name).gaps.length === 0);
          return drainVerdict(workload.kind, workload.name, hasBudget, drained.node(), u);
        } catch (err) {
          if (err instanceof EvictionRefused) return { ...blocked(err), check: 'drain', question: DRAIN_QUESTION };
          throw err;
        }
      }));
      said();
    }
  } finally {
    peaks = await usage.stop();
  }

  // OOM kills and restarts over the whole audit: every pod as last seen, the ones the checks replaced too.
  checks.push(resourcesVerdict(podSpec.containers, [...history.lastSeen.values()], peaks));
  said();

  return {
    workload: { kind: workload.kind, name: workload.name, replicas },
    namespace: place.ns,
    podSecurity,
    service: { name: target.service.metadata?.name ?? '', created: target.created, port: target.port, path: target.path },
    notes,
    checks,
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
