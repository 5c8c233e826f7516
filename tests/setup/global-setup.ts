import { loadConfig } from '../../lib/config.ts';
import { formatHarnessError, isHarnessError } from '../../lib/errors.ts';
import { startRun } from '../../lib/session.ts';

/**
 * Cluster project only. A HarnessError is printed as its one actionable message and the process exits
 * at once: Jest would otherwise wrap it in a stack trace and still start every test file.
 */
export default async function globalSetup(): Promise<void> {
  try {
    process.stderr.write('\n');
    await startRun(loadConfig());
  } catch (err) {
    if (!isHarnessError(err)) throw err;
    process.stderr.write(`\n${formatHarnessError(err)}\n`);
    process.exit(1);
  }
}
