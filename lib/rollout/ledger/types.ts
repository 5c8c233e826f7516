// The ledger: one record per request the load generator sent. The same shape comes back whether the
// generator ran in the test process or as a pod inside the cluster, so everything downstream is shared.

/**
 * How the client uses connections (docs/rollout.md, "Connection modes"):
 * - `fresh`: a new TCP connection per request (`Connection: close`);
 * - `keepalive`: strict keep-alive, a pool of connections reused until the server closes them, no retry;
 * - `keepalive-retry-idempotent`: the same, but a request reset on a reused connection before any byte
 *   of the answer is retried once on a new connection (RFC 9112 §9.3.1; browsers and Go's client do so);
 *   every retry is recorded;
 * - `keepalive-rotate-1s`: the client closes every connection after 1 s (gRPC MAX_CONNECTION_AGE style).
 * The first two are strict: they are the default and the headline verdict.
 */
export const CONNECTION_MODES = ['fresh', 'keepalive', 'keepalive-retry-idempotent', 'keepalive-rotate-1s'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];
export const STRICT_MODES: readonly ConnectionMode[] = ['fresh', 'keepalive'];

/**
 * Why a request got no HTTP answer:
 * - `refused`: the connection was refused (or the host unreachable);
 * - `timeout`: no answer (connect or response) within the request timeout;
 * - `reset-new-connection`: reset/closed before any byte of the answer on a connection opened for it;
 * - `reset-reused-before-answer`: reset/closed before any byte of the answer on a reused keep-alive
 *   connection (the case RFC 9112 §9.3.1 lets a client retry automatically for idempotent requests);
 * - `reset-mid-response`: reset/closed after some of the answer had arrived;
 * - `other`: anything else.
 * A non-2xx answer is not an error kind: it is counted as `http-<status>`.
 */
export type ErrorKind = 'refused' | 'timeout' | 'reset-new-connection' | 'reset-reused-before-answer' | 'reset-mid-response' | 'other';

/**
 * Where a `timeout` stood when the time ran out, which tells its causes apart:
 * - `lookup`: the target's name was still being resolved (DNS);
 * - `connect`: the TCP handshake had no answer (typically a pod IP that no longer exists, still routed to);
 * - `answer`: connected (or reused), but no complete answer came.
 */
export type TimeoutStage = 'lookup' | 'connect' | 'answer';

export interface RequestRecord {
  mode: ConnectionMode;
  /** Milliseconds since the ledger's epoch (`startedAtEpochMs`), sub-millisecond resolution. */
  start: number;
  end: number;
  /** HTTP status when the server answered. */
  status?: number;
  /** Set when there was no HTTP answer. */
  error?: ErrorKind;
  /** With `error: 'timeout'`: the stage the request was in when its time ran out. */
  timedOutIn?: TimeoutStage;
  /**
   * keepalive-retry-idempotent only: the first attempt failed with `reset-reused-before-answer` and this
   * record is the outcome of the one retry on a new connection (status/error are the retry's).
   */
  retried?: true;
  /** What identified the answering instance (response body or header), as received. */
  answer?: string;
  /** Filled in by `resolveAnswers` from the pod→version map the API gave us. */
  pod?: string;
  version?: string;
  /** Which generator sent it (index in `RawLedger.generators`): only when the load came from more than one. */
  generator?: number;
}

/** A request counts as lost unless the server answered 2xx. */
export function isFailure(r: RequestRecord): boolean {
  return r.error !== undefined || r.status === undefined || r.status < 200 || r.status > 299;
}

/** Raw output of one generator run: what crosses the pod boundary in the in-cluster path. */
export interface RawLedger {
  startedAtEpochMs: number;
  target: string;
  records: RequestRecord[];
  /**
   * The longest the generator's own event loop was blocked (ms): a send gap as long as this was the
   * generator (or its starved machine) stalling, not the workload.
   */
  eventLoopBlockedMaxMs?: number;
  /** The nice value the generator's thread ran at, when it could raise its priority (the host path only). */
  generatorNice?: number;
  /** The generators whose ledgers were merged into this one (several in-cluster pods), in `generator` order. */
  generators?: GeneratorPart[];
  /** An in-cluster generator's: how its axis was placed on the harness' clock (lib/rollout/load/axis-clock.ts). */
  clock?: LedgerClock;
}

/** How a generator pod's ledger axis was placed on the harness' clock: from `reads` progress reads, the freshest answered in `bestReadMs`. */
export interface LedgerClock {
  reads: number;
  bestReadMs: number;
  /** The pod's own wall clock at its zero, for comparison only: never used to place anything. */
  podEpochMs?: number;
}

/** One generator of a merged ledger: its pod, its node, and its ledger's zero on the harness' clock (`clock` says how placed). */
export interface GeneratorPart {
  name: string;
  node: string;
  startedAtEpochMs: number;
  records: number;
  eventLoopBlockedMaxMs?: number;
  clock?: LedgerClock;
}
