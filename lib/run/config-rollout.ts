// The rollout check's settings, parsed here like every other WC_* variable (see config.ts): the load
// (WC_ROLLOUT_RATE, _MODES, ...; defaults sized for a 2-core machine: two modes at 200 req/s each is
// 400 req/s offered while the cluster rolls), where it runs (WC_ROLLOUT_LOAD, _LOAD_PODS, _TARGET, WC_LOADGEN_IMAGE),
// and "bring your own workload": the same check against a user's image, described by a small YAML (or
// JSON) file named by WC_ROLLOUT_CONFIG and/or WC_ROLLOUT_* variables (which win). See docs/rollout.md.
// Every mistake is reported, one clear line each (unknown key, wrong type, bad YAML/JSON, not a number),
// in one HarnessError: a misspelled key is never silently ignored and a bad number never becomes NaN.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../kit/errors.ts';
import { defaultLoadgenImage } from './config.ts';
import { hostAddressFor } from '../kit/node-ports.ts';
import type { LoadPlan } from '../rollout/driver.ts';
import { NODE_PORT } from '../rollout/constants.ts';
import { CONNECTION_MODES, type ConnectionMode } from '../rollout/ledger/types.ts';
import { parseIdentify, type Identify } from '../rollout/load/identify.ts';
import type { LoadWhere } from '../rollout/load/placement.ts';
import type { VersionSpec, WorkloadSpec } from '../rollout/spec.ts';

type Env = Record<string, string | undefined>;

const STEP = 'reading the rollout configuration';
const BYO_HINT = 'see docs/rollout.md ("Bring your own workload") for the fields and an example';
const LOAD_HINT = 'see docs/rollout.md for the WC_ROLLOUT_* settings and their defaults';

function fail(message: string, hint = BYO_HINT): never {
  throw new HarnessError(STEP, message, hint);
}

/** Collects every mistake, then fails once listing them all. */
class Problems {
  readonly list: string[] = [];
  add(message: string): undefined {
    this.list.push(message);
    return undefined;
  }
  throwIfAny(hint = BYO_HINT): void {
    if (this.list.length === 1) fail(this.list[0]!, hint);
    if (this.list.length > 1) fail(`${this.list.length} mistakes:\n  - ${this.list.join('\n  - ')}`, hint);
  }
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`);

// The file's fields and their types. `from` / `to` are checked by VERSION_KEYS.
const FILE_KEYS = {
  image: 'string', args: 'string list', port: 'integer', readinessPath: 'string', path: 'string', identify: 'string',
  replicas: 'integer', terminationGracePeriodSeconds: 'integer', preStopSleepSeconds: 'integer', from: 'version', to: 'version',
} as const;
const VERSION_KEYS = { name: 'string', image: 'string', env: 'string map' } as const;
type FieldType = 'string' | 'string list' | 'integer' | 'version' | 'string map';

function checkType(where: string, value: unknown, type: FieldType, p: Problems): boolean {
  const ok = type === 'string' ? typeof value === 'string' && value !== ''
    : type === 'integer' ? Number.isInteger(value) && (value as number) > 0
    : type === 'string list' ? Array.isArray(value) && value.every((v) => typeof v === 'string')
    : value !== null && typeof value === 'object' && !Array.isArray(value) &&
      (type === 'version' || Object.values(value).every((v) => typeof v === 'string'));
  if (!ok) {
    const want = type === 'integer' ? 'a positive integer' : type === 'string list' ? 'a list of strings'
      : type === 'string map' ? 'a mapping of names to string values (quote numbers: "1")' : type === 'version' ? 'a mapping' : 'a non-empty string';
    p.add(`${where} must be ${want}, got ${typeName(value)}`);
  }
  return ok;
}

function checkKeys(where: string, obj: Record<string, unknown>, keys: Record<string, FieldType>, p: Problems): void {
  for (const [key, value] of Object.entries(obj)) {
    const type = keys[key];
    if (!type) {
      p.add(`${where}${key} is not a known field (known: ${Object.keys(keys).join(', ')})`);
      continue;
    }
    if (checkType(`${where}${key}`, value, type, p) && type === 'version') {
      checkKeys(`${where}${key}.`, value as Record<string, unknown>, VERSION_KEYS, p);
      if (!('name' in (value as object))) p.add(`${where}${key}.name is missing`);
    }
  }
}

interface FileConfig {
  image?: string;
  args?: string[];
  port?: number;
  readinessPath?: string;
  path?: string;
  identify?: string;
  replicas?: number;
  terminationGracePeriodSeconds?: number;
  preStopSleepSeconds?: number;
  from?: VersionSpec;
  to?: VersionSpec;
}

/** Parses and checks the file's text; every mistake is one line in `p`. */
export function parseRolloutFile(text: string, file: string, p: Problems = new Problems()): FileConfig {
  let value: unknown;
  try {
    // YAML 1.2 reads JSON too; a JSON-looking file gets JSON's own error message.
    value = /^\s*[{[]/.test(text) && file.endsWith('.json') ? JSON.parse(text) : parse(text, { uniqueKeys: true });
  } catch (err) {
    p.add(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    p.add(`${file} must be a YAML/JSON mapping of fields, got ${typeName(value)}`);
    return {};
  }
  checkKeys('', value as Record<string, unknown>, FILE_KEYS, p);
  return value as FileConfig;
}

function readFile(file: string, p: Problems): FileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fail(`cannot read WC_ROLLOUT_CONFIG=${file}`);
  }
  return parseRolloutFile(text, `WC_ROLLOUT_CONFIG=${file}`, p);
}

/** An integer setting from the environment (a string) or the file (already type-checked). */
function intOf(name: string, raw: string | number | undefined, fallback: number, p: Problems): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n <= 0) {
    p.add(`${name} must be a positive integer, got "${raw}"`);
    return fallback;
  }
  return n;
}

/** A file's integer field, or undefined when it is absent or was already reported as the wrong type. */
const fileInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

function argsFromEnv(raw: string, p: Problems): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return p.add(`WC_ROLLOUT_ARGS must be a JSON array of strings (e.g. ["--port=8080"]), and is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return p.add(`WC_ROLLOUT_ARGS must be a JSON array of strings (e.g. ["--port=8080"]), got ${typeName(value)}`);
  }
  return value;
}

