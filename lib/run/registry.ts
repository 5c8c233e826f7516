// One image path for every run (docs/ARCHITECTURE.md, "One image path"): the workloads name their images by their
// official names, and every kind node pulls them itself. A registry container of this project's, joined to kind's
// Docker network (the "local registry" recipe kind documents), is listed in each node's containerd as a mirror of the
// registries those names live in, ahead of them: an image it holds is served from it, any other falls through to its
// own registry. Online it holds only what the run built here (drain-server); the offline build's images are pushed
// into it under their official names (serveOfflineImages), which is the only difference between the two modes.
import type { CommandRunner } from './commands.ts';
import { reasonFrom, runCommand, tail } from './commands.ts';
import { HarnessError } from '../kit/errors.ts';

export const REGISTRY_CONTAINER = 'workload-conformance-registry';
/** The port on this machine's loopback the images are pushed to (5001 is kind's recipe's: a user may run it). */
export const REGISTRY_HOST_PORT = 5111;
/** The name images built here carry: pushed to it from this machine, pulled by the nodes through the mirror. */
export const LOCAL_REGISTRY = `localhost:${REGISTRY_HOST_PORT}`;
/** Where the nodes reach the registry: by its container name on kind's network. */
const REGISTRY_ON_KIND_NETWORK = `http://${REGISTRY_CONTAINER}:5000`;
const KIND_NETWORK = 'kind';
/** The directory kind's containerd reads per-registry hosts.toml files from (kind-config.ts sets config_path). */
export const CERTS_DIR = '/etc/containerd/certs.d';

/** The registries the local one mirrors, and each one's own endpoint (the fall-through). */
export const MIRRORED: Record<string, string | undefined> = {
  'registry.k8s.io': 'https://registry.k8s.io',
  'docker.io': 'https://registry-1.docker.io',
  [LOCAL_REGISTRY]: undefined,
};

