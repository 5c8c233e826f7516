import { messageOf } from './errors.ts';
import { retrying, statusOf } from './kube.ts';
import type { Place } from './kube.ts';

// A container's output as the kubelet serves it. For a container that never started the API refuses with
// 400 ("container ... is waiting to start: PodInitializing"): that refusal is itself the evidence that there
// is no output, so it is returned rather than thrown.

export type LogAnswer = { text: string } | { refused: string };

export async function readContainerLog(place: Place, pod: string, container: string, previous = false): Promise<LogAnswer> {
  try {
    const text = await retrying(`reading the ${previous ? 'previous ' : ''}log of ${pod}/${container}`,
      () => place.kube.core.readNamespacedPodLog({ name: pod, namespace: place.ns, container, previous }));
    return { text: String(text) };
  } catch (err) {
    if (statusOf(err) === 400) return { refused: messageOf(err) };
    throw err;
  }
}

/** The text, or an error saying why there is none (for cases that need the output). */
export async function containerLogText(place: Place, pod: string, container: string, previous = false): Promise<string> {
  const answer = await readContainerLog(place, pod, container, previous);
  if ('refused' in answer) throw new Error(`no ${previous ? 'previous ' : ''}log for ${pod}/${container}: ${answer.refused}`);
  return answer.text;
}
