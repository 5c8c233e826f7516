import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { auditInputOf, auditPlaceOf, runAudit, type AuditReport } from '../lib/audit/index.ts';
import { loadManifest, runCase, startCase, useTestNamespace } from '../lib/kit/index.ts';

const BEHAVIOUR = 'Audit: every lifecycle check on a workload as a team ships it';
const t = useTestNamespace('audit');

const CHECKS = ['startup', 'redundancy', 'deletion', 'resources'];
// Values from manifests/audit-drain-server.yaml and the changes below.
const IGNORER_GRACE_SECONDS = 5;
const SLOW_START_SECONDS = 20;
const SHORT_LIVENESS_SECONDS = 6; // periodSeconds 2 x failureThreshold 3

interface Variant {
  name: string;
  flaw: string;
  /** The checks the flaw must trip: exactly these fail, every other passes (or advises). */
  fails: string[];
  change(d: V1Deployment): void;
}

const app = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!;
const VARIANTS: Variant[] = [
  { name: 'audit-ref', flaw: 'none (the reference)', fails: [], change: () => undefined },
  { name: 'audit-sigterm', flaw: `ignores SIGTERM, grace ${IGNORER_GRACE_SECONDS} s`, fails: ['deletion'], change: (d) => {
    app(d).args = [...app(d).args ?? [], '--ignore-sigterm'];
    d.spec!.template.spec!.terminationGracePeriodSeconds = IGNORER_GRACE_SECONDS;
  } },
  { name: 'audit-slow', flaw: `starts in ${SLOW_START_SECONDS} s, liveness allows ${SHORT_LIVENESS_SECONDS} s`, fails: ['startup'], change: (d) => {
    app(d).args = [...app(d).args ?? [], `--start-delay=${SLOW_START_SECONDS}s`];
    app(d).livenessProbe = { ...app(d).livenessProbe, periodSeconds: 2, failureThreshold: 3 };
  } },
  { name: 'audit-single', flaw: 'one replica', fails: ['redundancy'], change: (d) => {
    d.spec!.replicas = 1;
  } },
];

/** The reference manifest with the variant's one change, read as the audit reads a user's files. */
function variantInput(v: Variant) {
  const image = t.images.drainServer;
  if (!image) throw new Error('no drain-server image: run with WC_OFFLINE=1 (the offline build makes it) or set WC_DRAIN_SERVER_IMAGE');
  const objects: KubernetesObject[] = loadManifest('audit-drain-server.yaml', { NAME: v.name, DRAIN_SERVER_IMAGE: image }, t.run.runId);
  v.change(objects.find((o) => o.kind === 'Deployment') as V1Deployment);
  return auditInputOf(objects, [`manifests/audit-drain-server.yaml (${v.flaw})`]);
}

const audits = new Map<string, Promise<void>>();

beforeAll(() => {
  for (const v of VARIANTS) {
    audits.set(v.name, startCase(() => runCase(BEHAVIOUR, `flaw: ${v.flaw}`, async (seen) => {
      const report: AuditReport = await runAudit(auditPlaceOf(t), variantInput(v));
      Object.assign(seen, { durationSeconds: report.durationSeconds,
        checks: Object.fromEntries(report.checks.map((c) => [c.check, `${c.verdict}: ${c.summary}`])) });
      expect(report.checks.map((c) => c.check)).toEqual(CHECKS);
      expect(report.checks.filter((c) => c.verdict === 'fail').map((c) => c.check)).toEqual(v.fails);
      // The reference passes outright: no advice either.
      if (v.fails.length === 0) expect(report.checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.check}: ${c.summary}`)).toEqual([]);
    })));
  }
});

test('the reference drain-server (2 replicas spread over nodes, probes, a PDB, requests and limits, a 2 s drain) passes every check of the audit: start-up, redundancy, deletion, resources',
  () => audits.get('audit-ref')!);

test(`a server that ignores SIGTERM fails the audit's deletion check (killed at its ${IGNORER_GRACE_SECONDS} s grace period's end, exit 137) and no other`,
  () => audits.get('audit-sigterm')!);

test(`a server that needs ${SLOW_START_SECONDS} s to start under a liveness probe that allows ${SHORT_LIVENESS_SECONDS} s fails the audit's start-up check (restarted during start-up) and no other`,
  () => audits.get('audit-slow')!);

test('a workload of one replica fails the audit\'s redundancy check and no other', () => audits.get('audit-single')!);
