import { errors } from 'undici';
import { classifyError } from '../../lib/rollout/load/classify.ts';
import { answerOf, parseIdentify } from '../../lib/rollout/load/identify.ts';

const sys = (code: string): Error => Object.assign(new Error(code), { code });

describe('classifyError', () => {
  it('maps socket errors to refused / timeout / reset, and a reset to where it struck', () => {
    expect(classifyError(sys('ECONNREFUSED'))).toBe('refused');
    expect(classifyError(sys('ECONNRESET'))).toBe('reset-new-connection');
    expect(classifyError(sys('ECONNRESET'), { reusedConnection: true, answerStarted: false })).toBe('reset-reused-before-answer');
    expect(classifyError(sys('EPIPE'), { reusedConnection: true, answerStarted: true })).toBe('reset-mid-response');
    expect(classifyError(sys('ECONNRESET'), { reusedConnection: false, answerStarted: true })).toBe('reset-mid-response');
    expect(classifyError(sys('WC_TIMEOUT'), { reusedConnection: true, answerStarted: false })).toBe('timeout');
    expect(classifyError(new errors.SocketError('other side closed'))).toBe('reset-new-connection');
    expect(classifyError(new errors.HeadersTimeoutError())).toBe('timeout');
    expect(classifyError(new errors.ConnectTimeoutError())).toBe('timeout');
    expect(classifyError(new Error('x'))).toBe('other');
  });
  it('prefers the innermost cause', () => {
    const wrapped = Object.assign(new errors.SocketError('closed'), { cause: sys('ECONNREFUSED') });
    expect(classifyError(wrapped)).toBe('refused');
  });
});

describe('identify', () => {
  it('reads the answer from the body or a header', () => {
    expect(answerOf(parseIdentify('body'), {}, ' web-1\n')).toBe('web-1');
    expect(answerOf(parseIdentify('header:X-Version'), { 'x-version': 'v2' }, 'hello')).toBe('v2');
    expect(answerOf(parseIdentify('header:x-version'), {}, 'hello')).toBeUndefined();
    expect(() => parseIdentify('json')).toThrow(/identify/);
  });
});
