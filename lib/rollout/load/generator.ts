// The load generator: paced GET requests through Node's own HTTP client, every one written to the ledger.
// Node's client says whether a request went out on a reused keep-alive connection (`reusedSocket`) and
// whether any byte of the answer had arrived, which is what tells the failure kinds apart (types.ts).
// Connection modes (types.ts, docs/rollout.md): `fresh` opens a new connection per request; the
// keep-alive modes share a pool of connections reused until the server closes them, with, explicitly and
// only in the named modes, one retry of the RFC 9112 §9.3.1 case or client-side rotation after 1 s.
import dns from 'node:dns';
import http from 'node:http';
import net, { isIP, type LookupFunction, type NetConnectOpts, type Socket } from 'node:net';
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

type Connect = (options: NetConnectOpts) => Socket;

/**
 * Opens the generator's connections and remembers which of them got their address (the lookup answered), so a
 * timeout can say whether it struck in the lookup or in the handshake. Kept per socket, not per request: an
 * agent opens a waiting request's socket with the options of the request whose socket closed.
 */
function connector(lookup: LookupFunction): { connect: Connect; resolved(socket: Socket): boolean } {
  const resolved = new WeakSet<Socket>();
  const connect: Connect = (options) => {
    // A lookup that answers synchronously does so inside createConnection, before the socket is at hand.
    const made: { socket?: Socket; answeredAtOnce?: boolean } = {};
    const tracked: LookupFunction = (host, opts, callback) => lookup(host, opts, (err, address, family) => {
      if (!err && made.socket) resolved.add(made.socket);
      else if (!err) made.answeredAtOnce = true;
      callback(err, address, family);
    });
    const socket = net.createConnection({ ...options, lookup: tracked });
    made.socket = socket;
    if (made.answeredAtOnce) resolved.add(socket);
    // Returned synchronously, the socket is used at once; the agent's callback is for asynchronous creators.
    return socket;
  };
  return { connect, resolved: (socket) => resolved.has(socket) };
}

function newAgent(mode: ConnectionMode, concurrency: number, connect: Connect): http.Agent {
  const keepAlive = mode !== 'fresh';
  // FIFO hands out the connection idle the longest, so every pooled connection carries requests in turn and a
  // server that drains with `Connection: close` reaches each of them within its drain. With LIFO, connections
  // opened during a burst sit idle until the server closes them at exit, and a request sent at that instant is
  // reset on a reused connection (RFC 9112 §9.3.1's race; measured here: 1 of 10,032 with a 5 s drain); that
  // race is what keepalive-retry-idempotent retries.
  const agent = new http.Agent({ keepAlive, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'fifo' });
  agent.createConnection = connect as typeof agent.createConnection;
  return agent;
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
  // An IP target needs no lookup (net calls none).
  const ipTarget = isIP(url.hostname) !== 0;
  const connections = connector(options.lookup ?? (dns.lookup as LookupFunction));
  let agent = newAgent(options.mode, options.concurrency, connections.connect);
  const retired: http.Agent[] = [];
  // Rotation replaces the pool: new requests go to new connections, and the old pool's connections are
  // closed by the client once idle — a clean client-side close, never one that races a request.
  const rotation = options.mode === 'keepalive-rotate-1s' ? setInterval(() => {
    retire(agent);
    retired.push(agent);
    agent = newAgent(options.mode, options.concurrency, connections.connect);
  }, ROTATE_AFTER_MS) : undefined;

  /** One HTTP exchange on `via` (false: a connection of its own, closed after the answer). */
  function attempt(via: http.Agent | false): Promise<Attempt> {
    return new Promise((resolve) => {
      let done = false;
      let reused = false;
      let answerStarted = false;
      let socket: Socket | undefined;
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
        ...(via === false ? { createConnection: connections.connect as http.RequestOptions['createConnection'] } : {}),
      });
      const timer = setTimeout(() => {
        // No socket yet: the request waited for a free one in the agent's queue, and gets no stage.
        if (socket && !socket.connecting) stage = 'answer';
        else if (socket) stage = ipTarget || connections.resolved(socket) ? 'connect' : 'lookup';
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
