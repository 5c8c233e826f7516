// Evictions as `kubectl drain` asks them: each pod at once through the Eviction API (which asks the pods'
// PodDisruptionBudget), asking again after a refusal every EVICTION_RETRY_MS until granted. Used by the node drain
// (drain.ts) and by `evictAll`, the audit's eviction under load: every pod of the workload asked at once, as a drain of
// every node it runs on (a cluster upgrade) asks them, so its budget, or its lack of one, shows in what is granted.
import { setTimeout as sleep } from 'node:timers/promises';
import { evictPod, type EvictionAnswer } from '../kit/evictions.ts';
import { retrying } from '../kit/kube.ts';
import { pollUntil } from '../kit/poll.ts';
import { TIMEOUTS } from '../kit/timeouts.ts';
import { waitWhole, type Disruption, type DisruptionContext } from './driver.ts';
import { shortPodName } from './report/rollout-timeline-svg.ts';

/**
 * How long `kubectl drain` waits after a refused eviction before it asks again (kubectl's drain helper retries a
 * 429 every 5 s). The drain's pace is kubectl's, not ours: it is part of what is measured.
 */
export const EVICTION_RETRY_MS = 5000;

/** One answer of the Eviction API, when it came (ms on the ledger's axis) and in which round of asking (1: the first). */
export interface EvictionAsked {
  pod: string;
  at: number;
  round: number;
  answer: EvictionAnswer;
}

/** The Eviction API kept refusing a pod for the whole bound: what a drain of its node would meet (it waits forever). */
export class EvictionRefused extends Error {
  readonly asked: EvictionAsked[];
  constructor(message: string, asked: EvictionAsked[]) {
    super(message);
    this.asked = asked;
    this.name = 'EvictionRefused';
  }
}

/**
 * Evicts each pod at once, each asking again after a refusal until granted; EvictionRefused when `refusedForMs` passes
 * with no eviction granted (the clock starts again at each grant: a budget of one lets pods go one replacement at a
 * time, however many). On the first failure the other pods' asking stops too. Every answer is marked and returned.
 */
export async function evictEach(ctx: DisruptionContext, victims: readonly string[], refusedForMs = ctx.timeoutMs): Promise<EvictionAsked[]> {
  const asked: EvictionAsked[] = [];
  let lastGrantAt = Date.now();
  const halt = new AbortController();
  try {
    await Promise.all(victims.map(async (pod) => {
      for (let round = 1; !halt.signal.aborted; round++) {
        const answer = await evictPod(ctx.kube, ctx.ns, pod);
        asked.push({ pod, at: ctx.onAxis(Date.now()), round, answer });
        // Short names on the timeline (as its lanes show them); the JSON's pod events keep the full ones.
        if (answer.granted) {
          lastGrantAt = Date.now();
          return void ctx.mark(`evicted ${shortPodName(pod)}`);
        }
        ctx.mark(`refused ${shortPodName(pod)}: ${answer.status ?? '?'}${answer.byBudget ? ' DisruptionBudget' : ''}`);
        if (answer.status !== 429) throw new Error(`the eviction of ${pod} failed: ${answer.status} ${answer.message}`);
        if (Date.now() + EVICTION_RETRY_MS > lastGrantAt + refusedForMs) {
          const granted = asked.filter((a) => a.answer.granted).length;
          throw new EvictionRefused(`the eviction of ${pod} was still refused ${Math.round(refusedForMs / 1000)} s after the last grant ` +
            `(${round} asks; ${granted} of ${victims.length} granted): ${answer.message}`, asked);
        }
        await sleep(EVICTION_RETRY_MS, undefined, { signal: halt.signal }).catch(() => undefined);
      }
    }));
  } finally {
    halt.abort();
  }
  return asked;
}

/**
 * Waits until every pod of `uids` is gone, as the watch saw it; returns when (ledger axis). By uid: a StatefulSet's
 * replacement takes the very name of the pod it replaces.
 */
export async function podsGone(ctx: DisruptionContext, uids: readonly string[], what: string): Promise<number> {
  const names = uids.map((uid) => ctx.observer.pods.get(uid)?.name ?? uid);
  await pollUntil({
    description: `every ${what} gone (${names.join(', ')})`,
    probe: async () => uids.filter((uid) => ctx.observer.pods.get(uid)?.deletedAt === undefined).map((uid) => ctx.observer.pods.get(uid)?.name ?? uid),
    done: (left) => left.length === 0,
    timeoutMs: ctx.timeoutMs,
    intervalMs: 100,
  });
  return ctx.onAxis(Date.now());
}

/** What `evictAll` saw: every answer, and how many pods the first round let go at once. */
export interface EvictAllEvidence {
  replicas: number;
  /** Evictions granted in the first round, asked at once: a budget of one disruption grants one; no budget grants all. */
  grantedAtOnce: number;
  refusedByBudget: number;
  asked: EvictionAsked[];
}

/**
 * Every pod of the workload evicted at once, as a drain of all its nodes asks (no cordon: the replacements go anywhere).
 * A refusal that lasts longer than a pod takes to turn Ready (TIMEOUTS.pod) is a budget that lets nothing go: a drain
 * would wait forever, so this stops with EvictionRefused.
 */
export function evictAll(): Disruption & { evidence(): EvictAllEvidence | undefined } {
  let seen: EvictAllEvidence | undefined;
  return {
    describe: 'eviction of every pod',
    evidence: () => seen,
    endVersion: (spec) => spec.from.name,
    async perform(ctx, target) {
      const { spec } = target;
      const listed = await retrying(`listing the pods of ${spec.name}`, () => ctx.kube.core.listNamespacedPod({ namespace: ctx.ns, labelSelector: target.selector }));
      const live = listed.items.filter((p) => !p.metadata?.deletionTimestamp);
      const victims = live.map((p) => p.metadata!.name!);
      const uids = live.map((p) => p.metadata!.uid!);
      if (!victims.length) throw new Error(`no pod of ${spec.name} to evict`);
      const version = target.versionOf(live[0]!) ?? spec.from.name;
      const startedAt = ctx.onAxis(Date.now());
      ctx.log(`evicting every pod of ${spec.name} at once: ${victims.join(', ')}`);
      const asked = await evictEach(ctx, victims, TIMEOUTS.pod);
      const first = asked.filter((a) => a.round === 1);
      seen = { replicas: victims.length, grantedAtOnce: first.filter((a) => a.answer.granted).length,
        refusedByBudget: asked.filter((a) => !a.answer.granted && a.answer.byBudget).length, asked };
      const endedPodsGoneAt = await podsGone(ctx, uids, `evicted pod of ${spec.name}`);
      await waitWhole(ctx, target, `${spec.name}: ${spec.replicas} replicas ready again after the evictions`);
      return { startedAt, settledAt: ctx.onAxis(Date.now()), endedPodsGoneAt, endedPods: uids, versions: { from: version, to: version },
        evidence: { ...seen } };
    },
  };
}
