// The workload tells us who answered (its pod name, or a version string); the API tells us which pod
// runs which version. Joining the two afterwards keeps the generator free of any cluster knowledge,
// which is what lets it run unchanged inside a pod.
import type { RequestRecord } from './types.ts';

export interface Identity {
  /** pod name → version label, as the API reported it during the run. */
  podVersions: ReadonlyMap<string, string>;
  /** Versions the run deployed; an answer equal to one of these is taken as the version itself. */
  versions: readonly string[];
}

export function resolveAnswer(answer: string | undefined, id: Identity): { pod?: string; version?: string } {
  if (answer === undefined) return {};
  const version = id.podVersions.get(answer);
  if (version !== undefined) return { pod: answer, version };
  if (id.versions.includes(answer)) return { version: answer };
  return {};
}

export function resolveAnswers(records: RequestRecord[], id: Identity): RequestRecord[] {
  return records.map((r) => ({ ...r, ...resolveAnswer(r.answer, id) }));
}
