import type { Exit, Mark } from '../lib/kit/index.ts';
import {
  awaitPod, deletePodAndCaptureExit, deleteToExitSeconds, execInPod, markAt, marksSince, orderViolation, parseMarks,
  podReady, runCase, startCase, useTestNamespace,
} from '../lib/kit/index.ts';

const BEHAVIOUR = 'Deletion: preStop, SIGTERM and the grace period';
const t = useTestNamespace('termination');

// Values from manifests/termination.yaml.
const TASK_SECONDS = 8;
const LONG_GRACE_SECONDS = 20;
const SHORT_GRACE_SECONDS = 3;
const IGNORER_GRACE_SECONDS = 4;
const HANDLER_GRACE_SECONDS = 30;
// After a preStop hook that used up the grace period the kubelet still gives the container this long between
// SIGTERM and SIGKILL (minimumGracePeriodInSeconds in kuberuntime_container.go).
const KUBELET_MINIMUM_STOP_SECONDS = 2;
// Measured delete-to-exit may differ from the configured figure by this much: the kubelet learns of the delete
// through its watch, the runtime delivers signals and reports the exit, and API times have 1 s resolution.
const TOLERANCE_SECONDS = 1.5;

// Tells the worker to take its task (SIGUSR1 to PID 1) and returns once the worker has marked it started.
const START_TASK = ['sh', '-c', 'kill -USR1 1 && until grep -q task-start /dev/termination-log; do sleep 0.1; done'];

interface Ending {
  exit: Exit;
  marks: Mark[];
  /** Delete to exit by the container's own last mark (sub-second), when it made one. */
  deleteToLastMarkSeconds?: number;
  /** Delete to exit by the runtime's finishedAt (whole seconds). */
  deleteToFinishedSeconds?: number;
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
    exit, marks, deleteToFinishedSeconds: deleteToExitSeconds(exit),
    deleteToLastMarkSeconds: lastMark?.event === 'exit' ? (lastMark.atMs - exit.deleteSentAtMs) / 1000 : undefined,
  };
}

function report(seen: Record<string, unknown>, ending: Ending, graceSeconds: number): void {
  Object.assign(seen, {
    graceSeconds, deletionGracePeriodSeconds: ending.exit.deletionGracePeriodSeconds,
    exitCode: ending.exit.terminated.exitCode, reason: ending.exit.terminated.reason,
    deleteToExitSeconds: { byOwnExitMark: ending.deleteToLastMarkSeconds, byFinishedAt: ending.deleteToFinishedSeconds,
      byWatch: (ending.exit.observedAtMs - ending.exit.deleteSentAtMs) / 1000 },
    marksSecondsAfterDelete: marksSince(ending.marks, ending.exit.deleteSentAtMs),
  });
}

const sinceDelete = (ending: Ending, event: string): number | undefined => {
  const at = markAt(ending.marks, event);
  return at === undefined ? undefined : (at - ending.exit.deleteSentAtMs) / 1000;
};

let finishes: Promise<void>;
let cutShort: Promise<void>;
let handles: Promise<void>;
let ignores: Promise<void>;

beforeAll(async () => {
  await t.apply('termination.yaml');

  finishes = startCase(() => runCase(BEHAVIOUR, `task ${TASK_SECONDS} s, grace ${LONG_GRACE_SECONDS} s, preStop waits`, async (seen) => {
    const ending = await deleteAndRead('worker-finishes', true);
    report(seen, ending, LONG_GRACE_SECONDS);
    const taskRanSeconds = ((markAt(ending.marks, 'task-done') ?? NaN) - (markAt(ending.marks, 'task-start') ?? NaN)) / 1000;
    Object.assign(seen, { taskRanSeconds });
    expect(ending.exit.terminated.exitCode).toBe(0);
    // The hook started on the delete and ended when the task did; only then came SIGTERM, and the exit.
    expect(orderViolation(ending.marks, ['task-start', 'prestop-start', 'task-done', 'prestop-end', 'sigterm', 'exit'])).toBeUndefined();
    expect(Math.abs(taskRanSeconds - TASK_SECONDS)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    expect(Math.abs(ending.deleteToLastMarkSeconds! - TASK_SECONDS)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
  }));

  cutShort = startCase(() => runCase(BEHAVIOUR, `control: task ${TASK_SECONDS} s, grace ${SHORT_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('worker-cut-short', true);
    report(seen, ending, SHORT_GRACE_SECONDS);
    const sigtermSeconds = sinceDelete(ending, 'sigterm');
    Object.assign(seen, { deleteToSigtermSeconds: sigtermSeconds, kubeletMinimumStopSeconds: KUBELET_MINIMUM_STOP_SECONDS });
    expect(ending.exit.terminated.exitCode).toBe(137);
    expect(markAt(ending.marks, 'task-done')).toBeUndefined();
    expect(markAt(ending.marks, 'prestop-end')).toBeUndefined();
    // The hook was still waiting when the grace period ran out: SIGTERM then, SIGKILL 2 s later.
    expect(Math.abs(sigtermSeconds! - SHORT_GRACE_SECONDS)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    expect(Math.abs(ending.deleteToFinishedSeconds! - (SHORT_GRACE_SECONDS + KUBELET_MINIMUM_STOP_SECONDS)))
      .toBeLessThanOrEqual(TOLERANCE_SECONDS);
  }));

  handles = startCase(() => runCase(BEHAVIOUR, `handles SIGTERM, grace ${HANDLER_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('handles-sigterm', false);
    report(seen, ending, HANDLER_GRACE_SECONDS);
    expect(ending.exit.terminated.exitCode).toBe(0);
    expect(orderViolation(ending.marks, ['worker-start', 'sigterm', 'exit'])).toBeUndefined();
    expect(ending.deleteToLastMarkSeconds).toBeLessThanOrEqual(TOLERANCE_SECONDS);
  }));

  ignores = startCase(() => runCase(BEHAVIOUR, `control: ignores SIGTERM, grace ${IGNORER_GRACE_SECONDS} s`, async (seen) => {
    const ending = await deleteAndRead('ignores-sigterm', false);
    report(seen, ending, IGNORER_GRACE_SECONDS);
    const sigtermSeconds = sinceDelete(ending, 'sigterm-ignored');
    Object.assign(seen, { deleteToSigtermSeconds: sigtermSeconds });
    expect(ending.exit.terminated.exitCode).toBe(137);
    expect(sigtermSeconds).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    expect(Math.abs(ending.deleteToFinishedSeconds! - IGNORER_GRACE_SECONDS)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
  }));
});

test(`a worker whose preStop hook waits for its ${TASK_SECONDS} s task, with a ${LONG_GRACE_SECONDS} s grace period, finishes the task and exits 0 about ${TASK_SECONDS} s (±${TOLERANCE_SECONDS} s) after the delete, SIGTERM coming only after the hook returned`,
  () => finishes);

test(`the same worker with a ${SHORT_GRACE_SECONDS} s grace period gets SIGTERM when the grace period ends and is SIGKILLed (exit 137) ${KUBELET_MINIMUM_STOP_SECONDS} s later (±${TOLERANCE_SECONDS} s), its task unfinished`,
  () => cutShort);

test(`a process that handles SIGTERM exits 0 within ${TOLERANCE_SECONDS} s of the delete, not at its ${HANDLER_GRACE_SECONDS} s deadline`,
  () => handles);

test(`a process that ignores SIGTERM receives it at the delete and is SIGKILLed (exit 137) only at its ${IGNORER_GRACE_SECONDS} s deadline (±${TOLERANCE_SECONDS} s)`,
  () => ignores);
