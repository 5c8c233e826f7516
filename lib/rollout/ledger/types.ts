// The ledger: one record per request the load generator sent. The same shape comes back whether the
// generator ran in the test process or as a pod inside the cluster, so everything downstream is shared.

export type ConnectionMode = 'fresh' | 'keepalive';

/** Why a request got no HTTP answer. */
export type ErrorKind = 'reset' | 'refused' | 'timeout' | 'other';

export interface RequestRecord {
  mode: ConnectionMode;
  /** Milliseconds since the ledger's epoch (`startedAtEpochMs`), sub-millisecond resolution. */
  start: number;
  end: number;
  /** HTTP status when the server answered. */
  status?: number;
  /** Set when there was no HTTP answer. */
  error?: ErrorKind;
  /** What identified the answering instance (response body or header), as received. */
  answer?: string;
  /** Filled in by `resolveAnswers` from the pod→version map the API gave us. */
  pod?: string;
  version?: string;
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
}
