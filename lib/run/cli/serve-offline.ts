/**
 * `node scripts/node.cjs node lib/run/cli/serve-offline.ts`: the offline build's images served by the local registry
 * under their official names (lib/run/registry.ts), for a run without WC_OFFLINE: every kind cluster the harness then
 * makes pulls them through it exactly as it would pull them from their registries. This is how CI, which reaches no
 * container registry, runs the online path. Prints the drain-server image a run will build and push, for settings
 * that name it before the run (WC_ROLLOUT_IMAGE).
 */
import { loadConfig } from '../config.ts';
import { serveOfflineImages } from '../cluster.ts';
import { drainServerImageName } from '../drain-server-image.ts';
import { readArtefacts } from '../offline.ts';
import { ensureRegistry } from '../registry.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const config = loadConfig();
  const artefacts = readArtefacts(config.cacheDir, config.kubernetes.minor);
  await ensureRegistry(artefacts.registry ?? config.registryImage, stderrLog);
  await serveOfflineImages(artefacts, stderrLog);
  process.stdout.write(`${drainServerImageName()}\n`);
});
