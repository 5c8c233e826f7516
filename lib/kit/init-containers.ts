import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Predicate } from './wait.ts';

// The kubelet's account of init containers is status.initContainerStatuses, in spec order; the app
// containers' is status.containerStatuses. These read both for the init-container behaviour.

export interface InitRun {
  name: string;
  exitCode?: number;
  reason?: string;
  restartCount: number;
  startedAt?: string;
  finishedAt?: string;
}

const iso = (time: Date | undefined): string | undefined => (time === undefined ? undefined : new Date(time).toISOString());

function runOf(status: V1ContainerStatus): InitRun {
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  const reason = status.state?.waiting?.reason ?? status.state?.terminated?.reason ??
    (status.state?.running ? 'Running' : terminated?.reason);
  return {
    name: status.name, exitCode: terminated?.exitCode, reason,
    restartCount: status.restartCount, startedAt: iso(terminated?.startedAt), finishedAt: iso(terminated?.finishedAt),
  };
}

/** Each init container's (latest) run, in spec order. */
export function initRuns(pod: V1Pod): InitRun[] {
  return (pod.status?.initContainerStatuses ?? []).map(runOf);
}

/** When the app container started running (its current run), or undefined if it never did. */
export function appStartedAt(pod: V1Pod, app: string): string | undefined {
  const status = pod.status?.containerStatuses?.find((c) => c.name === app);
  return iso(status?.state?.running?.startedAt ?? status?.state?.terminated?.startedAt ?? status?.lastState?.terminated?.startedAt);
}

/**
 * Why the kubelet's times break "each init container ran to completion, in order, before the app", or
 * undefined. API times have one-second resolution, so the comparisons allow equal seconds.
 */
export function initOrderViolation(pod: V1Pod, app: string): string | undefined {
  const runs = initRuns(pod);
  if (runs.length === 0) return 'the pod reports no init containers';
  let previousEnd: { name: string; at: string } | undefined;
  for (const run of runs) {
    if (run.exitCode !== 0 || run.reason !== 'Completed') return `init container ${run.name} did not complete (exit ${run.exitCode}, ${run.reason})`;
    if (run.restartCount !== 0) return `init container ${run.name} ran ${run.restartCount + 1} times`;
    if (!run.startedAt || !run.finishedAt) return `init container ${run.name} has no start or finish time`;
    if (previousEnd && run.startedAt < previousEnd.at) return `${run.name} started (${run.startedAt}) before ${previousEnd.name} finished (${previousEnd.at})`;
    previousEnd = { name: run.name, at: run.finishedAt };
  }
  const started = appStartedAt(pod, app);
  if (!started) return `the app container ${app} has not started`;
  if (previousEnd && started < previousEnd.at) return `${app} started (${started}) before ${previousEnd.name} finished (${previousEnd.at})`;
  return undefined;
}

export interface HeldBack {
  phase?: string;
  /** kubectl's STATUS column for such a pod: Init:<reason> of the failing init container. */
  initStatus: string;
  initRestarts: number;
  initExitCode?: number;
  appWaitingReason?: string;
}

/**
 * Holds while the app container has never started: no running or terminated state, no restart, the pod still
 * Pending. Its value is how the failing init container is doing at that moment.
 */
export const appHeldBack = (init: string, app: string): Predicate<V1Pod, HeldBack> => (items) => {
  const pod = items[0];
  if (!pod) return { done: false, note: 'the pod is gone' };
  const appStatus = pod.status?.containerStatuses?.find((c) => c.name === app);
  if (appStatus?.state?.running || appStatus?.state?.terminated || appStatus?.lastState?.terminated || (appStatus?.restartCount ?? 0) > 0) {
    return { done: false, note: `app container ${app} started (${JSON.stringify(appStatus?.state)})` };
  }
  if (pod.status?.phase !== 'Pending') return { done: false, note: `the pod is ${pod.status?.phase}, not Pending` };
  const initStatus = pod.status?.initContainerStatuses?.find((c) => c.name === init);
  const run = initStatus ? runOf(initStatus) : undefined;
  return {
    done: true,
    value: {
      phase: pod.status?.phase, initStatus: `Init:${run?.reason ?? 'waiting'}`, initRestarts: run?.restartCount ?? 0,
      initExitCode: run?.exitCode, appWaitingReason: appStatus?.state?.waiting?.reason,
    },
  };
};
