// The node-loss checks: what the platform promises when a node stops answering, each one function from the
// evidence (lib/kit/node-loss.ts records it) to a verdict that lists every failure. Pure: the behaviour test and
// an audit of a user's workload call the same functions, and a negative control is the same call on evidence
// that must fail it.
import type { PodSighting } from '../kit/index.ts';

export interface CheckVerdict {
  passed: boolean;
  failures: string[];
}

const verdict = (failures: string[]): CheckVerdict => ({ passed: failures.length === 0, failures });
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * kube-controller-manager's node lifecycle timers and the kubelet's heartbeat, Kubernetes 1.37 defaults
 * (pkg/controller/nodelifecycle/config/v1alpha1/defaults.go; pkg/kubelet/apis/config/v1beta1/defaults.go).
 */
export interface NodeLossTimers {
  /** --node-monitor-grace-period: a node silent this long is marked Ready=Unknown (40 s before 1.32, 50 s since). */
  monitorGracePeriodMs: number;
  /** --node-monitor-period: how often the controller looks. */
  monitorPeriodMs: number;
  /** The kubelet renews its node Lease every nodeLeaseDurationSeconds (40 s) / 4: its last renewal is up to this old. */
  leaseRenewMs: number;
  /** Scheduling, start-up and the watch's own delay: what a busy 2-core machine adds to each step. */
  slackMs: number;
}

export const DEFAULT_TIMERS: NodeLossTimers = { monitorGracePeriodMs: 50_000, monitorPeriodMs: 5_000, leaseRenewMs: 10_000, slackMs: 5_000 };

export interface NodeLossEvidence {
  node: string;
  /** `docker stop` issued (the kubelet starts dying) and returned (it is dead). */
  stopIssuedAtMs: number;
  stoppedAtMs: number;
  notReadyAtMs?: number;
  readyStatus?: string;
  taintedAtMs?: number;
  observedUntilMs: number;
}

/**
 * The node controller marks the lost node not Ready (Unknown) once its grace period has passed without a heartbeat
 * — neither before (the last heartbeat came at most one lease renewal before the stop) nor much after (one monitor
 * period) — and taints it node.kubernetes.io/unreachable:NoExecute within a monitor period of that.
 */
export function nodeMarkedUnreachable(e: NodeLossEvidence, timers: NodeLossTimers = DEFAULT_TIMERS): CheckVerdict {
  const failures: string[] = [];
  const earliest = e.stopIssuedAtMs + timers.monitorGracePeriodMs - timers.leaseRenewMs - timers.slackMs;
  const latest = e.stoppedAtMs + timers.monitorGracePeriodMs + timers.monitorPeriodMs + timers.slackMs;
  if (e.notReadyAtMs === undefined) {
    failures.push(`node ${e.node} was never seen not Ready in the ${seconds(e.observedUntilMs - e.stoppedAtMs)} observed after its stop`);
  } else {
    if (e.notReadyAtMs < earliest) {
      failures.push(`node ${e.node} turned Ready=${e.readyStatus} ${seconds(e.notReadyAtMs - e.stopIssuedAtMs)} after its stop, before the ` +
        `${seconds(timers.monitorGracePeriodMs)} grace period could have run out (its last heartbeat is at most ${seconds(timers.leaseRenewMs)} old): not the node controller's doing`);
    }
    if (e.notReadyAtMs > latest) {
      failures.push(`node ${e.node} turned not Ready ${seconds(e.notReadyAtMs - e.stoppedAtMs)} after its stop completed, later than the grace period ` +
        `${seconds(timers.monitorGracePeriodMs)} + monitor period ${seconds(timers.monitorPeriodMs)} + ${seconds(timers.slackMs)}`);
    }
    if (e.readyStatus === 'True') failures.push(`node ${e.node} is still Ready`);
  }
  if (e.taintedAtMs === undefined) {
    failures.push(`node ${e.node} was never tainted node.kubernetes.io/unreachable:NoExecute in the ${seconds(e.observedUntilMs - e.stoppedAtMs)} observed`);
  } else if (e.notReadyAtMs !== undefined && e.taintedAtMs > e.notReadyAtMs + timers.monitorPeriodMs + timers.slackMs) {
    failures.push(`node ${e.node} was tainted unreachable ${seconds(e.taintedAtMs - e.notReadyAtMs)} after it turned not Ready, ` +
      `later than a monitor period ${seconds(timers.monitorPeriodMs)} + ${seconds(timers.slackMs)}`);
  }
  return verdict(failures);
}

export interface EvictionEvidence {
  node: string;
  /** When the node was lost (its stop issued: the kubelet's heartbeats end there). */
  lostAtMs: number;
  taintedAtMs?: number;
  observedUntilMs: number;
  /** The workload's pod on the node when it was stopped. */
  original: PodSighting;
  /** Every other pod of the workload seen while the node was lost. */
  others: PodSighting[];
}

