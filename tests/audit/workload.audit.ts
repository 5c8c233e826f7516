/**
 * `npx workload-conformance audit -f app.yaml`: the user's workload through every check of the audit (lib/audit), in a
 * namespace of its own made and removed as every cluster file's is, one test case per check (JUnit), the scorecard and
 * JSON written to <reports>/audit-<workload>/. Run only by the CLI, which checked the input first (WC_AUDIT: its options).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditInput, auditLoadPlan, auditPlaceOf, runAudit, scorecardMarkdown, type AuditOptions, type AuditReport, type DrainPlan } from '../../lib/audit/index.ts';
import { currentRun, nodeLevelUnavailable, startCase, useTestNamespace } from '../../lib/kit/index.ts';

const options = JSON.parse(process.env.WC_AUDIT ?? '{}') as AuditOptions;
const input = auditInput(options.files ?? [], options);
// Pod Security "restricted" unless the user asked for less (--pod-security baseline), said in the report.
const t = useTestNamespace(`audit-${input.workload.name}`, options.podSecurity ? { podSecurity: options.podSecurity } : {});

/**
 * A node is drained on the kind cluster the harness runs, and on an existing cluster only when asked (--drain-node):
 * its nodes are not the audit's to cordon. Either way only with credentials that may cordon and two workers or more
 * (one leaves the evicted pods nowhere to go); not drained is said in the notes, and the case skipped.
 */
function drainPlan(): DrainPlan {
  const run = currentRun();
  if (run.mode !== 'kind' && !options.drainNode) return { run: false, why: 'an existing cluster\'s nodes are not the audit\'s to cordon (--drain-node asks for it)' };
  const unavailable = nodeLevelUnavailable(run);
  return unavailable ? { run: false, why: unavailable.replace(/^skipped: /, '') } : { run: true };
}
const drain = drainPlan();

let audit: Promise<AuditReport>;

beforeAll(() => {
  audit = startCase(async () => {
    const place = auditPlaceOf(t, input.workload.name);
    const report = await runAudit(place, input, options.podSecurity ?? 'restricted', auditLoadPlan(options.rate), drain);
    const dir = place.reportsDir;
    mkdirSync(dir, { recursive: true });
    const markdown = scorecardMarkdown(report);
    writeFileSync(join(dir, 'scorecard.md'), markdown);
    writeFileSync(join(dir, 'audit.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
    return report;
  });
});

// Each check under load is measured once more when its load alone was too thin to judge (said in its verdict).
const ONCE_MORE = ' (measured once more if its load alone was too thin to judge)';

/** Each check a test case: it fails with the check's own sentence; advice passes (it is in the scorecard). */
async function check(name: string): Promise<void> {
  const report = await audit;
  const verdict = report.checks.find((c) => c.check === name);
  if (!verdict) throw new Error(`the audit ran no ${name} check${report.notes.filter((n) => n.startsWith('no node drained')).map((n) => `: ${n}`).join('')}`);
  if (verdict.verdict === 'fail') throw new Error(`${name}: ${verdict.summary}`);
}

test(`${input.workload.kind}/${input.workload.name} start-up: every replica starts and turns Ready without a restart`, () => check('startup'));
test(`${input.workload.kind}/${input.workload.name} redundancy: more than one replica keeps serving when one pod goes`, () => check('redundancy'));
test(`${input.workload.kind}/${input.workload.name} deletion: one pod deleted under load handles SIGTERM, exits by itself within its grace period and loses no request${ONCE_MORE}`, () => check('deletion'));
test(`${input.workload.kind}/${input.workload.name} rollout: a rolling restart under load loses no request${ONCE_MORE}`, () => check('rollout'));
test(`${input.workload.kind}/${input.workload.name} eviction: every pod evicted at once under load, its PodDisruptionBudget holds some back and no request is lost${ONCE_MORE}`, () => check('eviction'));
// Skipped, not passed, where no node is drained (the scorecard's notes say why).
(drain.run ? test : test.skip)(`${input.workload.kind}/${input.workload.name} drain: one of its nodes drained under load keeps a Ready pod throughout and loses no request${ONCE_MORE}`,
  () => check('drain'));
test(`${input.workload.kind}/${input.workload.name} resources: no OOM kill under its limits`, () => check('resources'));