/** Whether the user asked for their own workload at all. */
export function byoRequested(env: Env = process.env): boolean {
  return Boolean(env.WC_ROLLOUT_CONFIG || env.WC_ROLLOUT_IMAGE);
}

export function byoWorkload(env: Env = process.env): WorkloadSpec {
  const p = new Problems();
  const file = env.WC_ROLLOUT_CONFIG ? readFile(env.WC_ROLLOUT_CONFIG, p) : {};
  const image = env.WC_ROLLOUT_IMAGE || file.image;
  if (!image) p.add('no image: set WC_ROLLOUT_IMAGE or "image" in the config file');
  const from: VersionSpec = { name: 'v1', ...file.from };
  const to: VersionSpec = { name: 'v2', ...file.to, ...(env.WC_ROLLOUT_NEXT_IMAGE ? { image: env.WC_ROLLOUT_NEXT_IMAGE } : {}) };
  if (from.name === to.name) p.add(`from.name and to.name must differ (both "${from.name}")`);
  let identify: Identify = { from: 'body' };
  try {
    identify = parseIdentify(env.WC_ROLLOUT_IDENTIFY ?? file.identify ?? 'body');
  } catch (err) {
    p.add((err as Error).message);
  }
  const args = env.WC_ROLLOUT_ARGS ? argsFromEnv(env.WC_ROLLOUT_ARGS, p) : Array.isArray(file.args) ? file.args : undefined;
  const port = intOf(env.WC_ROLLOUT_PORT !== undefined ? 'WC_ROLLOUT_PORT' : 'port', env.WC_ROLLOUT_PORT ?? fileInt(file.port), 8080, p);
  const replicas = intOf('replicas', fileInt(file.replicas), 3, p);
  const grace = intOf('terminationGracePeriodSeconds', fileInt(file.terminationGracePeriodSeconds), 30, p);
  const preStopRaw = env.WC_ROLLOUT_PRESTOP_SLEEP ?? fileInt(file.preStopSleepSeconds);
  const preStop = preStopRaw === undefined || preStopRaw === '' ? undefined
    : intOf(env.WC_ROLLOUT_PRESTOP_SLEEP !== undefined ? 'WC_ROLLOUT_PRESTOP_SLEEP' : 'preStopSleepSeconds', preStopRaw, 1, p);
  p.throwIfAny();
  return {
    name: 'byo',
    image: image!,
    args: args ?? [],
    port,
    readinessPath: env.WC_ROLLOUT_READINESS_PATH ?? file.readinessPath ?? '/readyz',
    requestPath: env.WC_ROLLOUT_PATH ?? file.path ?? '/',
    identify,
    replicas,
    terminationGracePeriodSeconds: grace,
    ...(preStop ? { preStopSleepSeconds: preStop } : {}),
    from,
    to,
  };
}

