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
  const api = apiMessage(err);
  if (api) return api;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${code && !err.message.includes(code) ? ` [${code}]` : ''}${cause}`;
  }
  return String(err);
}

/** client-node's ApiException: its message repeats headers and body; the Status inside says it in a line. */
function apiMessage(err: unknown): string | undefined {
  const { code, body } = (err ?? {}) as { code?: unknown; body?: unknown };
  if (typeof code !== 'number' || code < 100 || code > 599 || body === undefined) return undefined;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string; reason?: string };
    if (status?.message) return `HTTP ${code}: ${status.message}`;
  } catch {
    // not a Status: fall through to the generic form
  }
  return `HTTP ${code}`;
}
