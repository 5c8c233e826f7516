// Load parameters for the rollout check, from WC_ROLLOUT_* environment variables with defaults sized
// for a 2-core machine: two modes at 200 req/s each is 400 req/s offered while the cluster rolls.
import { HarnessError } from '../errors.ts';
import type { ConnectionMode } from '../ledger/types.ts';
import type { LoadPlan } from './driver.ts';

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new HarnessError('reading the rollout load settings', `${name} must be a positive number, got "${raw}"`);
  return n;
}

export function loadPlanFromEnv(env: Env = process.env): LoadPlan {
  const ratePerSecond = positive(env, 'WC_ROLLOUT_RATE', 200);
  const modes = (env.WC_ROLLOUT_MODES ?? 'fresh,keepalive').split(',').map((m) => m.trim()) as ConnectionMode[];
  for (const m of modes) {
    if (m !== 'fresh' && m !== 'keepalive') {
      throw new HarnessError('reading the rollout load settings', `WC_ROLLOUT_MODES lists "${m}"; use fresh and/or keepalive`);
    }
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
