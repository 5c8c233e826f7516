import { podLanes } from '../../lib/rollout/report/pod-lanes.ts';
import { rolloutMarkdown, table } from '../../lib/rollout/report/rollout-markdown.ts';
import { layoutMarkers, shortPodName, timelineSvg, versionColour, type TimelineInput } from '../../lib/rollout/report/rollout-timeline-svg.ts';
import { escapeXml, linear, ticks } from '../../lib/rollout/report/svg.ts';
import type { PodEvent } from '../../lib/kit/pod-observer.ts';
import type { RolloutOutcome } from '../../lib/rollout/outcome.ts';
import { deriveFigures } from '../../lib/rollout/ledger/derive.ts';

const ev = (at: number, kind: PodEvent['kind'], pod = 'web-abc-1', version = 'v1', detail?: string): PodEvent =>
  ({ at, pod, version, kind, ...(detail ? { detail } : {}) });

describe('svg helpers', () => {
  it('escapes XML, maps linearly and picks round ticks', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(linear([0, 10], [100, 200])(5)).toBe(150);
    expect(linear([3, 3], [0, 1])(3)).toBe(0);
    expect(ticks(0, 60, 12)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
    expect(ticks(0, 437, 5)).toEqual([0, 100, 200, 300, 400]);
  });
});

describe('podLanes', () => {
  it('turns a drained pod into ready → draining → exited segments ending at deletion', () => {
    const lanes = podLanes([ev(0, 'created'), ev(2000, 'ready'), ev(5000, 'terminating'), ev(5300, 'not-ready'),
      ev(10000, 'exited', 'web-abc-1', 'v1', 'exit 0 (Completed)'), ev(10400, 'deleted')], 20000);
    expect(lanes).toEqual([{
      pod: 'web-abc-1', version: 'v1',
      segments: [
        { phase: 'starting', from: 0, to: 2000 },
        { phase: 'ready', from: 2000, to: 5000 },
        { phase: 'draining', from: 5000, to: 10000 },
        { phase: 'exited', from: 10000, to: 10400 },
      ],
      exit: { at: 10000, detail: 'exit 0 (Completed)' },
    }]);
  });

  it('runs a live pod to the end, sorts lanes by first appearance and tolerates unsorted events', () => {
    const lanes = podLanes([ev(3000, 'ready', 'b', 'v2'), ev(1000, 'created', 'b', 'v2'), ev(0, 'created', 'a')], 9000);
    expect(lanes.map((l) => l.pod)).toEqual(['a', 'b']);
    expect(lanes[1]!.segments).toEqual([{ phase: 'starting', from: 1000, to: 3000 }, { phase: 'ready', from: 3000, to: 9000 }]);
  });
});

describe('timelineSvg', () => {
  const input: TimelineInput = {
    title: 'Rolling <update>',
    subtitle: 'v1 → v2',
    versions: ['v1', 'v2'],
    buckets: [{ t: 0, byVersion: { v1: 100 }, failed: 0 }, { t: 1000, byVersion: { v1: 40, v2: 50 }, failed: 10 }],
    bucketMs: 1000,
    failures: [[1200, 1300]],
    lanes: podLanes([ev(0, 'created'), ev(100, 'ready')], 2000),
    markers: [{ at: 500, label: 'patched to v2' }],
    startAt: 0,
    endAt: 2000,
  };
  const svg = timelineSvg(input);

  it('is a standalone SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Rolling &lt;update&gt;');
    expect(svg).not.toContain('NaN');
  });

  it('stacks versions in rollout order with failures on top, and marks failures and phases', () => {
    expect(svg).toContain(`fill="${versionColour(['v1', 'v2'], 'v1')}"`);
    expect(svg).toContain(`fill="${versionColour(['v1', 'v2'], 'v2')}"`);
    expect(svg.match(/fill="#d62728"/g)!.length).toBeGreaterThanOrEqual(3); // bar segment, band, strip
    expect(svg).toContain('patched to v2');
    expect(svg).toContain('v1 abc-1');
  });

  it('names pods by ReplicaSet hash and suffix', () => {
    expect(shortPodName('web-6d9f7c8b5-x2k9q')).toBe('6d9f7c8b5-x2k9q');
    expect(shortPodName('solo')).toBe('solo');
    expect(versionColour(['v1'], 'v9')).toBe('#9d9d9d');
  });
});

describe('rolloutMarkdown', () => {
  const figures = deriveFigures([{ mode: 'fresh', start: 0, end: 2, status: 200, version: 'v2' }, { mode: 'fresh', start: 1, end: 5, error: 'reset-new-connection' }]);
  const outcome: RolloutOutcome = {
    case: 'x', overall: figures, byMode: { fresh: figures }, endsOnNewVersion: { fresh: true },
    rolloutSeconds: 12.5, oldPodsGraceful: 1, oldPodsTotal: 2, timeline: [], failures: [], load: {}, modesWithoutRecords: [],
  };
  const md = rolloutMarkdown({
    outcome, title: 'Rolling update: x', from: 'v1', to: 'v2', loadWhere: 'host', target: 'http://127.0.0.1:30080',
    oldPods: [
      { pod: 'web-a', graceful: true, exitCode: 0, gracePeriodSeconds: 15, events: ['Scheduled', 'Started', 'Killing'], why: 'ok' },
      { pod: 'web-b', graceful: false, exitCode: 137, why: 'exit code 137' },
    ],
    files: { json: 'rollout-x.json', svg: 'rollout-x.svg' },
  });

  it('carries the counts, causes, rollout time and each old pod verdict', () => {
    expect(md).toContain('### Rolling update: x');
    expect(md).toContain('rollout took 12.5 s');
    expect(md).toContain('| fresh | 2 | 1 | reset-new-connection 1 | 0.004 |');
    expect(md).toContain('| `web-a` | 0 | 15 s | Killing | yes |');
    expect(md).toContain('| `web-b` | 137 | ? | – | no: exit code 137 |');
  });

  it('builds GitHub tables', () => {
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});

describe('layoutMarkers', () => {
  const x = (t: number) => 190 + t / 100; // 10 px per second
  it('moves a label that would overlap the previous one to the next row, and flips labels at the right edge', () => {
    const placed = layoutMarkers([
      { at: 1000, label: 'patched to v2' },
      { at: 15000, label: 'rollout complete' },
      { at: 16000, label: 'last v1 pod gone' },
      { at: 16100, label: 'traffic moved' },
      { at: 97000, label: 'load stopped' },
    ], x);
    expect(placed.map((p) => [p.marker.label, p.row, p.anchor])).toEqual([
      ['patched to v2', 0, 'start'],
      ['rollout complete', 0, 'start'],
      ['last v1 pod gone', 1, 'start'],
      ['traffic moved', 2, 'start'],
      ['load stopped', 0, 'end'],
    ]);
  });
});
