import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Node environment that counts failed tests and hooks into the file's global, so useTestNamespace's
 * afterAll knows whether to dump diagnostics (Jest gives hooks no access to test results).
 */
export default class ClusterEnvironment extends TestEnvironment {
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
  }
}
