import { finishRun } from '../../lib/session.ts';

export default async function globalTeardown(): Promise<void> {
  await finishRun();
}
