import {
  AppsV1Api, BatchV1Api, CoreV1Api, DiscoveryV1Api, EventsV1Api, KubeConfig, KubernetesObjectApi, VersionApi, Watch,
} from '@kubernetes/client-node';
import pRetry from 'p-retry';

export interface Kube {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
  events?: EventsV1Api;
  batch: BatchV1Api;
  version: VersionApi;
  /** Generic create/read/delete of any manifest object (see manifests.ts). */
  objects: KubernetesObjectApi;
  watch: Watch;
  kubeconfigPath: string;
  context?: string;
}

/** Where a helper acts: a connection and the test's namespace (a test fixture is one). */
export interface Place {
  kube: Kube;
  ns: string;
}

export function connect(kubeconfigPath: string, context?: string): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  if (context) kc.setCurrentContext(context);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    events: kc.makeApiClient(EventsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    version: kc.makeApiClient(VersionApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    watch: new Watch(kc),
    kubeconfigPath,
    ...(context ? { context } : {}),
  };
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/** The HTTP status of an API error (client-node's ApiException carries it as `code`), if any. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  // Only HTTP-looking numbers: a DOMException (e.g. a TimeoutError) carries a small numeric `code` too.
  const http = (n: unknown): n is number => typeof n === 'number' && n >= 100 && n <= 599;
  if (http(code)) return code;
  if (http(statusCode)) return statusCode;
  return undefined;
}

/**
 * Whether retrying could help: the API server was briefly unavailable or overloaded, or the connection
 * broke. Everything else (404, 409, 422, a refused admission) is an answer and must not be retried.
 */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;

export interface RetryOptions {
  retries?: number;
  minTimeoutMs?: number;
}

/** Runs an API call, retrying transient failures with backoff; other errors surface at once, unchanged. */
export async function retrying<T>(description: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return pRetry(fn, {
    retries: options.retries ?? 5,
    minTimeout: options.minTimeoutMs ?? 250,
    maxTimeout: 4000,
    shouldRetry: ({ error, attemptNumber }) => {
      if (!isTransient(error)) return false;
      process.stderr.write(`[wc] ${description}: transient error (attempt ${attemptNumber}), retrying: ${error.message}\n`);
      return true;
    },
  });
}
