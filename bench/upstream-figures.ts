// The figures of `npm run bench:upstream`: which of Kubernetes' own e2e tests prove the same behaviour as which
// of our files (UPSTREAM_TESTS), the ginkgo JSON report those tests leave (--ginkgo.json-report) read into
// per-test durations, the images they need and how ours stand in for them, and the table comparing the two.
// Pure: reads text, returns numbers, so tests/unit/bench-upstream.test.ts checks it without a cluster.
import type { FileRun } from '../lib/run/junit.ts';

/** The upstream describe block every mapped test sits in (test/e2e/common/node/container_probe.go). */
export const UPSTREAM_CONTAINER = '[sig-node] Probing container';

/** An image of Kubernetes' e2e manifest (test/utils/image/manifest.go), by its short name. */
export type E2eImage = 'agnhost' | 'busybox';

export interface UpstreamTest {
  /** The ginkgo leaf text (the It), under UPSTREAM_CONTAINER. */
  upstream: string;
  /** Our behaviour: the test file under tests/, without .test.ts (a `--only` name). */
  behaviour: string;
  /** The e2e images its pod runs. */
  images: E2eImage[];
  why: string;
}

/** Upstream test -> our behaviour, and why it proves the same thing. */
export const UPSTREAM_TESTS: UpstreamTest[] = [
  { upstream: 'should be restarted with a exec "cat /tmp/health" liveness probe', behaviour: 'liveness-restart', images: ['busybox'],
    why: 'the same exec probe (cat of a file the container removes after 10 s) failing restarts the container: our exec-probe-fails' },
  { upstream: 'should *not* be restarted with a exec "cat /tmp/health" liveness probe', behaviour: 'liveness-restart', images: ['busybox'],
    why: 'the same exec probe kept passing causes no restart: our exec-probe-passes control' },
  { upstream: 'should be restarted with a /healthz http liveness probe', behaviour: 'liveness-restart', images: ['agnhost'],
    why: 'agnhost liveness, whose /healthz fails after 10 s, is restarted by its HTTP probe: our http-probe-fails' },
  { upstream: 'should *not* be restarted with a /healthz http liveness probe', behaviour: 'liveness-restart', images: ['agnhost'],
    why: 'an HTTP liveness probe that keeps passing causes no restart: our http-probe-passes control' },
  { upstream: 'with readiness probe that fails should never be ready and never restart', behaviour: 'readiness-endpoints', images: ['agnhost'],
    why: 'a pod failing readiness is never Ready (ours: nor a ready endpoint, nor sent traffic)' },
  { upstream: 'with readiness probe should not be ready before initial delay and never restart', behaviour: 'readiness-endpoints', images: ['agnhost'],
    why: 'a pod turns Ready only once its readiness probe passes (ours: and only then becomes a ready endpoint)' },
];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** --ginkgo.focus for exactly these tests (the container's own text first: not "Probing restartable init container"). */
export function focusRegex(tests: UpstreamTest[] = UPSTREAM_TESTS): string {
  return `${escapeRegex(UPSTREAM_CONTAINER)} (${tests.map((t) => escapeRegex(t.upstream)).join('|')})`;
}

export interface SpecRun {
  /** Containers' texts and the leaf's, as ginkgo prints the spec. */
  name: string;
  leaf: string;
  state: string;
  seconds: number;
  startedAt?: string;
  failure?: string;
}

export interface UpstreamRun {
  specs: SpecRun[];
  /** The suite's own run time (setup and teardown included), as ginkgo measured it. */
  suiteSeconds: number;
}

interface GinkgoSpecReport {
  ContainerHierarchyTexts?: string[] | null;
  LeafNodeType?: string;
  LeafNodeText?: string;
  State?: string;
  StartTime?: string;
  RunTime?: number;
  Failure?: { Message?: string };
}

interface GinkgoReport {
  RunTime?: number;
  SpecReports?: GinkgoSpecReport[] | null;
}

const NS_PER_SECOND = 1e9;
const round = (n: number, places = 1): number => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The ginkgo JSON report (an array of suite reports; types.Report in ginkgo v2): one entry per It that ran.
 * RunTime is a Go time.Duration, nanoseconds; the leaf text carries the labels ("... [NodeConformance] [Conformance]").
 * Left out: suite-level nodes (BeforeSuite, ReportAfterSuite...), which are not specs, and skipped specs: the
 * report lists every spec of the suite, about 7,000 outside the focus.
 */
export function parseGinkgoReport(json: string): UpstreamRun {
  const doc = JSON.parse(json) as GinkgoReport[] | GinkgoReport;
  const reports = Array.isArray(doc) ? doc : [doc];
  const specs = reports.flatMap((r) => r.SpecReports ?? []).filter((s) => s.LeafNodeType === 'It' && s.State !== 'skipped').map((s): SpecRun => {
    const leaf = s.LeafNodeText ?? '';
    const message = s.Failure?.Message?.trim();
    return {
      name: [...(s.ContainerHierarchyTexts ?? []), leaf].filter(Boolean).join(' '), leaf,
      state: s.State ?? 'unknown', seconds: round((s.RunTime ?? 0) / NS_PER_SECOND),
      ...(s.StartTime ? { startedAt: s.StartTime } : {}),
      ...(message ? { failure: message.split('\n')[0]!.slice(0, 300) } : {}),
    };
  });
  return { specs, suiteSeconds: round(reports.reduce((sum, r) => sum + (r.RunTime ?? 0), 0) / NS_PER_SECOND) };
}

/** The spec that ran a mapped test: by its full text, which the focus regex matched. */
export function specFor(test: UpstreamTest, specs: SpecRun[]): SpecRun | undefined {
  return specs.find((s) => s.name.startsWith(`${UPSTREAM_CONTAINER} ${test.upstream}`));
}

export interface BehaviourFigures {
  behaviour: string;
  upstream: Array<{ test: string; seconds?: number; state: string }>;
  /** Sum of the mapped upstream tests' run times: what they cost one after another (how the e2e binary runs them). */
  upstreamSeconds: number;
  /** Our test file's wall time (junit), its cases side by side as the file runs them. */
  oursSeconds?: number;
  /** upstream / ours: how many times longer upstream took to prove the same behaviour. */
  ratio?: number;
  upstreamPassed: boolean;
  oursPassed?: boolean;
}

export interface UpstreamFigures {
  behaviours: BehaviourFigures[];
  /** The mapped tests that have no spec in the report (did not run). */
  missing: string[];
  totals: { upstreamSeconds: number; oursSeconds?: number; ratio?: number };
}

/** Per behaviour: the mapped upstream tests' seconds, summed, against our file's wall time. */
export function upstreamFigures(specs: SpecRun[], ours: FileRun[], tests: UpstreamTest[] = UPSTREAM_TESTS): UpstreamFigures {
  const behaviours = [...new Set(tests.map((t) => t.behaviour))].map((behaviour): BehaviourFigures => {
    const upstream = tests.filter((t) => t.behaviour === behaviour).map((t) => {
      const spec = specFor(t, specs);
      return { test: t.upstream, state: spec?.state ?? 'did not run', ...(spec ? { seconds: spec.seconds } : {}) };
    });
    const upstreamSeconds = round(upstream.reduce((sum, u) => sum + (u.seconds ?? 0), 0));
    const file = ours.find((f) => f.file === `${behaviour}.test.ts`);
    return {
      behaviour, upstream, upstreamSeconds, upstreamPassed: upstream.every((u) => u.state === 'passed'),
      ...(file ? { oursSeconds: round(file.wallSeconds), oursPassed: file.failures === 0 && file.tests > 0 } : {}),
      ...(file && file.wallSeconds > 0 ? { ratio: round(upstreamSeconds / file.wallSeconds, 2) } : {}),
    };
  });
  const upstreamSeconds = round(behaviours.reduce((sum, b) => sum + b.upstreamSeconds, 0));
  const oursKnown = behaviours.every((b) => b.oursSeconds !== undefined);
  const oursSeconds = oursKnown ? round(behaviours.reduce((sum, b) => sum + b.oursSeconds!, 0)) : undefined;
  return {
    behaviours,
    missing: behaviours.flatMap((b) => b.upstream.filter((u) => u.seconds === undefined).map((u) => u.test)),
    totals: { upstreamSeconds, ...(oursSeconds !== undefined ? { oursSeconds } : {}),
      ...(oursSeconds ? { ratio: round(upstreamSeconds / oursSeconds, 2) } : {}) },
  };
}

export interface Walls {
  /** The e2e binary's wall time, from launch to exit (suite setup and namespace teardown included). */
  upstreamSeconds: number;
  /** Our CLI run's wall time, from launch to exit (Jest start and the run's global setup included). */
  oursSeconds: number;
  /** How the two ran their files: ours at `--parallel 1`, upstream serially (one ginkgo process). */
  note: string;
}

/** The Markdown table bench:upstream prints. */
export function formatUpstreamFigures(f: UpstreamFigures, walls?: Walls): string {
  const cell = (n: number | undefined, unit = ''): string => (n === undefined ? '?' : `${n}${unit}`);
  const verdict = (passed: boolean | undefined): string => (passed === undefined ? '?' : passed ? 'passed' : 'FAILED');
  const lines = [
    '| behaviour | upstream tests | upstream s (serial sum) | ours s (file wall) | ratio upstream/ours | upstream / ours verdict |',
    '|---|---:|---:|---:|---:|---|',
    ...f.behaviours.map((b) => `| ${b.behaviour} | ${b.upstream.length} | ${b.upstreamSeconds} | ${cell(b.oursSeconds)} | ` +
      `${cell(b.ratio)} | ${verdict(b.upstreamPassed)} / ${verdict(b.oursPassed)} |`),
    `| all | ${f.behaviours.reduce((n, b) => n + b.upstream.length, 0)} | ${f.totals.upstreamSeconds} | ` +
      `${cell(f.totals.oursSeconds)} | ${cell(f.totals.ratio)} | |`,
    '',
    ...f.behaviours.flatMap((b) => b.upstream.map((u) => `  ${b.behaviour} <- "${u.test}": ${u.seconds === undefined ? u.state : `${u.seconds} s, ${u.state}`}`)),
  ];
  if (walls) {
    lines.push('', `wall time: upstream e2e.test ${walls.upstreamSeconds} s, ours ${walls.oursSeconds} s ` +
      `(ratio ${walls.oursSeconds > 0 ? round(walls.upstreamSeconds / walls.oursSeconds, 2) : '?'}); ${walls.note}`);
  }
  if (f.missing.length) lines.push(`did not run upstream (check the focus and the e2e log): ${f.missing.map((m) => `"${m}"`).join(', ')}`);
  return lines.join('\n');
}

/** Each short name's ImageID in test/utils/image/manifest.go: what the mapped tests' pods ask for (imageutils.GetE2EImage). */
export const MANIFEST_IDS: Record<E2eImage, string> = { agnhost: 'Agnhost', busybox: 'BusyBox' };

/**
 * The names the mapped tests' pods use, from the pinned module's test/utils/image/manifest.go (its
 * `configs[<ID>] = Config{list.<Registry>, "<name>", "<tag>"}` lines and the registries' defaults), each checked
 * against what the binary lists (`e2e.test --list-images`). The list alone cannot say which is which: it
 * holds two busybox tags (1.36.1-1 and 1.37.0-1) and two agnhosts (2.56 and a private registry's 2.6),
 * in Go's random map order. A name the binary does not list (KUBE_TEST_REPO_LIST moved it) is undefined.
 */
export function upstreamImages(manifestGo: string, listImages: string, wanted: E2eImage[]): Map<E2eImage, string | undefined> {
  const registries = new Map([...manifestGo.matchAll(/^\s*(\w+Registry):\s*"([^"]+)"/gm)].map((m) => [m[1]!, m[2]!]));
  const configs = new Map([...manifestGo.matchAll(/configs\[(\w+)\]\s*=\s*Config\{list\.(\w+),\s*"([^"]+)",\s*"([^"]+)"\}/g)]
    .map((m) => [m[1]!, { registry: registries.get(m[2]!), name: m[3]!, tag: m[4]! }]));
  const listed = new Set(listImages.split('\n').map((l) => l.trim()));
  return new Map(wanted.map((short) => {
    const c = configs.get(MANIFEST_IDS[short]);
    const name = c?.registry ? `${c.registry}/${c.name}:${c.tag}` : undefined;
    return [short, name && listed.has(name) ? name : undefined];
  }));
}

export interface ImageTag {
  short: E2eImage;
  ours: string;
  upstream: string;
  /** Same upstream version (agnhost from the same Kubernetes source), or a stand-in of another version. */
  note: string;
}

/** A tag's version: ours carry the offline build's input key after the version (2.56-f02b6549e166). */
export function versionOf(image: string): string {
  return (/:([^:/]+)$/.exec(image)?.[1] ?? '').replace(/-[0-9a-f]{12}$/, '');
}

/**
 * Which of our images gets which upstream name. An upstream image we have no image for (or one the binary does
 * not name) is `missing`: the run cannot go on without it. busybox is Debian's busybox-static, usually another
 * version than upstream's build: a stand-in (the mapped tests run only sh, echo, cat, rm and sleep in it).
 */
export function planImageTags(upstream: Map<E2eImage, string | undefined>, ours: Partial<Record<E2eImage, string>>):
  { tags: ImageTag[]; missing: string[] } {
  const tags: ImageTag[] = [];
  const missing: string[] = [];
  for (const [short, name] of upstream) {
    const mine = ours[short];
    if (!name) missing.push(`${short} (test/utils/image/manifest.go names no ${MANIFEST_IDS[short]} image that e2e.test --list-images lists)`);
    else if (!mine) missing.push(`${name} (no ${short} image of ours stands in for it)`);
    else {
      const [want, have] = [versionOf(name), versionOf(mine)];
      tags.push({ short, ours: mine, upstream: name,
        note: want === have ? `same version ${want}` : `stand-in: ours is ${short} ${have || '?'}, upstream's ${want}` });
    }
  }
  return { tags, missing };
}

/** The images the mapped tests need, each once. */
export function imagesOf(tests: UpstreamTest[] = UPSTREAM_TESTS): E2eImage[] {
  return [...new Set(tests.flatMap((t) => t.images))];
}
