import type * as Session from '../../lib/run/session.ts';

export default async function globalTeardown(): Promise<void> {
  const { finishRun } = await import('../../lib/run/session.ts') as typeof Session;
  await finishRun();
}
