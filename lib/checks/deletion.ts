// Deletion: does the app handle SIGTERM, and does it end within its grace period? ("does the app handle SIGTERM?",
// "is the default grace period enough?"). The judgement reads how the container ended (exit code, reason) and when,
// on its node's clock alone (from the kubelet's Killing event to the runtime's finishedAt: lib/kit/pod-exit.ts). One
// function for the termination behaviour (its SIGTERM handler and its SIGTERM-ignoring control) and for the audit.
import { actToFinishedSeconds, type Exit } from '../kit/pod-exit.ts';
import { lossJudged, requestEvidence, restartsUnderLoad, type UnderLoad } from './under-load.ts';
import { worst, type Verdict } from './verdict.ts';

/** 128 + SIGKILL: the kubelet's kill at the grace period's end (or the OOM killer's, then with reason OOMKilled). */
export const SIGKILL_EXIT = 137;
/** 128 + SIGTERM: the signal's default action ended the process; it had no handler. */
export const SIGTERM_EXIT = 143;

export const DELETION_QUESTION = 'Does the app handle SIGTERM and exit by itself within its grace period, losing no request?';

export function deletionVerdict(exit: Exit, graceSeconds: number): Verdict {
  const code = exit.terminated.exitCode;
  const actToExitSecondsAtMost = actToFinishedSeconds(exit);
  const evidence = { exitCode: code, reason: exit.terminated.reason ?? null, graceSeconds, actToExitSecondsAtMost: actToExitSecondsAtMost ?? null,
    killingEvent: exit.kubeletActed.message };
  const base = { check: 'deletion', question: DELETION_QUESTION, evidence, static: [] };
  const within = actToExitSecondsAtMost === undefined ? '' : `, at most ${actToExitSecondsAtMost} s after the kubelet acted`;
  if (code === 0) {
    return { ...base, verdict: 'pass', summary: `exited 0 on SIGTERM${within} (grace period ${graceSeconds} s)` };
  }
  if (code === SIGKILL_EXIT && exit.terminated.reason !== 'OOMKilled') {
    return { ...base, verdict: 'fail', summary: `killed when its ${graceSeconds} s grace period ran out (exit 137${within}): it ignores SIGTERM or ` +
      'its shutdown takes longer than the grace period; handle SIGTERM (stop accepting work, finish, exit) or raise terminationGracePeriodSeconds above its longest task' };
  }
  if (code === SIGTERM_EXIT) {
    return { ...base, verdict: 'advice', summary: `ended by SIGTERM's default action (exit 143${within}): it has no handler, so work in flight is cut; ` +
      'handle SIGTERM and exit 0 when done' };
  }
  return { ...base, verdict: 'fail', summary: `exited ${code}${exit.terminated.reason ? ` (${exit.terminated.reason})` : ''} on SIGTERM${within}: an error on shutdown` };
}

/**
 * The deletion under load (lib/rollout/deletion.ts): how the container ended, as above, and the requests the deletion
 * lost (a pod that exits at once on SIGTERM leaves connections kube-proxy still sends it to): fails on either.
 */
export function deletionUnderLoadVerdict(exit: Exit, graceSeconds: number, u: UnderLoad): Verdict {
  const byExit = deletionVerdict(exit, graceSeconds);
  const loss = lossJudged(u);
  // Containers restarting under load (an OOM kill) lose requests of their own: then the drain advice is not the answer.
  const drainAdvice = restartsUnderLoad(u) ? ' (the restarts under load cut requests of their own: see the resources check)'
    : ': exiting at once leaves requests kube-proxy still sends it; keep serving after SIGTERM until they stop (a drain), or add a preStop sleep';
  const summary = loss.level === 'fail'
    ? `${loss.line}${byExit.verdict === 'pass' ? `; it ${byExit.summary}${drainAdvice}` : `; ${byExit.summary}`}`
    : `${byExit.summary}; ${loss.line}`;
  return { ...byExit, verdict: worst([byExit.verdict, loss.level]), summary, evidence: { ...byExit.evidence, ...requestEvidence(u) } };
}
