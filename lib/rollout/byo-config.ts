// "Bring your own workload": the same rollout check against a user's image, described by a small YAML
// (or JSON) file named by WC_ROLLOUT_CONFIG and/or WC_ROLLOUT_* environment variables (which win).
// See docs/rollout.md for the fields and an example.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HarnessError } from '../errors.ts';
import { parseIdentify } from '../load/identify.ts';
import type { VersionSpec, WorkloadSpec } from './spec.ts';

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

const STEP = 'reading the bring-your-own-workload rollout config';

function fail(message: string): never {
  throw new HarnessError(STEP, message, 'see docs/rollout.md ("Bring your own workload") for the fields and an example');
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
