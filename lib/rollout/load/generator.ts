// The load generator: paced GET requests through undici, every one written to the ledger.
// Connection modes: `fresh` opens a new TCP connection per request (each one is balanced anew by
// kube-proxy and meets endpoint changes at connect time); `keepalive` reuses a pool of connections,
// the classic source of resets when the pod behind a connection stops.
import { Pool } from 'undici';
import type { ConnectionMode } from '../ledger/types.ts';
import type { Recorder } from '../ledger/recorder.ts';
import { classifyError } from './classify.ts';
import { answerOf, type Identify } from './identify.ts';
import { Pacer } from './pacer.ts';

export interface LoadOptions {
  /** Origin, e.g. http://127.0.0.1:30080 */
  target: string;
  path: string;
  mode: ConnectionMode;
  ratePerSecond: number;
  /** Upper bound on requests in flight (and on pooled connections). */
  concurrency: number;
  timeoutMs: number;
  identify: Identify;
  /**
   * Keep-alive mode: connections live at most this long, then the client closes them once their
   * request in flight is answered (gRPC's MAX_CONNECTION_AGE, Envoy's max_connection_duration).
   * 0 or absent: connections are reused for as long as the server keeps them open.
   */
  keepaliveMaxAgeMs?: number;
}

export interface LoadRun {
  /** Stops sending, waits for requests in flight, closes connections. */
  stop(): Promise<void>;
  readonly sent: number;
}

function newPool(options: LoadOptions): Pool {
  return new Pool(options.target, {
    connections: options.concurrency,
    pipelining: 1,
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    // Long idle limits: connections stay busy at these rates, and an idle-timeout close on our side
    // must not be mistaken for the server's doing.
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
  });
}

export function startLoad(options: LoadOptions, recorder: Recorder): LoadRun {
  let pool = newPool(options);
  const retiring: Promise<void>[] = [];
  // Connection age is enforced by replacing the whole pool: new requests go to fresh connections, and
  // close() lets the old pool's requests in flight finish before it closes their sockets — a clean,
  // client-side close, never one that races a request.
  const maxAge = options.mode === 'keepalive' ? (options.keepaliveMaxAgeMs ?? 0) : 0;
  const rotation = maxAge > 0 ? setInterval(() => {
    const old = pool;
    pool = newPool(options);
    retiring.push(old.close());
  }, maxAge) : undefined;
  const pacer = new Pacer(options.ratePerSecond, () => recorder.now());
  // `reset: true` sends "Connection: close" and discards the socket after the answer: a new
  // connection for every request, without paying for a new pool object each time.
  const reset = options.mode === 'fresh';
  let stopped = false;
  let sent = 0;

  async function once(): Promise<void> {
    const start = recorder.now();
    sent++;
    try {
      const res = await pool.request({ path: options.path, method: 'GET', reset });
      const body = await res.body.text();
      recorder.add({
        mode: options.mode,
        start,
        end: recorder.now(),
        status: res.statusCode,
        answer: answerOf(options.identify, res.headers, body),
      });
    } catch (error) {
      recorder.add({ mode: options.mode, start, end: recorder.now(), error: classifyError(error) });
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      await pacer.take();
      if (stopped) return;
      await once();
    }
  }

  const workers = Array.from({ length: options.concurrency }, worker);
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      clearInterval(rotation);
      await Promise.all(workers);
      await Promise.all([...retiring, pool.close()]);
    },
  };
}
