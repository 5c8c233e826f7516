// Watches the workload's pods for the whole check: which pod runs which version (to attribute answers),
// when each became ready, started terminating, exited (and how) and disappeared — the pod half of the
// timeline, and the evidence for "terminated gracefully". Unlike lib/wait (one condition, then done)
// this keeps watching until stopped, re-listing when the watch ends or its resourceVersion expires.
// Records are per pod uid, so a pod a StatefulSet recreates under the same name is a new record (and a
// new 'created' event); `versionOf` says what "version" means for the workload (the rollout: its version label; a StatefulSet: the
// controller-revision-hash).
import type { V1Pod } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { isPodReady } from './conditions.ts';
import type { Kube } from './kube.ts';
import { podTrouble } from './pod-trouble.ts';

export type PodEventKind = 'created' | 'ready' | 'not-ready' | 'terminating' | 'exited' | 'deleted' | 'restarted';

export interface PodEvent {
  /** This process's wall-clock ms when the watch saw it; the API's own timestamp only for what happened before we first looked (a relist). */
  at: number;
  pod: string;
  version?: string;
  kind: PodEventKind;
  detail?: string;
}

export interface Termination {
  exitCode: number;
  reason?: string;
  signal?: number;
  finishedAt?: number;
}

export interface PodRecord {
  name: string;
  version?: string;
  ready: boolean;
  terminatingAt?: number;
  gracePeriodSeconds?: number;
  terminated?: Termination;
  deletedAt?: number;
  /** Its containers' restarts when first seen, then as counted since (a restart before that is not this observer's). */
  restarts?: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();
const timeOf = (t: Date | string | undefined): number | undefined => (t ? new Date(t).getTime() : undefined);

function terminationOf(pod: V1Pod): Termination | undefined {
  const t = pod.status?.containerStatuses?.find((c) => c.state?.terminated)?.state?.terminated;
  if (!t) return undefined;
  return {
    exitCode: t.exitCode,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.signal !== undefined ? { signal: t.signal } : {}),
    ...(t.finishedAt ? { finishedAt: timeOf(t.finishedAt)! } : {}),
  };
}


export class PodObserver {
  /** By pod uid. */
  readonly pods = new Map<string, PodRecord>();
  /** Each pod as last seen, by uid, deleted ones too: their containers' restarts and last states outlive the pod here. */
  readonly lastSeen = new Map<string, V1Pod>();
  readonly events: PodEvent[] = [];
  private abort?: AbortController;
  private stopped = false;
  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly labelSelector: string;
  private readonly versionOf: (pod: V1Pod) => string | undefined;
  /** The first pod seen that cannot run (pod-trouble.ts), and who wants to hear of it. */
  trouble: string | undefined;
  private readonly troubleListeners: ((reason: string) => void)[] = [];

  /** Resolves with the first trouble seen (at once if already seen); never otherwise. */
  troubleSeen(): Promise<string> {
    return new Promise((resolve) => {
      if (this.trouble) resolve(this.trouble);
      else this.troubleListeners.push(resolve);
    });
  }

  constructor(kube: Kube, namespace: string, labelSelector: string, versionOf: (pod: V1Pod) => string | undefined) {
    this.kube = kube;
    this.namespace = namespace;
    this.labelSelector = labelSelector;
    this.versionOf = versionOf;
  }

