// The load generator: paced GET requests through Node's own HTTP client, every one written to the ledger.
// Node's client says whether a request went out on a reused keep-alive connection (`reusedSocket`) and
// whether any byte of the answer had arrived, which is what tells the failure kinds apart (types.ts).
// Connection modes (types.ts, docs/rollout.md): `fresh` opens a new connection per request; the
// keep-alive modes share a pool of connections reused until the server closes them, with, explicitly and
// only in the named modes, one retry of the RFC 9112 §9.3.1 case or client-side rotation after 1 s.
import dns from 'node:dns';
import http from 'node:http';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import type { Recorder } from '../ledger/recorder.ts';
import type { ConnectionMode, ErrorKind, TimeoutStage } from '../ledger/types.ts';
import { classifyError } from './classify.ts';
import { answerOf, type Identify } from './identify.ts';
import { Pacer, type Stall } from './pacer.ts';

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
  /** How the target's host name becomes an address for each new connection (default: the system resolver). */
  lookup?: LookupFunction;
  /** Test hook only: hold every send in this window, as a starved generator would (see pacer.ts). */
  stall?: Stall;
}

export interface LoadRun {
  /** Stops sending, waits for requests in flight, closes connections. */
  stop(): Promise<void>;
  readonly sent: number;
}

/** keepalive-rotate-1s: a connection's age limit. */
export const ROTATE_AFTER_MS = 1000;

type Attempt = { status: number; answer: string | undefined } | { error: ErrorKind; timedOutIn?: TimeoutStage };

function newAgent(mode: ConnectionMode, concurrency: number): http.Agent {
  const keepAlive = mode !== 'fresh';
  // FIFO hands out the connection idle the longest, so every pooled connection carries requests in turn and a
  // server that drains with `Connection: close` reaches each of them within its drain. With LIFO, connections
  // opened during a burst sit idle until the server closes them at exit, and a request sent at that instant is
  // reset on a reused connection (RFC 9112 §9.3.1's race; measured here: 1 of 10,032 with a 5 s drain); that
  // race is what keepalive-retry-idempotent retries.
  return new http.Agent({ keepAlive, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'fifo' });
}

/** A retired pool: its idle connections are closed now, its busy ones as soon as their answer is in. */
function retire(agent: http.Agent): void {
  agent.keepSocketAlive = () => false;
  for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
}

export function startLoad(options: LoadOptions, recorder: Recorder): LoadRun {
  const url = new URL(options.target);
  const port = Number(url.port || 80);
  const fresh = options.mode === 'fresh';
  const resolveName: LookupFunction = options.lookup ?? (dns.lookup as LookupFunction);
  let agent = newAgent(options.mode, options.concurrency);
  const retired: http.Agent[] = [];
  // Rotation replaces the pool: new requests go to new connections, and the old pool's connections are
  // closed by the client once idle — a clean client-side close, never one that races a request.
  const rotation = options.mode === 'keepalive-rotate-1s' ? setInterval(() => {
    retire(agent);
    retired.push(agent);
    agent = newAgent(options.mode, options.concurrency);
  }, ROTATE_AFTER_MS) : undefined;

  /** One HTTP exchange on `via` (false: a connection of its own, closed after the answer). */
  function attempt(via: http.Agent | false): Promise<Attempt> {
    return new Promise((resolve) => {
      let done = false;
      let reused = false;
      let answerStarted = false;
      let socket: Socket | undefined;
      // An IP target needs no lookup (net calls none); a name is resolved when the lookup below answers. (The
      // socket's 'lookup' event would be missed when the lookup answers synchronously, before 'socket' fires.)
      let resolved = isIP(url.hostname) !== 0;
      const lookup: LookupFunction = (host, opts, callback) => resolveName(host, opts, (err, address, family) => {
        resolved = true;
        callback(err, address, family);
      });
      let bytesBefore = 0;
      const finish = (a: Attempt) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(a);
      };
      let stage: TimeoutStage | undefined;
      const failed = (error: unknown) => {
        const kind = classifyError(error, {
          reusedConnection: reused,
          answerStarted: answerStarted || (socket !== undefined && socket.bytesRead > bytesBefore),
        });
        finish(kind === 'timeout' && stage ? { error: kind, timedOutIn: stage } : { error: kind });
      };
      const req = http.request({
        host: url.hostname, port, path: options.path, method: 'GET', agent: via,
        headers: fresh || via === false ? { connection: 'close' } : {},
        lookup,
      });
      const timer = setTimeout(() => {
        if (socket && !socket.connecting) stage = 'answer';
        else stage = resolved ? 'connect' : 'lookup';
        req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'WC_TIMEOUT' }));
      }, options.timeoutMs);
      req.on('socket', (s: Socket) => {
        socket = s;
        reused = req.reusedSocket;
        bytesBefore = s.bytesRead;
      });
      req.on('response', (res) => {
        answerStarted = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode ?? 0, answer: answerOf(options.identify, res.headers, Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', failed);
        res.on('close', () => {
          if (!res.complete) failed(Object.assign(new Error('connection closed mid-response'), { code: 'ECONNRESET' }));
        });
      });
      req.on('error', failed);
      req.end();
    });
  }

  const pacer = new Pacer(options.ratePerSecond, () => recorder.now(), options.stall);
  let stopped = false;
  const halt = new AbortController();
  let sent = 0;

  async function once(): Promise<void> {
    const start = recorder.now();
    sent++;
    let result = await attempt(agent);
    let retried = false;
    if (options.mode === 'keepalive-retry-idempotent' && 'error' in result && result.error === 'reset-reused-before-answer') {
      // RFC 9112 §9.3.1: a GET that failed before any byte of the answer on a reused connection may be
      // retried automatically; once, on a new connection, and recorded as retried.
      retried = true;
      result = await attempt(false);
    }
    recorder.add({ mode: options.mode, start, end: recorder.now(), ...result, ...(retried ? { retried: true as const } : {}) });
  }

  async function worker(): Promise<void> {
    for (;;) {
      await pacer.take(halt.signal);
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
      halt.abort();
      clearInterval(rotation);
      await Promise.all(workers);
      for (const a of [...retired, agent]) a.destroy();
    },
  };
}
