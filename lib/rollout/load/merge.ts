// Several in-cluster generator pods as one load (WC_ROLLOUT_LOAD_PODS, pod-source.ts): each offers its share of the
// rate and keeps its own ledger, on its own axis (ms since its own start, its own monotonic clock); the driver sees one
// progress and one ledger, every pod's records counted as they are.
//
// Clocks: each pod's axis is placed on this process's clock by its own measurement (axis-clock.ts: from the progress
// lines it read), never by a node's wall clock, so nodes whose clocks disagree with each other or with this machine
// change nothing but that estimate's small error. The merged ledger's axis starts at the earliest pod's placed zero.
// What the load rule judges per pod (its rate, its send gaps: load-rule.ts) is measured on one pod's clock alone:
// only the window's edges cross clocks.
import type { GeneratorPart, LedgerClock, RawLedger } from '../ledger/types.ts';
import { TAIL_SIZE } from './progress.ts';
import type { GeneratorPod, ModeProgress, Progress } from './source.ts';

const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/** One of `pods` generators' settings: its share of the rate, and of the in-flight bound (the same seconds of stall absorbed). */
export function shareOf<T extends { ratePerSecond: number; concurrency: number }>(settings: T, pods: number): T {
  return pods === 1 ? settings : { ...settings, ratePerSecond: settings.ratePerSecond / pods, concurrency: Math.ceil(settings.concurrency / pods) };
}

/**
 * The pods' progress as one: per mode the sums of sent and failed, and the tail the most recent answers across pods
 * (by start, each pod's tail put on the axis of `epochMs` by its own epoch), so a pod stuck on the old version shows.
 */
export function mergeProgress(parts: readonly { epochMs: number; progress: Progress }[], epochMs: number, tailSize = TAIL_SIZE): Progress {
  const merged: Progress = {};
  const tails = new Map<string, { at: number; answer: string | null }[]>();
  for (const part of parts) {
    const shift = part.epochMs - epochMs;
    for (const [mode, p] of Object.entries(part.progress) as [keyof Progress, ModeProgress][]) {
      const m = merged[mode] ?? (merged[mode] = { total: 0, failed: 0, tail: [] });
      m.total += p.total;
      m.failed += p.failed;
      const tail = tails.get(mode) ?? [];
      p.tail.forEach((answer, i) => tail.push({ at: (p.tailStarts?.[i] ?? 0) + shift, answer }));
      tails.set(mode, tail);
    }
  }
  for (const [mode, tail] of tails) {
    const recent = tail.sort((a, b) => a.at - b.at).slice(-tailSize);
    merged[mode as keyof Progress] = { ...merged[mode as keyof Progress]!, tail: recent.map((e) => e.answer), tailStarts: recent.map((e) => Math.round(e.at)) };
  }
  return merged;
}

/**
 * The pods' ledgers as one, on the earliest pod's axis (`epochMs`: each pod's zero placed on this process's clock): every record kept as recorded, shifted by its pod's epoch and
 * tagged with its pod (`generator`), so the load rule can judge each pod on its own (load-rule.ts).
 */
export function mergeLedgers(parts: readonly { pod: GeneratorPod; ledger: RawLedger; epochMs: number; clock?: LedgerClock }[]): RawLedger {
  if (parts.length === 0) throw new Error('no generator ledger to merge');
  const epochMs = Math.min(...parts.map((p) => p.epochMs));
  const blocked = parts.map((p) => p.ledger.eventLoopBlockedMaxMs).filter((b) => b !== undefined);
  const generators: GeneratorPart[] = parts.map(({ pod, ledger, epochMs: placed, clock }) => ({ name: pod.name, node: pod.node, startedAtEpochMs: placed,
    records: ledger.records.length, ...(ledger.eventLoopBlockedMaxMs !== undefined ? { eventLoopBlockedMaxMs: ledger.eventLoopBlockedMaxMs } : {}),
    ...(clock ? { clock: { ...clock, podEpochMs: ledger.startedAtEpochMs } } : {}) }));
  return {
    startedAtEpochMs: epochMs,
    target: parts[0]!.ledger.target,
    records: parts.flatMap(({ ledger, epochMs: placed }, generator) => {
      const shift = placed - epochMs;
      return ledger.records.map((r) => ({ ...r, start: us(r.start + shift), end: us(r.end + shift), generator }));
    }),
    ...(blocked.length ? { eventLoopBlockedMaxMs: Math.max(...blocked) } : {}),
    generators,
  };
}
