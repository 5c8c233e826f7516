import { formatHarnessError, isHarnessError } from '../../kit/errors.ts';

/** Runs a CLI's main: a HarnessError becomes its one-message form and exit code 1, anything else a stack. */
export function runCli(main: () => Promise<void>): void {
  main().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`${isHarnessError(err) ? formatHarnessError(err) : (err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
