/**
 * `node scripts/node.cjs node lib/run/cli/free-host-ports.ts SRC COPY`: prints the kind config a run should use so that its cluster can
 * be created whatever else holds SRC's host ports (SRC itself when they are free; else COPY, with the taken ones
 * moved: see withFreeHostPorts). For CI: a kind cluster kept on this machine (restarted with its Docker engine)
 * holds kind-config.yaml's ports, and CI must neither fail on it nor touch it.
 */
import { HarnessError } from '../../kit/errors.ts';
import { withFreeHostPorts } from '../kind-config.ts';
import { stderrLog } from '../session.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const [source, copy] = process.argv.slice(2);
  if (!source || !copy) throw new HarnessError('choosing free host ports', 'usage: free-host-ports.ts SRC COPY', 'name the kind config and where its copy may go');
  const { path, moved } = await withFreeHostPorts(source, copy);
  for (const m of moved) {
    stderrLog(`[wc] host port ${m.listenAddress}:${m.from} (node port ${m.containerPort}) is taken, by something this run did not make: its cluster maps ${m.to} instead (${path})`);
  }
  process.stdout.write(`${path}\n`);
});
