import {
  focusRegex, formatUpstreamFigures, imagesOf, parseGinkgoReport, planImageTags, UPSTREAM_TESTS, upstreamFigures, upstreamImages,
  versionOf,
} from '../../bench/upstream-figures.ts';
import type { FileRun } from '../../lib/run/junit.ts';

const SECOND = 1e9;
const spec = (leaf: string, seconds: number, state = 'passed', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ContainerHierarchyTexts: ['[sig-node] Probing container'], LeafNodeType: 'It', LeafNodeText: `${leaf} [NodeConformance] [Conformance]`,
  LeafNodeLabels: ['NodeConformance', 'Conformance'], State: state, StartTime: '2026-11-23T14:00:00Z', RunTime: seconds * SECOND, ...extra,
});

// The shape ginkgo v2 writes with --ginkgo.json-report: an array of suite reports, RunTime in nanoseconds.
const report = JSON.stringify([{
  SuitePath: '/e2e', SuiteDescription: 'Kubernetes e2e suite', SuiteSucceeded: false, RunTime: 700 * SECOND,
  SpecReports: [
    { LeafNodeType: 'SynchronizedBeforeSuite', LeafNodeText: '', State: 'passed', RunTime: 3 * SECOND },
    spec('should be restarted with a exec "cat /tmp/health" liveness probe', 31.25),
    spec('should *not* be restarted with a exec "cat /tmp/health" liveness probe', 245),
    spec('should be restarted with a /healthz http liveness probe', 29),
    spec('should *not* be restarted with a /healthz http liveness probe', 250, 'failed',
      { Failure: { Message: 'pod container-probe-1/test-webserver - expected number of restarts: 0, found restarts: 1.\nmore' } }),
    spec('with readiness probe that fails should never be ready and never restart', 62),
    spec('should have monotonically increasing restart count', 0, 'skipped', { Failure: { Message: 'skipped by focus' } }),
    { LeafNodeType: 'ReportAfterSuite', LeafNodeText: 'Kubernetes e2e suite report', State: 'passed', RunTime: SECOND },
  ],
}]);

const ours: FileRun[] = [
  { file: 'liveness-restart.test.ts', wallSeconds: 40, tests: 4, failures: 0 },
  { file: 'readiness-endpoints.test.ts', wallSeconds: 31, tests: 4, failures: 1 },
];

