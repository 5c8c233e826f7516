// Losing a node, on a kind cluster whose nodes are containers of this machine's Docker engine: `docker stop`
// takes the node (kubelet, runtime, every pod on it) away as a power loss would, `docker start` brings it back.
// Only the docker CLI runs here (execa, as lib/run/docker.ts runs it); every Kubernetes call stays with the client.
//
// A stopped node must never outlive the run: the test restarts it in a finally, and before it stops one it writes
// a marker file under the run's reports dir (.stopped-nodes/<node>.json). A Ctrl-C kills the Jest worker
// mid-test; the run's cleanup, in the Jest parent, restarts every node a marker names (restartStoppedNodes)
// before it deletes the namespaces (pods on a stopped node never finish terminating).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { messageOf } from './errors.ts';

export const STOPPED_NODES_DIR = '.stopped-nodes';

export interface StoppedNodeMarker {
  node: string;
  runId: string;
  clusterName?: string;
  stoppedAt: string;
}

type Docker = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

const docker: Docker = async (args) => {
  const result = await execa('docker', args, { reject: false, stdin: 'ignore', timeout: 60_000 });
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
};

async function dockerOrThrow(args: string[], run: Docker): Promise<string> {
  const result = await run(args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return result.stdout.trim();
}

const markerPath = (reportsDir: string, node: string): string => join(reportsDir, STOPPED_NODES_DIR, `${node}.json`);

/** Stops the node's container; the marker is written first, so an interrupt at any point leaves it named. */
export async function stopNodeContainer(reportsDir: string, marker: Omit<StoppedNodeMarker, 'stoppedAt'>,
  run: Docker = docker): Promise<void> {
  mkdirSync(join(reportsDir, STOPPED_NODES_DIR), { recursive: true });
  writeFileSync(markerPath(reportsDir, marker.node), `${JSON.stringify({ ...marker, stoppedAt: new Date().toISOString() })}\n`);
  await dockerOrThrow(['stop', marker.node], run);
}

/** Starts the node's container again and forgets its marker. */
export async function startNodeContainer(reportsDir: string, node: string, run: Docker = docker): Promise<void> {
  await dockerOrThrow(['start', node], run);
  rmSync(markerPath(reportsDir, node), { force: true });
}

/** The nodes stopped by `runId` (every run's when undefined) and not yet started again. */
export function stoppedNodeMarkers(reportsDir: string, runId?: string): StoppedNodeMarker[] {
  let files: string[];
  try {
    files = readdirSync(join(reportsDir, STOPPED_NODES_DIR)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(reportsDir, STOPPED_NODES_DIR, f), 'utf8')) as StoppedNodeMarker];
    } catch {
      return [];
    }
  }).filter((m) => runId === undefined || m.runId === runId);
}

/**
 * For the run's cleanup (another process than the test that stopped the node): starts every node the run's
 * markers name. `docker stop` first: a stop the interrupt cut short still runs in the engine, and a start
 * issued before it finished would be undone by it; on a stopped container it is a no-op.
 */
export async function restartStoppedNodes(reportsDir: string, runId: string, log: (line: string) => void,
  run: Docker = docker): Promise<string[]> {
  const restarted: string[] = [];
  for (const { node } of stoppedNodeMarkers(reportsDir, runId)) {
    try {
      await dockerOrThrow(['stop', node], run);
      await startNodeContainer(reportsDir, node, run);
      restarted.push(node);
      log(`[wc] node ${node} was stopped by this run's node-loss test: started it again (docker start ${node})`);
    } catch (err) {
      log(`[wc] could not start node ${node} again, which this run stopped: ${messageOf(err)}; run: docker start ${node}`);
    }
  }
  return restarted;
}