export interface EvictionVerdict extends CheckVerdict {
  evictedAfterMs?: number;
  replacement?: { name: string; node?: string; readyAfterMs: number };
}

/**
 * The pod on the lost node is evicted (deletionTimestamp set) once its unreachable toleration has run out after the
 * taint, not before, and a replacement is Ready on another node, both within `withinMs` of the node's loss.
 */
export function evictedAndReplaced(e: EvictionEvidence, withinMs: number): EvictionVerdict {
  const failures: string[] = [];
  const { original: pod } = e;
  if (pod.node !== e.node) failures.push(`pod ${pod.name} ran on node ${pod.node ?? '(none)'}, not on the lost node ${e.node}`);
  const evictedAfterMs = pod.deletionSeenAtMs === undefined ? undefined : pod.deletionSeenAtMs - e.lostAtMs;
  if (evictedAfterMs === undefined) {
    failures.push(`pod ${pod.name} was not evicted: no deletionTimestamp in the ${seconds(e.observedUntilMs - e.lostAtMs)} observed after the node was lost`);
  } else {
    if (evictedAfterMs > withinMs) failures.push(`pod ${pod.name} was evicted ${seconds(evictedAfterMs)} after the node was lost, later than ${seconds(withinMs)}`);
    const toleration = Math.min(...(pod.unreachableTolerationSeconds ?? []));
    // The eviction is timed from the taint the toleration is about; a second of watch delay either way.
    if (e.taintedAtMs !== undefined && Number.isFinite(toleration) && pod.deletionSeenAtMs! < e.taintedAtMs + toleration * 1000 - 1000) {
      failures.push(`pod ${pod.name} was evicted ${seconds(pod.deletionSeenAtMs! - e.taintedAtMs)} after the unreachable taint, before its ` +
        `tolerationSeconds ${toleration} ran out`);
    }
  }
  const replacements = e.others
    .filter((p) => p.readyAtMs !== undefined && p.node !== undefined && p.node !== e.node)
    .sort((a, b) => a.readyAtMs! - b.readyAtMs!);
  const first = replacements[0];
  const replacement = first ? { name: first.name, ...(first.node ? { node: first.node } : {}), readyAfterMs: first.readyAtMs! - e.lostAtMs } : undefined;
  if (!replacement) {
    const elsewhere = e.others.map((p) => `${p.name} on ${p.node ?? '(unscheduled)'}${p.ready ? ' Ready' : ` ${p.phase ?? 'Pending'}`}`);
    failures.push(`no replacement of pod ${pod.name} was Ready on another node than ${e.node} in the ${seconds(e.observedUntilMs - e.lostAtMs)} observed` +
      (elsewhere.length ? ` (seen: ${elsewhere.join(', ')})` : ' (no other pod was created)'));
  } else if (replacement.readyAfterMs > withinMs) {
    failures.push(`replacement ${replacement.name} on ${replacement.node} was Ready ${seconds(replacement.readyAfterMs)} after the node was lost, later than ${seconds(withinMs)}`);
  }
  return { ...verdict(failures), ...(evictedAfterMs !== undefined ? { evictedAfterMs } : {}), ...(replacement ? { replacement } : {}) };
}

/** The first pod of a workload as the stop found it, and the pods it is compared with. */
export interface IdentityState {
  original: { name: string; uid: string; node: string };
  /** The workload's pods now (the original among them, as long as it exists). */
  pods: Array<Pick<PodSighting, 'name' | 'uid' | 'node' | 'phase' | 'ready' | 'terminating'>>;
}

/**
 * At most one pod per identity while its node is unreachable: the original pod object still holds its place (it
 * cannot be confirmed dead, so it may not be deleted), and no other pod — under its name or any other — has been
 * created to take it.
 */
export function notReplacedWhileUnreachable(s: IdentityState): CheckVerdict {
  const failures: string[] = [];
  const { original } = s;
  const still = s.pods.find((p) => p.uid === original.uid);
  if (!still) failures.push(`pod ${original.name} (uid ${original.uid}) on the lost node ${original.node} is gone from the API: its identity is free to take`);
  else if (still.node !== original.node) failures.push(`pod ${original.name} is bound to ${still.node}, not the lost node ${original.node}`);
  for (const other of s.pods.filter((p) => p.uid !== original.uid)) {
    failures.push(`pod ${other.name} (uid ${other.uid}, ${other.phase ?? 'Pending'}${other.ready ? ', Ready' : ''}) on ${other.node ?? '(unscheduled)'} ` +
      `takes the place of ${original.name} on the lost node ${original.node}`);
  }
  return verdict(failures);
}
