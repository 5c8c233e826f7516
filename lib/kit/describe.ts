import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { allContainerStatuses } from './containers.ts';

/** Any object the API returns; items of a list lack kind/apiVersion, so the kind is often passed in. */
export interface AnyObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

export function isPod(obj: AnyObject, kind?: string): obj is AnyObject & V1Pod {
  const k = kind ?? obj.kind;
  if (k) return k === 'Pod';
  return Array.isArray((obj.spec as { containers?: unknown } | undefined)?.containers);
}

function containerLine(status: V1ContainerStatus): string {
  const state = status.state ?? {};
  let now = 'unknown';
  if (state.running) now = 'running';
  else if (state.waiting) now = `waiting(${state.waiting.reason ?? ''}${state.waiting.message ? `: ${state.waiting.message}` : ''})`;
  else if (state.terminated) now = `terminated(exit ${state.terminated.exitCode}${state.terminated.reason ? `, ${state.terminated.reason}` : ''})`;
  const last = status.lastState?.terminated;
  const previous = last ? ` last=terminated(exit ${last.exitCode}${last.reason ? `, ${last.reason}` : ''})` : '';
  return `${status.name}: ${now} ready=${status.ready} restarts=${status.restartCount}${previous}`;
}

/** A pod's status in a few lines a person reads at a glance. */
export function summarizePod(pod: V1Pod): string {
  const status = pod.status ?? {};
  const lines = [`pod/${pod.metadata?.name} phase=${status.phase ?? '?'}${status.reason ? ` reason=${status.reason}` : ''}` +
    `${status.podIP ? ` ip=${status.podIP}` : ''}${pod.spec?.nodeName ? ` node=${pod.spec.nodeName}` : ''}`];
  for (const c of status.conditions ?? []) {
    if (c.status !== 'True' || c.reason) {
      lines.push(`  condition ${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`);
    }
  }
  for (const c of allContainerStatuses(pod)) {
    lines.push(`  container ${containerLine(c)}`);
  }
  if (status.message) lines.push(`  message: ${status.message}`);
  return lines.join('\n');
}

const MAX_CHARS = 2000;

/** Any object as text: pods summarized, others as kind/name plus their status (truncated). */
export function summarizeObject(obj: AnyObject, kind?: string): string {
  if (isPod(obj, kind)) return summarizePod(obj);
  const name = `${(kind ?? obj.kind ?? 'object').toLowerCase()}/${obj.metadata?.name ?? '?'}`;
  const body = obj.status !== undefined ? { status: obj.status } : stripMetadata(obj);
  const text = stringify(JSON.parse(JSON.stringify(body)), { lineWidth: 0 }).trimEnd();
  const clipped = text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n... (${text.length - MAX_CHARS} more characters)` : text;
  return `${name}\n${clipped.replace(/^/gm, '  ')}`;
}

function stripMetadata(obj: AnyObject): Record<string, unknown> {
  const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return rest;
}