/** An image reference split as containerd resolves it: its registry host and the repository path with tag or digest. */
export function splitImage(image: string): { host: string; path: string } {
  const first = image.split('/')[0]!;
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  let path = hasHost ? image.slice(first.length + 1) : image;
  if (host === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { host: host === 'index.docker.io' ? 'docker.io' : host, path };
}

/** containerd's hosts.toml for one registry: the local registry first, then (unless it is the local one) the registry itself. */
export function hostsToml(host: string): string {
  const server = MIRRORED[host];
  return [
    ...(server ? [`server = "${server}"`, ''] : []),
    `[host."${REGISTRY_ON_KIND_NETWORK}"]`,
    '  capabilities = ["pull", "resolve"]',
    '',
  ].join('\n');
}

const STEP = 'starting the local registry';

/**
 * The registry container, running and published on 127.0.0.1:REGISTRY_HOST_PORT: reused when it runs (its images
 * stay, a cache like kind's recipe's registry), started when it is stopped, created from `image` otherwise.
 * Returns whether this call created it.
 */
export async function ensureRegistry(image: string, log: (line: string) => void, run: CommandRunner = runCommand): Promise<boolean> {
  const state = await run('docker', ['container', 'inspect', '--format', '{{.State.Running}}', REGISTRY_CONTAINER]);
  if (state.exitCode === 0) {
    if (state.stdout.trim() !== 'true') {
      const started = await run('docker', ['start', REGISTRY_CONTAINER], { timeoutMs: 60_000 });
      if (started.exitCode !== 0) {
        throw new HarnessError(STEP, `docker start ${REGISTRY_CONTAINER} failed: ${reasonFrom(started.stderr)}`,
          `remove it (docker rm -f ${REGISTRY_CONTAINER}) and run again: it holds only images this project pushed`);
      }
    }
    log(`[wc] local registry ${REGISTRY_CONTAINER} (${LOCAL_REGISTRY}) is running: reused`);
    return false;
  }
  log(`[wc] starting the local registry ${REGISTRY_CONTAINER} from ${image} on 127.0.0.1:${REGISTRY_HOST_PORT} (kept as a cache; docker rm -f ${REGISTRY_CONTAINER} removes it)`);
  const created = await run('docker', ['run', '-d', '--restart=always', '--name', REGISTRY_CONTAINER,
    '--label', 'io.workload-conformance/registry=true', '-p', `127.0.0.1:${REGISTRY_HOST_PORT}:5000`, image],
  { timeoutMs: 5 * 60_000 });
  if (created.exitCode !== 0) {
    throw new HarnessError(STEP, `docker run ${image} failed: ${reasonFrom(created.stderr)}`,
      /address already in use|port is already allocated/i.test(created.stderr)
        ? `port ${REGISTRY_HOST_PORT} on 127.0.0.1 is taken by another program: free it`
        : 'check that the image can be pulled (docker pull ' + image + '), or set WC_REGISTRY_IMAGE to one that can');
  }
  await waitRegistryAnswers(run);
  return true;
}

/** The registry's API answering on this machine (the container needs a moment after `docker run`). */
async function waitRegistryAnswers(run: CommandRunner, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://${LOCAL_REGISTRY}/v2/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const logs = await run('docker', ['logs', '--tail', '5', REGISTRY_CONTAINER]);
      throw new HarnessError(STEP, `the registry did not answer on ${LOCAL_REGISTRY} within ${timeoutMs / 1000}s: ${tail(logs.stderr || logs.stdout, 3)}`,
        `look at docker logs ${REGISTRY_CONTAINER}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The registry joined to kind's Docker network (made by the first kind cluster), so that nodes reach it by name. */
export async function joinKindNetwork(run: CommandRunner = runCommand): Promise<void> {
  const networks = await run('docker', ['container', 'inspect', '--format', '{{json .NetworkSettings.Networks}}', REGISTRY_CONTAINER]);
  if (networks.exitCode === 0 && networks.stdout.includes(`"${KIND_NETWORK}"`)) return;
  const joined = await run('docker', ['network', 'connect', KIND_NETWORK, REGISTRY_CONTAINER]);
  if (joined.exitCode !== 0 && !/already exists/i.test(joined.stderr)) {
    throw new HarnessError('joining the local registry to kind\'s network', reasonFrom(joined.stderr),
      `check that kind's Docker network exists (docker network ls) and run again`);
  }
}

/**
 * Each node's containerd told to pull through the local registry: one hosts.toml per mirrored registry, written
 * into the node container (containerd reads them at every pull: no restart).
 */
export async function mirrorOnNodes(nodes: string[], run: CommandRunner = runCommand): Promise<void> {
  for (const node of nodes) {
    for (const host of Object.keys(MIRRORED)) {
      const dir = `${CERTS_DIR}/${host}`;
      const wrote = await run('docker', ['exec', '-i', node, 'sh', '-c', `mkdir -p '${dir}' && cat > '${dir}/hosts.toml'`],
        { input: hostsToml(host), timeoutMs: 30_000 });
      if (wrote.exitCode !== 0) {
        throw new HarnessError('pointing the nodes at the local registry', `writing ${dir}/hosts.toml on node ${node} failed: ${reasonFrom(wrote.stderr)}`,
          'check that the node container runs (docker ps)');
      }
    }
  }
}

/** `local` (an image in this machine's engine) pushed to the local registry as `official` would be pulled through it. */
export async function pushAs(local: string, official: string, run: CommandRunner = runCommand): Promise<void> {
  const { path } = splitImage(official);
  const target = `${LOCAL_REGISTRY}/${path}`;
  const tagged = await run('docker', ['tag', local, target]);
  if (tagged.exitCode !== 0) {
    throw new HarnessError('pushing images to the local registry', `docker tag ${local} ${target} failed: ${reasonFrom(tagged.stderr)}`,
      'check that the image exists (docker image ls); offline: npm run offline:build');
  }
  const pushed = await run('docker', ['push', target], { timeoutMs: 10 * 60_000 });
  // The local-registry name is only the push's handle: the engine keeps the image under the name it had.
  if (target !== local) await run('docker', ['rmi', target]);
  if (pushed.exitCode !== 0) {
    throw new HarnessError('pushing images to the local registry', `docker push ${target} failed: ${reasonFrom(pushed.stderr)}`,
      `look at docker logs ${REGISTRY_CONTAINER}`);
  }
}
