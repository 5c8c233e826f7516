import { execInPod } from '../exec.ts';
import type { Place } from './place.ts';

/** A file's content read from inside a running container (trailing newline dropped). */
export async function readFileInPod(place: Place, pod: string, container: string, path: string): Promise<string> {
  const { stdout, stderr, exitCode } = await execInPod(place.kube, place.ns, pod, container, ['cat', path], 30_000);
  if (exitCode !== 0) throw new Error(`reading ${path} in pod ${pod} failed (exit ${exitCode}): ${stderr.trim()}`);
  return stdout.replace(/\n$/, '');
}
