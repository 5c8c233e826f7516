// Losing a node, on a kind cluster whose nodes are containers of this machine's Docker engine: `docker stop`
// takes the node (kubelet, runtime, every pod on it) away as a power loss would, `docker start` brings it back.
// Only the docker CLI runs here (execa, as lib/run/docker.ts runs it); every Kubernetes call stays with the client.
//
// A stopped node must never outlive the run: the test restarts it in a finally, and before it stops one it writes
// a marker file under the run's reports dir (.stopped-nodes/<node>.json). A Ctrl-C kills the Jest worker
// mid-test; the run's cleanup, in the Jest parent, restarts every node a marker names (restartStoppedNodes)
// before it deletes the namespaces (pods on a stopped node never finish terminating).
// The Node object carries the mark too (workload-conformance.io/stopped-by, as a cordon carries its run's): a run
// that was killed outright leaves no cleanup and its marker files in its own reports dir, so the next run's sweep,
// on any machine, finds the node by its annotation and starts its container once the run's lease has expired.
// A node's container is known by kind's cluster label and the node's address, never by its name alone.
import type { V1Node } from '@kubernetes/client-node';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { messageOf } from './errors.ts';
import type { Kube } from './kube.ts';
import { retrying } from './kube.ts';

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

/** The annotation naming the run that stopped the node's container. */
export const STOPPED_BY_ANNOTATION = 'workload-conformance.io/stopped-by';
const STOPPED_BY_PATH = `/metadata/annotations/${STOPPED_BY_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1')}`;

async function markStopped(kube: Kube, node: string, runId: string): Promise<void> {
  const current = await retrying(`reading node ${node}`, () => kube.core.readNode({ name: node }));
  await retrying(`marking node ${node} as stopped by run ${runId}`, () => kube.core.patchNode({ name: node, body: [
    ...(current.metadata?.annotations ? [] : [{ op: 'add', path: '/metadata/annotations', value: {} }]),
    { op: 'add', path: STOPPED_BY_PATH, value: runId },
  ] }));
}

async function unmarkStopped(kube: Kube, node: string, runId: string): Promise<void> {
  const current = await retrying(`reading node ${node}`, () => kube.core.readNode({ name: node }));
  if (current.metadata?.annotations?.[STOPPED_BY_ANNOTATION] !== runId) return;
  await retrying(`unmarking node ${node}`, () => kube.core.patchNode({ name: node, body: [
    { op: 'test', path: STOPPED_BY_PATH, value: runId }, { op: 'remove', path: STOPPED_BY_PATH },
  ] }));
}

/**
 * Stops the node's container; the marker file and the Node's annotation are written first, so an interrupt, or
 * the run killed outright, at any point leaves it named.
 */
export async function stopNodeContainer(reportsDir: string, marker: Omit<StoppedNodeMarker, 'stoppedAt'>,
  run: Docker = docker, kube?: Kube): Promise<void> {
  mkdirSync(join(reportsDir, STOPPED_NODES_DIR), { recursive: true });
  writeFileSync(markerPath(reportsDir, marker.node), `${JSON.stringify({ ...marker, stoppedAt: new Date().toISOString() })}\n`);
  if (kube) {
    try {
      await markStopped(kube, marker.node, marker.runId);
    } catch (err) {
      // Not stopped: the cleanup must not stop and start it for nothing.
      rmSync(markerPath(reportsDir, marker.node), { force: true });
      throw err;
    }
  }
  await dockerOrThrow(['stop', marker.node], run);
}

/** Starts the node's container again and forgets its marker (and the Node's annotation, when `runId`'s). */
export async function startNodeContainer(reportsDir: string, node: string, run: Docker = docker,
  mark?: { kube: Kube; runId: string }): Promise<void> {
  await dockerOrThrow(['start', node], run);
  if (reportsDir) rmSync(markerPath(reportsDir, node), { force: true });
  if (mark) await unmarkStopped(mark.kube, node, mark.runId);
}

/** The kind cluster and container a node says it runs in (providerID kind://<docker|podman>/<cluster>/<node>). */
export function kindContainerOf(node: V1Node): { cluster: string; container: string } | undefined {
  const match = /^kind:\/\/[^/]+\/([^/]+)\/([^/]+)$/.exec(node.spec?.providerID ?? '');
  return match ? { cluster: match[1]!, container: match[2]! } : undefined;
}

const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';

/**
 * Whether this machine's Docker engine runs the node: a container of the name its providerID gives, labelled by kind
 * as a node of that cluster, and, while it runs, holding the node's InternalIP (a container of the same name from
 * another cluster, or another engine's, is not it).
 */
export async function isNodeContainerHere(node: V1Node, run: Docker = docker): Promise<boolean> {
  const kind = kindContainerOf(node);
  if (!kind) return false;
  const inspected = await run(['container', 'inspect', '--format',
    `{{index .Config.Labels "${KIND_CLUSTER_LABEL}"}}|{{.State.Running}}|{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}} {{end}}`, kind.container]);
  if (inspected.exitCode !== 0) return false;
  const [cluster, running, addresses = ''] = inspected.stdout.trim().split('|');
  if (cluster !== kind.cluster) return false;
  if (running !== 'true') return true;
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const held = addresses.split(/\s+/).filter(Boolean);
  return internal.some((a) => held.includes(a));
}

/**
 * For the sweep: starts the container of every node marked stopped by a run `gone` says has ended, when this machine
 * runs it (isNodeContainerHere), and removes the mark. Returns the nodes started.
 */
export async function startNodesStoppedBy(kube: Kube, gone: (runId: string) => boolean, log: (line: string) => void,
  run: Docker = docker): Promise<string[]> {
  const list = await retrying('listing nodes', () => kube.core.listNode());
  const started: string[] = [];
  for (const node of list.items) {
    const name = node.metadata?.name ?? '';
    const by = node.metadata?.annotations?.[STOPPED_BY_ANNOTATION];
    if (!by || !gone(by)) continue;
    if (!await isNodeContainerHere(node, run)) {
      log(`[wc] node ${name} was stopped by run ${by}, which has ended, and its container is not on this machine's Docker engine: start it where it runs`);
      continue;
    }
    try {
      // The marker file, if any, is in the ended run's reports dir: its restartStoppedNodes never ran.
      await startNodeContainer('', kindContainerOf(node)!.container, run, { kube, runId: by });
      started.push(name);
      log(`[wc] started node ${name} again, left stopped by run ${by}`);
    } catch (err) {
      log(`[wc] could not start node ${name}, left stopped by run ${by}: ${messageOf(err)}`);
    }
  }
  return started;
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