describe('bench:upstream figures', () => {
  it('must focus on exactly the mapped upstream tests, not their sidecar twins nor the other probe tests', () => {
    const focus = new RegExp(focusRegex());
    const full = (leaf: string, container = '[sig-node] Probing container'): string => `${container} ${leaf} [NodeConformance] [Conformance]`;
    for (const t of UPSTREAM_TESTS) expect(focus.test(full(t.upstream))).toBe(true);
    expect(focus.test(full(UPSTREAM_TESTS[0]!.upstream, '[sig-node] [Feature:SidecarContainers] Probing restartable init container'))).toBe(false);
    expect(focus.test(full('should *not* be restarted with a tcp:8080 liveness probe'))).toBe(false);
    expect(focus.test(full('should have monotonically increasing restart count'))).toBe(false);
  });

  it('must read one duration per It that ran from the ginkgo JSON report, suite nodes and skipped specs left out', () => {
    const run = parseGinkgoReport(report);
    expect(run.suiteSeconds).toBe(700);
    expect(run.specs.map((s) => [s.leaf.replace(' [NodeConformance] [Conformance]', ''), s.seconds, s.state])).toEqual([
      ['should be restarted with a exec "cat /tmp/health" liveness probe', 31.3, 'passed'],
      ['should *not* be restarted with a exec "cat /tmp/health" liveness probe', 245, 'passed'],
      ['should be restarted with a /healthz http liveness probe', 29, 'passed'],
      ['should *not* be restarted with a /healthz http liveness probe', 250, 'failed'],
      ['with readiness probe that fails should never be ready and never restart', 62, 'passed'],
    ]); // the skipped spec (every one outside the focus) is left out
    expect(run.specs[0]!.name).toBe('[sig-node] Probing container should be restarted with a exec "cat /tmp/health" liveness probe [NodeConformance] [Conformance]');
    expect(run.specs[3]!.failure).toBe('pod container-probe-1/test-webserver - expected number of restarts: 0, found restarts: 1.');
  });

  it('must sum the mapped upstream tests per behaviour, divide by our file\'s wall time, and name what did not run', () => {
    const f = upstreamFigures(parseGinkgoReport(report).specs, ours);
    const liveness = f.behaviours.find((b) => b.behaviour === 'liveness-restart')!;
    expect(liveness).toMatchObject({ upstreamSeconds: 555.3, oursSeconds: 40, ratio: 13.88, upstreamPassed: false, oursPassed: true });
    const readiness = f.behaviours.find((b) => b.behaviour === 'readiness-endpoints')!;
    expect(readiness).toMatchObject({ upstreamSeconds: 62, oursSeconds: 31, ratio: 2, oursPassed: false });
    expect(f.missing).toEqual(['with readiness probe should not be ready before initial delay and never restart']);
    expect(f.totals).toEqual({ upstreamSeconds: 617.3, oursSeconds: 71, ratio: 8.69 });
    const text = formatUpstreamFigures(f, { upstreamSeconds: 720, oursSeconds: 90, note: 'n' });
    expect(text).toContain('| liveness-restart | 4 | 555.3 | 40 | 13.88 | FAILED / passed |');
    expect(text).toContain('| all | 6 | 617.3 | 71 | 8.69 | |');
    expect(text).toContain('wall time: upstream e2e.test 720 s, ours 90 s (ratio 8); n');
    expect(text).toContain('did not run upstream');
  });

  it('must leave ours unknown, not zero, when our run left no junit entry for a file', () => {
    const f = upstreamFigures(parseGinkgoReport(report).specs, []);
    expect(f.behaviours[0]!.oursSeconds).toBeUndefined();
    expect(f.behaviours[0]!.ratio).toBeUndefined();
    expect(f.totals.oursSeconds).toBeUndefined();
  });

  it('must give our images upstream\'s names, say which is a stand-in, and name exactly what cannot be made', () => {
    // The binary lists two busybox tags and two agnhosts, in random order: the manifest says which the tests use.
    const listed = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1\ngcr.io/k8s-authenticated-test/agnhost:2.6\n' +
      'registry.k8s.io/e2e-test-images/agnhost:2.56\nregistry.k8s.io/e2e-test-images/busybox:1.37.0-1\nregistry.k8s.io/e2e-test-images/nginx:1.14-4\n';
    const manifest = `func initReg() RegistryList {
	registry := RegistryList{
		GcAuthenticatedRegistry: "gcr.io/authenticated-image-pulling",
		PromoterE2eRegistry:     "registry.k8s.io/e2e-test-images",
		PrivateRegistry:         "gcr.io/k8s-authenticated-test",
	}
}
	configs[Agnhost] = Config{list.PromoterE2eRegistry, "agnhost", "2.56"}
	configs[AgnhostPrivate] = Config{list.PrivateRegistry, "agnhost", "2.6"}
	configs[BusyBox] = Config{list.PromoterE2eRegistry, "busybox", "1.37.0-1"}`;
    const wanted = upstreamImages(manifest, listed, imagesOf());
    expect([...wanted]).toEqual([
      ['busybox', 'registry.k8s.io/e2e-test-images/busybox:1.37.0-1'], ['agnhost', 'registry.k8s.io/e2e-test-images/agnhost:2.56'],
    ]);
    expect(versionOf('localhost/workload-conformance/agnhost:2.56-f02b6549e166')).toBe('2.56');
    const plan = planImageTags(wanted, {
      agnhost: 'localhost/workload-conformance/agnhost:2.56-f02b6549e166', busybox: 'localhost/workload-conformance/busybox:1.35.0-f02b6549e166',
    });
    expect(plan.missing).toEqual([]);
    expect(plan.tags.map((t) => [t.upstream, t.note])).toEqual([
      ['registry.k8s.io/e2e-test-images/busybox:1.37.0-1', 'stand-in: ours is busybox 1.35.0, upstream\'s 1.37.0-1'],
      ['registry.k8s.io/e2e-test-images/agnhost:2.56', 'same version 2.56'],
    ]);
    expect(planImageTags(wanted, { agnhost: 'a:2.56' }).missing).toEqual(['registry.k8s.io/e2e-test-images/busybox:1.37.0-1 (no busybox image of ours stands in for it)']);
    // KUBE_TEST_REPO_LIST moved it: the binary does not list the manifest's name.
    expect(planImageTags(upstreamImages(manifest, 'elsewhere/agnhost:2.56\n', ['agnhost']), { agnhost: 'a:2.56' }).missing)
      .toEqual(['agnhost (test/utils/image/manifest.go names no Agnhost image that e2e.test --list-images lists)']);
  });
});
