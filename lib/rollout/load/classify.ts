// Maps whatever undici or the socket layer threw to the three failure kinds the ledger distinguishes.
// The code may sit on the error itself or on its `cause` (undici wraps socket errors).
import type { ErrorKind } from '../ledger/types.ts';

const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
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

export function classifyError(error: unknown): ErrorKind {
  const codes = codesOf(error);
  // The innermost cause is the most specific (a socket error wrapped in a generic one), so check it first.
  for (const code of codes.reverse()) {
    if (REFUSED.has(code)) return 'refused';
    if (TIMEOUT.has(code)) return 'timeout';
    if (RESET.has(code)) return 'reset';
  }
  return 'other';
}
