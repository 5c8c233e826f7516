import type * as Config from '../../lib/run/config.ts';
import type * as RolloutConfig from '../../lib/run/config-rollout.ts';
import type * as Errors from '../../lib/kit/errors.ts';
import type * as Session from '../../lib/run/session.ts';

/**
 * Cluster project only. The harness is imported natively (see jest.config.ts). A HarnessError is printed
 * as its one actionable message and the process exits at once: Jest would otherwise wrap it in a stack
 * trace and still start every test file.
 */
export default async function globalSetup(): Promise<void> {
  const { loadConfig } = await import('../../lib/run/config.ts') as typeof Config;
  const { formatHarnessError, isHarnessError } = await import('../../lib/kit/errors.ts') as typeof Errors;
  const { startRun } = await import('../../lib/run/session.ts') as typeof Session;
  const { checkRolloutInput } = await import('../../lib/run/config-rollout.ts') as typeof RolloutConfig;
  try {
    process.stderr.write('\n');
    const config = loadConfig();
    checkRolloutInput();
    await startRun(config);
  } catch (err) {
    if (!isHarnessError(err)) throw err;
    process.stderr.write(`\n${formatHarnessError(err)}\n`);
    process.exit(1);
  }
}
