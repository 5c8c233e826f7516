/**
 * The one error type the harness shows to a person: which step failed and what to do about it.
 * The CLI and the global setup print it without a stack trace, because the stack says nothing the
 * message does not.
 */
export class HarnessError extends Error {
  readonly step: string;
  readonly hint?: string;

  constructor(step: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.step = step;
    if (hint !== undefined) this.hint = hint;
  }
}

export function isHarnessError(err: unknown): err is HarnessError {
  return err instanceof HarnessError;
}

/** "<step>: <message>\n  fix: <hint>" — a complete, actionable message on at most a few lines. */
export function formatHarnessError(err: HarnessError): string {
  const lines = [`workload-conformance: ${err.step} failed: ${err.message}`];
  if (err.hint) lines.push(`  fix: ${err.hint}`);
  return lines.join('\n');
}

/** The message of anything thrown, for wrapping errors from libraries into a HarnessError. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${code && !err.message.includes(code) ? ` [${code}]` : ''}${cause}`;
  }
  return String(err);
}
