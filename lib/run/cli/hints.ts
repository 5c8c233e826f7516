// The commands this tool prints for the user to type next. They are the CLI's (`npx workload-conformance ...`),
// never `node lib/...ts`: the bin picks a Node new enough for TypeScript (scripts/node.cjs), the machine's own may
// not be, and in a project that installed the package there is no lib/ in the working directory.
import type { HarnessConfig } from '../config.ts';

/** A value as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The WC_* settings, as a command prefix (`K=V ... `), under which a later command finds the same kind cluster:
 * its name always; offline mode (the offline kind binary), the Kubernetes minor (that minor's artefacts) and the
 * cache directory when they decided where it came from; with `kindConfig` (for `run`: a reused cluster must match
 * them) the kind config and node count given.
 */
export function clusterEnv(config: HarnessConfig, env: NodeJS.ProcessEnv, options: { kindConfig?: boolean } = {}): string {
  const set = (name: string): boolean => Boolean(env[name]?.trim());
  const pairs: [string, string][] = [];
  if (config.offline) pairs.push(['WC_OFFLINE', '1']);
  if (set('WC_CACHE_DIR')) pairs.push(['WC_CACHE_DIR', config.cacheDir]);
  if (set('WC_KUBERNETES_VERSION')) pairs.push(['WC_KUBERNETES_VERSION', config.kubernetes.minor]);
  if (options.kindConfig !== false) {
    if (set('WC_KIND_CONFIG')) pairs.push(['WC_KIND_CONFIG', config.kindConfigPath]);
    if (set('WC_NODES')) pairs.push(['WC_NODES', env.WC_NODES!.trim()]);
  }
  pairs.push(['WC_CLUSTER_NAME', config.clusterName]);
  return pairs.map(([k, v]) => `${k}=${shellWord(v)} `).join('');
}
