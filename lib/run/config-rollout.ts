// The rollout check's settings, parsed here like every other WC_* variable (see config.ts): the load
// (WC_ROLLOUT_RATE, _MODES, ...; defaults sized for a 2-core machine: two modes at 200 req/s each is
// 400 req/s offered while the cluster rolls), where it runs (WC_ROLLOUT_LOAD, _TARGET, WC_LOADGEN_IMAGE),
// and "bring your own workload": the same check against a user's image, described by a small YAML (or
// JSON) file named by WC_ROLLOUT_CONFIG and/or WC_ROLLOUT_* variables (which win). See docs/rollout.md.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../kit/errors.ts';
import type { LoadPlan } from '../rollout/driver.ts';
import { NODE_PORT } from '../rollout/constants.ts';
import type { ConnectionMode } from '../rollout/ledger/types.ts';
import { parseIdentify } from '../rollout/load/identify.ts';
import type { LoadWhere } from '../rollout/load/placement.ts';
import type { VersionSpec, WorkloadSpec } from '../rollout/spec.ts';
import { readVersions } from './versions.ts';

type Env = Record<string, string | undefined>;

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

const STEP = 'reading the rollout configuration';
const BYO_HINT = 'see docs/rollout.md ("Bring your own workload") for the fields and an example';
const LOAD_HINT = 'see docs/rollout.md for the WC_ROLLOUT_* settings and their defaults';

function fail(message: string, hint = BYO_HINT): never {
  throw new HarnessError(STEP, message, hint);
}

function readFile(file: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fail(`cannot read WC_ROLLOUT_CONFIG=${file}`);
  }
  const value = parse(text) as unknown;
  if (!value || typeof value !== 'object') fail(`${file} is not a YAML/JSON mapping`);
  return value as FileConfig;
}

function intOf(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Whether the user asked for their own workload at all. */
export function byoRequested(env: Env = process.env): boolean {
  return Boolean(env.WC_ROLLOUT_CONFIG || env.WC_ROLLOUT_IMAGE);
}

export function byoWorkload(env: Env = process.env): WorkloadSpec {
  const file = env.WC_ROLLOUT_CONFIG ? readFile(env.WC_ROLLOUT_CONFIG) : {};
  const image = env.WC_ROLLOUT_IMAGE ?? file.image;
  if (!image) fail('no image: set WC_ROLLOUT_IMAGE or "image" in the config file');
  const from: VersionSpec = { name: 'v1', ...file.from };
  const to: VersionSpec = { name: 'v2', ...file.to, ...(env.WC_ROLLOUT_NEXT_IMAGE ? { image: env.WC_ROLLOUT_NEXT_IMAGE } : {}) };
  if (from.name === to.name) fail(`from.name and to.name must differ (both "${from.name}")`);
  let identify;
  try {
    identify = parseIdentify(env.WC_ROLLOUT_IDENTIFY ?? file.identify ?? 'body');
  } catch (err) {
    fail((err as Error).message);
  }
  return {
    name: 'byo',
    image,
    args: env.WC_ROLLOUT_ARGS ? (JSON.parse(env.WC_ROLLOUT_ARGS) as string[]) : (file.args ?? []),
    port: intOf('port', env.WC_ROLLOUT_PORT ?? file.port, 8080),
    readinessPath: env.WC_ROLLOUT_READINESS_PATH ?? file.readinessPath ?? '/readyz',
    requestPath: env.WC_ROLLOUT_PATH ?? file.path ?? '/',
    identify,
    replicas: intOf('replicas', file.replicas, 3),
    terminationGracePeriodSeconds: intOf('terminationGracePeriodSeconds', file.terminationGracePeriodSeconds, 30),
    ...(env.WC_ROLLOUT_PRESTOP_SLEEP ?? file.preStopSleepSeconds
      ? { preStopSleepSeconds: intOf('preStopSleepSeconds', env.WC_ROLLOUT_PRESTOP_SLEEP ?? file.preStopSleepSeconds, 1) }
      : {}),
    from,
    to,
  };
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) fail(`${name} must be a positive number, got "${raw}"`, LOAD_HINT);
  return n;
}

export function loadPlanFromEnv(env: Env = process.env): LoadPlan {
  const ratePerSecond = positive(env, 'WC_ROLLOUT_RATE', 200);
  const modes = (env.WC_ROLLOUT_MODES ?? 'fresh,keepalive').split(',').map((m) => m.trim()) as ConnectionMode[];
  for (const m of modes) {
    if (m !== 'fresh' && m !== 'keepalive') fail(`WC_ROLLOUT_MODES lists "${m}"; use fresh and/or keepalive`, LOAD_HINT);
  }
  return {
    modes,
    ratePerSecond,
    concurrency: Math.round(positive(env, 'WC_ROLLOUT_CONCURRENCY', 64)),
    // Long enough that a starved 2-core runner's slowest answers (p99 about 1 s, max about 2 s measured) are
    // not counted as lost; short enough to catch a connection black-holed to a vanished pod (SYN retries).
    timeoutMs: positive(env, 'WC_ROLLOUT_TIMEOUT_MS', 10_000),
    // Below the reference drain (5 s) minus endpoint propagation (about 1 s): see docs/rollout.md.
    keepaliveMaxAgeMs: Math.round(Number(env.WC_ROLLOUT_KEEPALIVE_MAX_AGE_MS ?? 1000)),
    minRequestsPerMode: Math.round(positive(env, 'WC_ROLLOUT_MIN_REQUESTS', 10_000)),
    // Two seconds of load before the patch, so the picture shows the steady state before the rollout.
    warmupRequestsPerMode: Math.round(ratePerSecond * 2),
    movedTailSize: 100,
  };
}

export function parseLoadWhere(value: string | undefined): LoadWhere {
  const where = value ?? 'auto';
  if (where === 'auto' || where === 'host' || where === 'pod') return where;
  return fail(`WC_ROLLOUT_LOAD must be auto, host or pod, got "${where}"`, LOAD_HINT);
}

/** Everything the rollout check reads from the environment, besides the workload. */
export interface RolloutSettings {
  plan: LoadPlan;
  where: LoadWhere;
  /** Where this machine reaches the rollout Service's NodePort. */
  hostTarget: string;
  /** A stock Node image new enough to run the generator's .ts sources (>= 22.18), for the in-cluster load. */
  loadgenImage: string;
}

export function rolloutSettings(env: Env = process.env): RolloutSettings {
  return {
    plan: loadPlanFromEnv(env),
    where: parseLoadWhere(env.WC_ROLLOUT_LOAD),
    hostTarget: env.WC_ROLLOUT_TARGET ?? `http://127.0.0.1:${NODE_PORT}`,
    loadgenImage: env.WC_LOADGEN_IMAGE ?? `docker.io/library/node:${readVersions().NODE_VERSION ?? '24'}-slim`,
  };
}
