import type { Circus } from '@jest/types';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';
import { registerRunningFile, unregisterRunningFile } from '../../lib/kit/node-level.ts';

/**
 * Node environment that counts failed tests and hooks into the file's global, so useTestNamespace's
 * afterAll knows whether to dump diagnostics (Jest gives hooks no access to test results); and says, in the run's
 * directory, which file this worker runs, so a node-level file can wait until it is alone (lib/kit/node-level.ts).
 */
export default class ClusterEnvironment extends TestEnvironment {
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
  }

  handleTestEvent(event: Circus.Event): void {
    const failed = (event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure';
    if (failed) {
      const global = this.global as unknown as Record<string, unknown>;
      global.__WC_FAILURES__ = ((global.__WC_FAILURES__ as number | undefined) ?? 0) + 1;
    }
  }

  override async setup(): Promise<void> {
    await super.setup();
    (this.global as unknown as Record<string, unknown>).__WC_FAILURES__ = 0;
    registerRunningFile(this.testPath);
  }

  override async teardown(): Promise<void> {
    unregisterRunningFile();
    await super.teardown();
  }
}
