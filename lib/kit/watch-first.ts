import type { WaitSpec } from './wait.ts';
import { waitFor } from './wait.ts';

/**
 * Starts a waitFor and returns once its first list is in, with the wait still going. For waits on what an
 * action of the test is about to cause (a delete, a create): started this way before the action, the wait
 * sees every change from before it, however quickly the change comes and goes. The result's rejection is
 * delivered to whoever awaits it, never reported as unhandled meanwhile.
 */
export async function waitFromNow<T, V>(spec: WaitSpec<T, V>): Promise<{ result: Promise<V> }> {
  let listed!: () => void;
  const listedOnce = new Promise<void>((resolve) => { listed = resolve; });
  const result = waitFor({
    ...spec,
    list: async () => {
      const answer = await spec.list();
      listed();
      return answer;
    },
  });
  result.catch(() => undefined);
  await Promise.race([listedOnce, result]);
  return { result };
}