  async start(): Promise<void> {
    const list = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector });
    for (const pod of list.items) this.observe(pod, false, true);
    // Pods that vanished while no watch was running.
    const listed = new Set(list.items.map((p) => p.metadata!.uid!));
    for (const [uid, rec] of this.pods) if (!listed.has(uid) && rec.deletedAt === undefined) this.markDeleted(rec);
    await this.watchFrom(list.metadata?.resourceVersion);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  podVersions(): Map<string, string> {
    const map = new Map<string, string>();
    for (const p of this.pods.values()) if (p.version) map.set(p.name, p.version);
    return map;
  }

  /** Pods of `version` that still exist (terminating ones included). */
  remaining(version: string): PodRecord[] {
    return [...this.pods.values()].filter((p) => p.version === version && p.deletedAt === undefined);
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    this.abort = await this.kube.watch.watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: this.labelSelector, resourceVersion, allowWatchBookmarks: true },
      (type, pod: V1Pod) => {
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        this.observe(pod, type === 'DELETED', false);
      },
      () => {
        // Ended for whatever reason (server timeout, 410 Gone, network): list again and resume.
        if (!this.stopped) void this.start().catch(() => setTimeout(() => void this.restart(), 1000));
      },
    );
  }

  private async restart(): Promise<void> {
    if (!this.stopped) await this.start().catch(() => setTimeout(() => void this.restart(), 1000));
  }

  private emit(rec: PodRecord, kind: PodEventKind, at: number, detail?: string): void {
    this.events.push({ at, pod: rec.name, ...(rec.version ? { version: rec.version } : {}), kind, ...(detail ? { detail } : {}) });
  }

  private markDeleted(rec: PodRecord): void {
    rec.deletedAt = epochNow();
    this.emit(rec, 'deleted', rec.deletedAt);
  }

  private observe(pod: V1Pod, deleted: boolean, fromList: boolean): void {
    const name = pod.metadata!.name!;
    const uid = pod.metadata!.uid!;
    const now = epochNow();
    this.lastSeen.set(uid, pod);
    let rec = this.pods.get(uid);
    if (!rec) {
      const version = this.versionOf(pod);
      rec = { name, ready: false, ...(version ? { version } : {}) };
      this.pods.set(uid, rec);
      this.emit(rec, 'created', fromList ? (timeOf(pod.metadata?.creationTimestamp) ?? now) : now);
    }
    const trouble = deleted ? undefined : podTrouble(pod);
    if (trouble && !this.trouble) {
      this.trouble = trouble;
      for (const listener of this.troubleListeners.splice(0)) listener(trouble);
    }
    const ready = isPodReady(pod);
    if (ready !== rec.ready) {
      rec.ready = ready;
      this.emit(rec, ready ? 'ready' : 'not-ready', now);
    }
    if (pod.metadata?.deletionTimestamp && rec.terminatingAt === undefined) {
      // deletionTimestamp is the deadline (request time + grace), so the request time is that minus grace.
      const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
      rec.gracePeriodSeconds = grace;
      rec.terminatingAt = fromList ? timeOf(pod.metadata.deletionTimestamp)! - grace * 1000 : now;
      this.emit(rec, 'terminating', rec.terminatingAt);
    }
    const restarts = (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
    if (rec.restarts === undefined) rec.restarts = restarts;
    else if (restarts > rec.restarts) {
      rec.restarts = restarts;
      // Why the last run ended (OOMKilled, Error, a probe's kill shows as Error or Completed), per restarted container.
      const why = (pod.status?.containerStatuses ?? []).filter((c) => c.lastState?.terminated)
        .map((c) => `${c.name}: ${c.lastState!.terminated!.reason ?? `exit ${c.lastState!.terminated!.exitCode}`}`).join(', ');
      this.emit(rec, 'restarted', now, why || undefined);
    }
    // A container that ends in a pod not being deleted (nor finished) is restarted by the kubelet: a restart, not the
    // pod's exit (an OOM kill under load showed as the pod's end on its timeline, and as an ended pod in the counts).
    const ending = deleted || pod.metadata?.deletionTimestamp !== undefined || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const terminated = ending ? terminationOf(pod) : undefined;
    if (terminated && !rec.terminated) {
      rec.terminated = terminated;
      // When we saw it, not the kubelet's finishedAt: that is the node's clock, and this timeline is this process's
      // (a node's clock may disagree with it by seconds). finishedAt stays in the record for node-to-node comparisons.
      this.emit(rec, 'exited', now, `exit ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`);
    }
    if (deleted && rec.deletedAt === undefined) this.markDeleted(rec);
  }
}
