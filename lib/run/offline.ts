import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRunner } from './commands.ts';
import { runCommand } from './commands.ts';
import type { WorkloadImages } from './config.ts';
import { HarnessError } from '../kit/errors.ts';
import { REPO_ROOT } from './versions.ts';

/** What offline/build.sh produces (see docs/ARCHITECTURE.md, "Offline artefacts"). */
export interface OfflineArtefacts {
  /** The Kubernetes release the node image runs (absent in files written before several minors were built). */
  kubernetesVersion?: string;
  kind: string;
  nodeImage: string;
  /** The local registry's image, built from the distribution module (absent in files written before it was). */
  registry?: string;
  /** The workload images under this project's local names (the local registry serves them under their official ones). */
  images: Partial<WorkloadImages> & { agnhost: string; busybox: string };
}

/** One file per Kubernetes minor ("1.37"): the build writes artefacts-<minor>.json. */
export function artefactsFile(cacheDir: string, minor: string): string {
  return join(cacheDir, 'offline', `artefacts-${minor}.json`);
}

export function parseArtefacts(text: string, source: string): OfflineArtefacts {
  let doc: Partial<OfflineArtefacts>;
  try {
    doc = JSON.parse(text) as Partial<OfflineArtefacts>;
  } catch (err) {
    throw new HarnessError('reading the offline artefacts', `${source} is not JSON`, 'rebuild them: npm run offline:build', { cause: err });
  }
  const missing = [
    typeof doc.kind === 'string' ? '' : 'kind',
    typeof doc.nodeImage === 'string' ? '' : 'nodeImage',
    typeof doc.images?.agnhost === 'string' ? '' : 'images.agnhost',
    typeof doc.images?.busybox === 'string' ? '' : 'images.busybox',
  ].filter(Boolean);
  if (missing.length) {
    throw new HarnessError('reading the offline artefacts', `${source} lacks ${missing.join(', ')}`, 'rebuild them: npm run offline:build');
  }
  return doc as OfflineArtefacts;
}

export function readArtefacts(cacheDir: string, minor: string): OfflineArtefacts {
  const file = artefactsFile(cacheDir, minor);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HarnessError('reading the offline artefacts', `${file} does not exist`, `build them: WC_KUBERNETES_VERSION=${minor} npm run offline:build`, { cause: err });
  }
  return parseArtefacts(text, file);
}

/** Builds what is missing for the minor (a no-op when everything is cached), showing the build's own progress. */
export async function buildOfflineArtefacts(cacheDir: string, minor: string, run: CommandRunner = runCommand): Promise<OfflineArtefacts> {
  const script = join(REPO_ROOT, 'offline', 'build.sh');
  process.env.WC_CACHE_DIR = cacheDir;
  const result = await run('bash', [script], { stream: true, timeoutMs: 85 * 60_000, env: { WC_KUBERNETES_VERSION: minor } });
  if (result.exitCode !== 0) {
    throw new HarnessError('building the offline artefacts', `offline/build.sh exited with ${result.exitCode}`,
      'see its message above (it names what is missing)');
  }
  return readArtefacts(cacheDir, minor);
}
