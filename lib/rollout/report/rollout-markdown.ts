// The short human summary of one rollout check, for reports/ and GitHub's step summary.
import type { GracefulVerdict } from '../graceful.ts';
import type { RolloutOutcome } from '../outcome.ts';

export interface MarkdownInput {
  outcome: RolloutOutcome;
  title: string;
  from: string;
  to: string;
  loadWhere: string;
  target: string;
  oldPods: GracefulVerdict[];
  /** File names (relative to the summary) of the ledger and the picture. */
  files: { json: string; svg: string };
  /** A drain's moments (cordon, each eviction granted or refused), seconds on the ledger's axis; none for a rollout. */
  drain?: { marks: Array<{ at: number; label: string }> };
}

const n = (x: number) => x.toLocaleString('en-US');

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function causes(c: Record<string, number>): string {
  const entries = Object.entries(c);
  return entries.length ? entries.map(([k, v]) => `${k} ${n(v)}`).join(', ') : '–';
}

const STARTUP_EVENTS = new Set(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);

/** The events that tell how a pod stopped (Killing, Unhealthy while draining, FailedPreStopHook, ...). */
function stopEvents(events: readonly string[] | undefined): string {
  const stop = (events ?? []).filter((e) => !STARTUP_EVENTS.has(e));
  return stop.length ? stop.join(', ') : '–';
}

export function rolloutMarkdown(m: MarkdownInput): string {
  const o = m.outcome;
  // Not judged when the answers name no pod (a workload the harness did not write).
  const endsCell = (ends: boolean | undefined) => ends === undefined ? 'not judged' : ends ? 'yes' : 'no';
  const modeRows = Object.entries(o.byMode).map(([mode, f]) => [
    mode,
    n(f.total),
    n(f.failed),
    causes(f.failuresByCause),
    String(f.disruptionSeconds),
    f.ratePerSecond.toFixed(1),
    `${f.latencyMs.p50.toFixed(1)} / ${f.latencyMs.p99.toFixed(1)} / ${f.latencyMs.max.toFixed(1)}`,
    endsCell(o.endsOnNewVersion[mode as keyof typeof o.endsOnNewVersion]),
  ]);
  // The load rule (load-rule.ts): what was sent while the old pods went away, apart from the total.
  const loadRows = Object.entries(o.load ?? {}).map(([mode, l]) => [
    mode,
    `${l.windowSeconds} s`,
    n(l.sentInWindow),
    `${l.achievedPerSecond} / ${l.offeredPerSecond}`,
    `${Math.round(l.fraction * 100)} %`,
    `${l.maxSendGapMs} ms`,
    l.ok ? 'yes' : 'no: too thin',
  ]);
  const podRows = m.oldPods.map((p) => [
    `\`${p.pod}\``,
    p.exitCode === undefined ? '?' : String(p.exitCode),
    p.gracePeriodSeconds === undefined ? '?' : `${p.gracePeriodSeconds} s`,
    stopEvents(p.events),
    p.graceful ? 'yes' : `no: ${p.why}`,
  ]);
  const what = m.drain ? `node drain (${m.from}), load from ${m.loadWhere} to ${m.target}; the drain took ${o.rolloutSeconds} s (cordon to last evicted pod gone)`
    : `${m.from} → ${m.to}, load from ${m.loadWhere} to ${m.target}; rollout took ${o.rolloutSeconds} s (patch to last old pod gone)`;
  return [
    `### ${m.title}`,
    '',
    `${what}; ${n(o.overall.failed)} of ${n(o.overall.total)} requests failed, ${o.overall.disruptionSeconds} s of disruption.`,
    '',
    table(['mode', 'requests', 'failed', 'causes', 'disruption s', 'req/s', 'latency p50 / p99 / max ms', `ends on ${m.to}`], modeRows),
    '',
    ...(m.drain ? [table(['s after the load started', 'drain'], m.drain.marks.map((k) => [(k.at / 1000).toFixed(1), k.label])), ''] : []),
    ...(loadRows.length ? [table(['mode', m.drain ? 'drain window' : 'rollout window', 'sent in window', 'req/s achieved / offered', 'of offered', 'longest send gap', 'enough load'], loadRows), ''] : []),
    table([m.drain ? 'evicted pod' : 'old pod', 'exit code', 'grace period', 'stop events', 'graceful'], podRows),
    '',
    ...(o.generators ? [`Load from ${o.generators.length} generator pod(s): ${o.generators.map((g) => `\`${g.name}\`${g.node ? ` on ${g.node}` : ''}` +
      (g.clock ? ` (its axis placed on this machine's clock from ${g.clock.reads} progress reads, the freshest answered in ${g.clock.bestReadMs} ms)` : '')).join(', ')}.`, ''] : []),
    `Ledger: \`${m.files.json}\` · timeline: \`${m.files.svg}\``,
    '',
  ].join('\n');
}
