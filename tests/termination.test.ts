import type { Exit, Mark } from '../lib/kit/index.ts';
import { deletionVerdict } from '../lib/checks/index.ts';
import {
  actToFinishedSeconds, awaitPod, deletePodAndCaptureExit, execInPod, markAt, marksSince, orderViolation, parseMarks, podReady, runCase,
  sinceKubeletActed, startCase, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Deletion: preStop, SIGTERM and the grace period';
const t = useTestNamespace('termination');

// Values from manifests/termination.yaml.
const TASK_SECONDS = 8;
const LONG_GRACE_SECONDS = 20;
const SHORT_GRACE_SECONDS = 3;
// The cut-short worker's task: far longer than its grace period plus the kubelet's slack. With the 8 s task the
// kubelet, reacting to the delete seconds late on a busy node, once let the task finish before its SIGKILL (exit 0).
const LONG_TASK_SECONDS = 30;
const IGNORER_GRACE_SECONDS = 4;
const HANDLER_GRACE_SECONDS = 30;
// After a preStop hook that used up the grace period the kubelet still gives the container this long between
// SIGTERM and SIGKILL (minimumGracePeriodInSeconds in kuberuntime_container.go).
const KUBELET_MINIMUM_STOP_SECONDS = 2;
// The grace period runs from when the kubelet acts on the delete, which it learns of through its watch (0.2 s on an
// idle machine, 2-3 s on this shared 2-core one). That moment is bracketed on the node's clock, the clock of the
// container's marks and of finishedAt: no earlier than the kubelet's Killing event, which it records first (whole
// seconds, truncated), no later than its first act the container saw (the preStop hook's first mark, or SIGTERM
// when there is no hook). A deadline kept "G after the kubelet acted" therefore lies in [event + G, first act + G];
// the checks use that bracket. No interval is taken between this process's clock and the node's: on a remote cluster
// they differ by any skew. (The Killing event's whole seconds let a kubelet that cut G short by under 1 s pass.)
// Slack for the container's own marks: a handler's wake-up, the preStop hook's start-up (a shell) and its 0.2 s poll.
const MARK_TOLERANCE_SECONDS = 1;
// From the task's end to the worker's exit, both the worker's own marks: the hook's 0.2 s poll sees the task done
// and returns, the kubelet learns of it and has containerd send SIGTERM through the shim and runc, the worker's
// handler runs. Seen: 0.32 s on a quiet machine; 1.77 s at load average ~22 (1.45 s of it from the hook's end to SIGTERM).
// What it rules out is the pod kept to its deadline: 20 s after the delete, 12 s after the task's end.
const TASK_DONE_TO_EXIT_SECONDS = 3;
// From a SIGTERM mark to the runtime's finishedAt, around the time K the kubelet set between SIGTERM and SIGKILL:
// - earlier by up to 1.5 s: finishedAt is truncated to the second (up to 1 s early) and the mark may lag its
//   signal by the shell's wake-up (the mark reads a variable, no process is started);
// - later by up to 2.5 s: containerd starts its K-second timer only once its SIGTERM call has returned, and its
//   SIGKILL goes through the shim and runc again. Seen on this machine, quiet: containerd's log Stop -> Kill
//   4.53 s for K = 4 and 2.57 s for K = 2; SIGTERM mark -> finishedAt 5.11 s for K = 4 (so at least 1.1 s late).
const KILL_EARLY_SECONDS = 1.5;
const KILL_LATE_SECONDS = 2.5;

/** The SIGKILL came K seconds after SIGTERM, within the bracket above. */
function expectKilledAfter(sigtermToKillSeconds: number, k: number): void {
  expect(sigtermToKillSeconds).toBeGreaterThanOrEqual(k - KILL_EARLY_SECONDS);
  expect(sigtermToKillSeconds).toBeLessThanOrEqual(k + KILL_LATE_SECONDS);
}
const KILL_BRACKET = `-${KILL_EARLY_SECONDS} s / +${KILL_LATE_SECONDS} s`;

// Tells the worker to take its task (SIGUSR1 to PID 1) and returns once the worker has marked it started.
const START_TASK = ['sh', '-c', 'kill -USR1 1 && until grep -q task-start /dev/termination-log; do sleep 0.1; done'];

interface Ending {
  exit: Exit;
  marks: Mark[];
  /** At most this long from the kubelet's act to the exit by the container's own last mark, when it made one. */
  actToLastMarkSeconds?: number;
  /** At most this long from the kubelet's act to the exit by the runtime's finishedAt (whole seconds). */
  actToFinishedSeconds?: number;
}


/** Waits for the pod to be ready (its traps set), starts its task if asked, deletes it, and reads its end. */
async function deleteAndRead(pod: string, startTask: boolean): Promise<Ending> {
  await awaitPod(t, pod, podReady(), `${pod} to have set its signal handlers (Ready)`);
  if (startTask) {
    const started = await execInPod(t.kube, t.ns, pod, 'worker', START_TASK, 30_000);
    if (started.exitCode !== 0) throw new Error(`starting the task in ${pod} failed: ${started.stderr}`);
  }
  const exit = await deletePodAndCaptureExit(t, pod, 'worker');
  const marks = parseMarks(exit.terminated.message);
  const lastMark = marks.at(-1);
  return {
    exit, marks,
    actToFinishedSeconds: actToFinishedSeconds(exit),
    actToLastMarkSeconds: lastMark?.event === 'exit' ? sinceKubeletActed(exit.kubeletActed, lastMark.atMs) : undefined,
  };
}

function report(seen: Record<string, unknown>, ending: Ending, graceSeconds: number, kubeletsFirstAct: string): void {
  Object.assign(seen, {
    killingEvent: { at: new Date(ending.exit.kubeletActed.atMs).toISOString(), message: ending.exit.kubeletActed.message,
      toFirstActMarkSeconds: sinceAct(ending, kubeletsFirstAct) },
    deletionTimestamp: ending.exit.deletionTimestamp,
    graceSeconds, deletionGracePeriodSeconds: ending.exit.deletionGracePeriodSeconds,
    exitCode: ending.exit.terminated.exitCode, reason: ending.exit.terminated.reason,
    // Node clock from the Killing event (at most, see sinceKubeletActed); the watch's is this process's clock alone.
    actToExitSecondsAtMost: { byOwnExitMark: ending.actToLastMarkSeconds, byFinishedAt: ending.actToFinishedSeconds },
    deleteToExitSecondsByWatch: (ending.exit.observedAtMs - ending.exit.deleteSentAtMs) / 1000,
    marksSecondsAfterKillingEvent: marksSince(ending.marks, ending.exit.kubeletActed.atMs),
  });
  // The event comes before the kubelet's first act on the node's one clock; were it later, the two were not one clock.
  expect(sinceAct(ending, kubeletsFirstAct)).toBeGreaterThanOrEqual(0);
}

/** Seconds from one mark to another (NaN when either is missing, which fails any comparison). */
const between = (ending: Ending, from: string, to: string): number =>
  ((markAt(ending.marks, to) ?? NaN) - (markAt(ending.marks, from) ?? NaN)) / 1000;

/** At most this many seconds from the kubelet's act (its Killing event) to a mark, on the node's clock (NaN when unmarked). */
const sinceAct = (ending: Ending, event: string): number => sinceKubeletActed(ending.exit.kubeletActed, markAt(ending.marks, event) ?? NaN);

/** Seconds from a mark to the runtime's finishedAt (whole seconds, truncated). */
const markToFinished = (ending: Ending, from: string): number => {
  const finished = ending.exit.terminated.finishedAt;
  return ((finished === undefined ? NaN : new Date(finished).getTime()) - (markAt(ending.marks, from) ?? NaN)) / 1000;
};

let finishes: Promise<void>;
let cutShort: Promise<void>;
let handles: Promise<void>;
let ignores: Promise<void>;

beforeAll(async () => {
  await t.apply('termination.yaml');

  finishes = startCase(() => runCase(BEHAVIOUR, `task ${TASK_SECONDS} s, grace ${LONG_GRACE_SECONDS} s, preStop waits`, async (seen) => {
    const ending = await deleteAndRead('worker-finishes', true);
    report(seen, ending, LONG_GRACE_SECONDS, 'prestop-start');
    const taskRanSeconds = between(ending, 'task-start', 'task-done');
    const taskDoneToExit = between(ending, 'task-done', 'exit');
    Object.assign(seen, { taskRanSeconds, taskDoneToExitSeconds: taskDoneToExit,
      hookEndToSigtermSeconds: between(ending, 'prestop-end', 'sigterm') });
    expect(ending.exit.terminated.exitCode).toBe(0);
    // The hook started on the delete and ended when the task did; only then came SIGTERM, and the exit.
    expect(orderViolation(ending.marks, ['task-start', 'prestop-start', 'task-done', 'prestop-end', 'sigterm', 'exit'])).toBeUndefined();
    expect(Math.abs(taskRanSeconds - TASK_SECONDS)).toBeLessThanOrEqual(MARK_TOLERANCE_SECONDS);
    // The pod lived as long as its task needed (started just before the delete), not to its 20 s deadline.
    expect(taskDoneToExit).toBeLessThanOrEqual(TASK_DONE_TO_EXIT_SECONDS);
    expect(ending.actToLastMarkSeconds).toBeLessThan(LONG_GRACE_SECONDS);
  }));

  cutShort = startCase(() => runCase(BEHAVIOUR, `control: task ${LONG_TASK_SECONDS} s, grace ${SHORT_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('worker-cut-short', true);
    report(seen, ending, SHORT_GRACE_SECONDS, 'prestop-start');
    const sigterm = sinceAct(ending, 'sigterm');
    const hookStartToSigterm = between(ending, 'prestop-start', 'sigterm');
    const sigtermToKill = markToFinished(ending, 'sigterm');
    Object.assign(seen, { killingEventToSigtermSeconds: sigterm, hookStartToSigtermSeconds: hookStartToSigterm,
      sigtermToKillSeconds: sigtermToKill, kubeletMinimumStopSeconds: KUBELET_MINIMUM_STOP_SECONDS });
    expect(ending.exit.terminated.exitCode).toBe(137);
    expect(markAt(ending.marks, 'task-done')).toBeUndefined();
    expect(markAt(ending.marks, 'prestop-end')).toBeUndefined();
    // The hook was still waiting when the grace period ran out: SIGTERM then, SIGKILL 2 s later.
    expect(sigterm).toBeGreaterThanOrEqual(SHORT_GRACE_SECONDS);
    expect(hookStartToSigterm).toBeLessThanOrEqual(SHORT_GRACE_SECONDS + MARK_TOLERANCE_SECONDS);
    expectKilledAfter(sigtermToKill, KUBELET_MINIMUM_STOP_SECONDS);
  }));

  handles = startCase(() => runCase(BEHAVIOUR, `handles SIGTERM, grace ${HANDLER_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('handles-sigterm', false);
    report(seen, ending, HANDLER_GRACE_SECONDS, 'sigterm');
    const sigtermToExit = between(ending, 'sigterm', 'exit');
    // The audit's deletion check, on the same ending: it must pass here and fail on the control below.
    const verdict = deletionVerdict(ending.exit, HANDLER_GRACE_SECONDS);
    Object.assign(seen, { sigtermToExitSeconds: sigtermToExit, deletionCheck: verdict.summary });
    expect(verdict.verdict).toBe('pass');
    expect(ending.exit.terminated.exitCode).toBe(0);
    expect(orderViolation(ending.marks, ['worker-start', 'sigterm', 'exit'])).toBeUndefined();
    expect(sigtermToExit).toBeLessThanOrEqual(MARK_TOLERANCE_SECONDS);
  }));

  ignores = startCase(() => runCase(BEHAVIOUR, `control: ignores SIGTERM, grace ${IGNORER_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('ignores-sigterm', false);
    report(seen, ending, IGNORER_GRACE_SECONDS, 'sigterm-ignored');
    const sigtermToKill = markToFinished(ending, 'sigterm-ignored');
    const verdict = deletionVerdict(ending.exit, IGNORER_GRACE_SECONDS);
    Object.assign(seen, { sigtermToKillSeconds: sigtermToKill, deletionCheck: verdict.summary });
    expect(verdict.verdict).toBe('fail');
    expect(ending.exit.terminated.exitCode).toBe(137);
    // Killed G after the kubelet acted: no sooner than G after its Killing event, no later than G after SIGTERM arrived.
    expect(ending.actToFinishedSeconds).toBeGreaterThanOrEqual(IGNORER_GRACE_SECONDS);
    expectKilledAfter(sigtermToKill, IGNORER_GRACE_SECONDS);
  }));
});

test(`a worker whose preStop hook waits for its ${TASK_SECONDS} s task, with a ${LONG_GRACE_SECONDS} s grace period, finishes the task and exits 0 within ${TASK_DONE_TO_EXIT_SECONDS} s of the task's end, SIGTERM coming only after the hook returned`,
  () => finishes);

test(`the same worker with a ${LONG_TASK_SECONDS} s task and a ${SHORT_GRACE_SECONDS} s grace period gets SIGTERM when its grace period ends (no sooner than ${SHORT_GRACE_SECONDS} s after the kubelet's Killing event, whole seconds; no later than ${SHORT_GRACE_SECONDS} s after its hook started, +${MARK_TOLERANCE_SECONDS} s) and is SIGKILLed (exit 137) ${KUBELET_MINIMUM_STOP_SECONDS} s later (${KILL_BRACKET}), its task unfinished`,
  () => cutShort);

test(`a process that handles SIGTERM exits 0 within ${MARK_TOLERANCE_SECONDS} s of receiving it, not at its ${HANDLER_GRACE_SECONDS} s deadline`,
  () => handles);

test(`a process that ignores SIGTERM is SIGKILLed (exit 137) only when its ${IGNORER_GRACE_SECONDS} s grace period has passed since SIGTERM (${KILL_BRACKET}) and since the kubelet's Killing event`,
  () => ignores);