function positive(env: Env, name: string, fallback: number, p: Problems): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(n > 0)) {
    p.add(`${name} must be a positive number, got "${raw}"`);
    return fallback;
  }
  return n;
}

const isMode = (m: string): m is ConnectionMode => (CONNECTION_MODES as readonly string[]).includes(m);

export function loadPlanFromEnv(env: Env = process.env): LoadPlan {
  const p = new Problems();
  const ratePerSecond = positive(env, 'WC_ROLLOUT_RATE', 200, p);
  const modes: ConnectionMode[] = [];
  for (const m of (env.WC_ROLLOUT_MODES ?? 'fresh,keepalive').split(',').map((s) => s.trim())) {
    if (isMode(m)) modes.push(m);
    else p.add(`WC_ROLLOUT_MODES lists "${m}"; the modes are ${CONNECTION_MODES.join(', ')}`);
  }
  if (env.WC_ROLLOUT_KEEPALIVE_MAX_AGE_MS !== undefined) {
    p.add('WC_ROLLOUT_KEEPALIVE_MAX_AGE_MS is gone: keep-alive is strict by default; client-side rotation is the explicit mode keepalive-rotate-1s (WC_ROLLOUT_MODES)');
  }
  const plan: LoadPlan = {
    modes,
    ratePerSecond,
    // An open-loop generator must not throttle itself: at 200 req/s, answers averaging 0.5-0.9 s on a starved
    // 2-core machine (measured) and connections to a vanished pod hanging for seconds filled 64, then 256
    // slots (sends stopped for 2.3 s). Pooled keep-alive connections are opened only as needed.
    concurrency: Math.round(positive(env, 'WC_ROLLOUT_CONCURRENCY', 1024, p)),
    // Long enough that a starved 2-core runner's slowest answers (p99 about 1 s, max about 2 s measured) are
    // not counted as lost; short enough to catch a connection black-holed to a vanished pod (SYN retries).
    timeoutMs: positive(env, 'WC_ROLLOUT_TIMEOUT_MS', 10_000, p),
    minRequestsPerMode: Math.round(positive(env, 'WC_ROLLOUT_MIN_REQUESTS', 10_000, p)),
    // Two seconds of load before the patch, so the picture shows the steady state before the rollout.
    warmupRequestsPerMode: Math.round(ratePerSecond * 2),
    movedTailSize: 100,
    // The order of endpoint propagation in kind (kube-proxy syncs at most once a second): a pause longer
    // than this could hide a whole disruption. Shorter pauses (a starved 2-core machine's, measured up to
    // ~0.7 s) are still covered by requests in flight before and after them.
    maxSendGapMs: positive(env, 'WC_ROLLOUT_MAX_SEND_GAP_MS', 1000, p),
  };
  p.throwIfAny(LOAD_HINT);
  return plan;
}

export function parseLoadWhere(value: string | undefined): LoadWhere {
  const where = value ?? 'auto';
  if (where === 'auto' || where === 'host' || where === 'pod') return where;
  return fail(`WC_ROLLOUT_LOAD must be auto, host or pod, got "${where}"`, LOAD_HINT);
}

/** The most in-cluster generator pods: beyond this a 2-8 node test cluster gains nothing but pods to start. */
export const MAX_LOAD_PODS = 8;

/** WC_ROLLOUT_LOAD_PODS: how many in-cluster generator pods share the load, 1 to MAX_LOAD_PODS (default 1). */
export function parseLoadPods(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 1;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_LOAD_PODS) return n;
  return fail(`WC_ROLLOUT_LOAD_PODS must be a whole number from 1 to ${MAX_LOAD_PODS} (how many in-cluster generator pods share the load), got "${value}"`, LOAD_HINT);
}

/**
 * The reference rollout cases' titles promise what the defaults give: at least 10,000 requests per mode, fresh
 * connections and strict keep-alive, no send gap over 1 s, and (for the host cases) the load from this machine.
 * A setting that would make them weaker than that is refused rather than silently applied to them; it names each.
 */
