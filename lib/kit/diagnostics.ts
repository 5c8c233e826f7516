import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { containerStatus } from './containers.ts';
import { summarizePod } from './describe.ts';
import { messageOf } from './errors.ts';
import { listEvents } from './events.ts';
import type { Kube } from './kube.ts';

type Timestamp = Date | string | undefined | null;

function toMillis(t: Timestamp): number {
  if (!t) return Number.NaN;
  return (t instanceof Date ? t : new Date(t)).getTime();
}

/** When an event last happened: the newest timestamp it carries. */
export function eventTime(event: CoreV1Event): number {
  const candidates = [event.series?.lastObservedTime, event.eventTime, event.lastTimestamp, event.firstTimestamp,
    event.metadata?.creationTimestamp].map((t) => toMillis(t as Timestamp)).filter((n) => !Number.isNaN(n));
  return candidates.length ? Math.max(...candidates) : 0;
}

/** Events oldest first, one line each: time, type, reason, object, count, message. */
export function formatEvents(events: CoreV1Event[]): string {
  if (!events.length) return '(no events)\n';
  return events
    .map((event, index) => ({ event, index, at: eventTime(event) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ event, at }) => {
      const time = at ? new Date(at).toISOString() : '(no time)';
      const object = `${event.involvedObject?.kind ?? '?'}/${event.involvedObject?.name ?? '?'}`;
      const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
      return `${time}  ${(event.type ?? '').padEnd(7)}  ${(event.reason ?? '').padEnd(20)}  ${object}${count}  ${(event.message ?? '').trim()}`;
    })
    .join('\n') + '\n';
}

/** Pods as a person reads them: the summary, then the full status as YAML. */
export function formatPods(pods: V1Pod[]): string {
  if (!pods.length) return '(no pods)\n';
  return pods.map((pod) => `${summarizePod(pod)}\n  status:\n${stringify(JSON.parse(JSON.stringify(pod.status ?? {})), { lineWidth: 0 })
    .replace(/^/gm, '    ')}`).join('\n');
}

/**
 * Which logs to fetch: the current log of every container that has started, and the previous one where
 * it has restarted. A container that never started has no log; its status says why.
 */
export function logTargets(pod: V1Pod): Array<{ container: string; previous: boolean }> {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return names.flatMap((container) => {
    const status = containerStatus(pod, container);
    const hasPrevious = Boolean(status && (status.restartCount > 0 || status.lastState?.terminated));
    const started = Boolean(status && (status.state?.running || status.state?.terminated || hasPrevious));
    return [...(started ? [{ container, previous: false }] : []), ...(hasPrevious ? [{ container, previous: true }] : [])];
  });
}

const LOG_LIMIT_BYTES = 512 * 1024;

/**
 * Writes what is needed to understand a failure in `namespace` to `dir`: events.txt (time order),
 * pods.txt, objects.yaml (services, slices, claims, controllers) and logs/<pod>.<container>[.previous].log.
 * Each part is written even when another fails; the failures are listed in errors.txt.
 */
export async function dumpNamespace(kube: Kube, namespace: string, dir: string): Promise<string[]> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const written: string[] = [];
  const errors: string[] = [];
  const write = (file: string, text: string): void => {
    writeFileSync(join(dir, file), text);
    written.push(join(dir, file));
  };
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(`${what}: ${messageOf(err)}`);
    }
  };

  await attempt('events', async () => {
    write('events.txt', formatEvents(await listEvents(kube, namespace)));
  });
  let pods: V1Pod[] = [];
  await attempt('pods', async () => {
    pods = (await kube.core.listNamespacedPod({ namespace })).items;
    write('pods.txt', formatPods(pods));
  });
  await attempt('objects', async () => {
    const [services, slices, claims, deployments, sets] = await Promise.all([
      kube.core.listNamespacedService({ namespace }), kube.discovery.listNamespacedEndpointSlice({ namespace }),
      kube.core.listNamespacedPersistentVolumeClaim({ namespace }), kube.apps.listNamespacedDeployment({ namespace }),
      kube.apps.listNamespacedStatefulSet({ namespace })]);
    const strip = (items: Array<{ metadata?: { managedFields?: unknown } }>): unknown[] =>
      items.map((i) => JSON.parse(JSON.stringify({ ...i, metadata: { ...i.metadata, managedFields: undefined } })));
    write('objects.yaml', stringify({
      services: strip(services.items), endpointSlices: strip(slices.items), persistentVolumeClaims: strip(claims.items),
      deployments: strip(deployments.items), statefulSets: strip(sets.items),
    }, { lineWidth: 0 }));
  });
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    for (const { container, previous } of logTargets(pod)) {
      await attempt(`log of ${name}/${container}${previous ? ' (previous)' : ''}`, async () => {
        const log = await kube.core.readNamespacedPodLog({ name, namespace, container, previous, limitBytes: LOG_LIMIT_BYTES });
        write(join('logs', `${name}.${container}${previous ? '.previous' : ''}.log`), log || '(empty)\n');
      });
    }
  }
  if (errors.length) write('errors.txt', `${errors.join('\n')}\n`);
  return written;
}
