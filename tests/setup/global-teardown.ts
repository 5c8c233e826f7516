import type * as Session from '../../lib/session.ts';

export default async function globalTeardown(): Promise<void> {
  const { finishRun } = await import('../../lib/session.ts') as typeof Session;
  await finishRun();
}