export function referenceWeakenings(env: Env): string[] {
  const out: string[] = [];
  const number = (name: string): number | undefined => (env[name]?.trim() ? Number(env[name]) : undefined);
  const minRequests = number('WC_ROLLOUT_MIN_REQUESTS');
  if (minRequests !== undefined && minRequests < 10_000) out.push(`WC_ROLLOUT_MIN_REQUESTS=${env.WC_ROLLOUT_MIN_REQUESTS} (the titles promise >= 10,000 requests per mode)`);
  const gap = number('WC_ROLLOUT_MAX_SEND_GAP_MS');
  if (gap !== undefined && gap > 1000) out.push(`WC_ROLLOUT_MAX_SEND_GAP_MS=${env.WC_ROLLOUT_MAX_SEND_GAP_MS} (the titles promise no send gap over 1 s)`);
  if (env.WC_ROLLOUT_MODES !== undefined) {
    const modes = env.WC_ROLLOUT_MODES.split(',').map((m) => m.trim());
    if (!modes.includes('fresh') || !modes.includes('keepalive')) out.push(`WC_ROLLOUT_MODES=${env.WC_ROLLOUT_MODES} (the titles promise both fresh connections and strict keep-alive)`);
  }
  if (env.WC_ROLLOUT_LOAD === 'pod') out.push('WC_ROLLOUT_LOAD=pod (the host cases\' titles promise the load from this machine)');
  return out;
}

/**
 * Every rollout setting, and the own workload when one is asked for, checked at the start of any cluster run (the
 * global setup and the CLI's preflight, which cannot tell whether the rolling-update file is among those to run)
 * rather than inside the rolling-update file, where a bad setting failed each case with a stack trace after the
 * cluster had come up. The three readers' mistakes are listed together, as each reader lists its own.
 */
export function checkRolloutInput(env: Env = process.env): void {
  const found: HarnessError[] = [];
  const weaker = (): void => {
    const found = referenceWeakenings(env);
    if (found.length) {
      fail(`these settings would make the reference rolling-update cases weaker than their titles: ${found.join('; ')}`,
        'unset them: the reference cases run at their titles\' figures (bench:rollout takes its own settings)');
    }
  };
  const readers = [() => loadPlanFromEnv(env), () => parseLoadWhere(env.WC_ROLLOUT_LOAD), () => parseLoadPods(env.WC_ROLLOUT_LOAD_PODS),
    () => byoRequested(env) && byoWorkload(env), weaker];
  for (const read of readers) {
    try {
      read();
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      found.push(err);
    }
  }
  if (found.length === 1) throw found[0]!;
  if (found.length > 1) {
    throw new HarnessError(STEP, found.map((e) => e.message).join('\n'), [...new Set(found.map((e) => e.hint))].join('; '));
  }
}

/** Everything the rollout check reads from the environment, besides the workload. */
export interface RolloutSettings {
  plan: LoadPlan;
  where: LoadWhere;
  /**
   * Where this machine reaches the rollout Service's NodePort (then the fixed NODE_PORT); undefined on an existing
   * cluster without WC_ROLLOUT_TARGET, where the API allocates the port and a node's address is tried (node-port.ts).
   */
  hostTarget?: string;
  /** A Node image new enough to run the generator's .ts sources (>= 22.18), for the in-cluster load. */
  loadgenImage: string;
  /** How many in-cluster generator pods share the load (WC_ROLLOUT_LOAD_PODS). */
  loadPods: number;
}

/**
 * The host target: WC_ROLLOUT_TARGET, else, on a kind cluster, the host port the kind config maps to NodePort 30080
 * (so a WC_KIND_CONFIG with other host ports works), else 127.0.0.1:30080. On an existing cluster nothing without
 * WC_ROLLOUT_TARGET: kind's mapping may not be there, and another run or the cluster's own Services may hold 30080,
 * so the Service takes a port the API allocates and the host tries a node's address.
 */
export function hostTargetFor(env: Env, kindConfigPath?: string, mode: 'kind' | 'existing' = 'kind'): string | undefined {
  if (env.WC_ROLLOUT_TARGET) return env.WC_ROLLOUT_TARGET;
  if (mode === 'existing') return undefined;
  if (kindConfigPath) {
    try {
      return `http://${hostAddressFor(kindConfigPath, NODE_PORT)}`;
    } catch {
      // A kind config without the mapping: the default address, which the placement's hint then explains.
    }
  }
  return `http://127.0.0.1:${NODE_PORT}`;
}

export function rolloutSettings(env: Env = process.env, kindConfigPath?: string, loadgenImage?: string,
  mode: 'kind' | 'existing' = 'kind'): RolloutSettings {
  const hostTarget = hostTargetFor(env, kindConfigPath, mode);
  return {
    plan: loadPlanFromEnv(env),
    where: parseLoadWhere(env.WC_ROLLOUT_LOAD),
    ...(hostTarget === undefined ? {} : { hostTarget }),
    // The run's (lib/run/config.ts chooses it for the rollout and the audit alike: WC_LOADGEN_IMAGE or the stock one).
    loadgenImage: loadgenImage ?? defaultLoadgenImage(),
    loadPods: parseLoadPods(env.WC_ROLLOUT_LOAD_PODS),
  };
}
