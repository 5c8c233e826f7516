import type { Kube } from './kube.ts';
import { statusOf } from './kube.ts';

// The Eviction API is how a drain removes a pod: unlike a delete it asks every PodDisruptionBudget covering the pod,
// and a budget with no disruption left refuses with 429 and a DisruptionBudget cause. The API server's own rate
// limiting (priority and fairness) also answers 429, without that cause: only the cause says the budget refused.

/** The cause the API server gives when a PodDisruptionBudget refuses an eviction. */
export const BUDGET_CAUSE = 'DisruptionBudget';

export type EvictionAnswer =
  | { granted: true }
  | { granted: false; status?: number; byBudget: boolean; message: string };

interface StatusBody {
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

function bodyOf(err: unknown): StatusBody {
  const raw = (err as { body?: unknown }).body;
  if (typeof raw === 'object' && raw !== null) return raw as StatusBody;
  if (typeof raw !== 'string') return {};
  try {
    return JSON.parse(raw) as StatusBody;
  } catch {
    return { message: raw };
  }
}

/** What a refused eviction's error says: its status, whether a budget refused it (429 and its cause), its message. */
export function evictionRefusal(err: unknown): Extract<EvictionAnswer, { granted: false }> {
  const status = statusOf(err);
  const body = bodyOf(err);
  const causes = body.details?.causes ?? [];
  const byBudget = status === 429 && causes.some((c) => c.reason === BUDGET_CAUSE);
  const message = [body.message, ...causes.map((c) => c.message)].filter(Boolean).join('; ') || String((err as Error).message ?? err);
  return { granted: false, ...(status !== undefined ? { status } : {}), byBudget, message };
}

/** Asks the Eviction API to evict a pod, as `kubectl drain` does; a refusal is an answer, not an error. */
export async function evictPod(kube: Kube, namespace: string, name: string): Promise<EvictionAnswer> {
  try {
    await kube.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
    return { granted: true };
  } catch (err) {
    const refusal = evictionRefusal(err);
    if (refusal.status === undefined) throw err; // not an answer from the API: the connection failed
    return refusal;
  }
}
