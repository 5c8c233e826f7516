// Maps what Node's HTTP client or the socket layer threw to the ledger's failure kinds. The code may sit
// on the error itself or on its `cause`. Where the failure happened (before any byte of the answer, on a
// reused or a new connection, or mid-response) is known only to the generator, which passes it in.
import type { ErrorKind } from '../ledger/types.ts';

const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
  'WC_TIMEOUT',
]);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (name === 'TimeoutError' || name === 'AbortError') codes.push('ABORT_ERR');
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Where the failure struck, as the generator saw it. */
export interface FailureContext {
  /** The request went out on a keep-alive connection that had carried an earlier request. */
  reusedConnection: boolean;
  /** Some byte of the answer had arrived before the failure. */
  answerStarted: boolean;
}

const NEW_CONNECTION: FailureContext = { reusedConnection: false, answerStarted: false };

export function classifyError(error: unknown, where: FailureContext = NEW_CONNECTION): ErrorKind {
  const codes = codesOf(error);
  // The innermost cause is the most specific (a socket error wrapped in a generic one), so check it first.
  for (const code of codes.reverse()) {
    if (REFUSED.has(code)) return 'refused';
    if (TIMEOUT.has(code)) return 'timeout';
    if (RESET.has(code)) {
      if (where.answerStarted) return 'reset-mid-response';
      return where.reusedConnection ? 'reset-reused-before-answer' : 'reset-new-connection';
    }
  }
  return 'other';
}
