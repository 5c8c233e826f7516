import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult, CommandRunner } from '../../../lib/run/commands.ts';
import { loadConfig } from '../../../lib/run/config.ts';
import { checkDocker } from '../../../lib/run/docker.ts';
import { HarnessError } from '../../../lib/kit/errors.ts';
import { KindCli } from '../../../lib/run/kind.ts';
import { connect } from '../../../lib/kit/kube.ts';
import { parseArtefacts } from '../../../lib/run/offline.ts';
import { checkReachable } from '../../../lib/run/reachability.ts';
import { startRun } from '../../../lib/run/session.ts';

/** The HarnessError a call rejects with (the test fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<HarnessError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof HarnessError)) throw new Error(`expected a HarnessError, got ${String(err)}`);
  return err;
}

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const fails = (stderr: string): CommandResult => ({ exitCode: 1, stdout: '', stderr });
const missing: CommandResult = { exitCode: 127, stdout: '', stderr: '', notFound: true };
const runner = (answer: (file: string, args: string[]) => CommandResult): CommandRunner & { calls: string[] } => {
  const calls: string[] = [];
  const run = async (file: string, args: string[]) => {
    calls.push(`${file} ${args.join(' ')}`);
    return answer(file, args);
  };
  return Object.assign(run, { calls });
};

describe('docker and kind checks', () => {
  it('must say docker is not installed, and how to get one, when the CLI is missing', async () => {
    const err = await rejection(checkDocker(runner(() => missing)));
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.message).toBe('the docker CLI is not installed (not found on PATH)');
    expect(err.hint).toContain('WC_OFFLINE=1');
  });

  it('must say the engine is not reachable, with docker\'s own reason, when the daemon is down', async () => {
    const err = await rejection(checkDocker(runner(() => fails('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'))));
    expect(err.message).toContain('the Docker engine is not reachable: Cannot connect to the Docker daemon');
    expect(err.hint).toContain('start the Docker engine');
  });

  it('must say kind is not installed, and how to get it, when the CLI is missing', async () => {
    const err = await rejection(new KindCli('kind', runner(() => missing)).check());
    expect(err.message).toBe('the kind CLI was not found (kind)');
    expect(err.hint).toContain('go install sigs.k8s.io/kind');
  });

  it('must say kind is not installed, not blame Docker, when listing clusters finds no kind CLI', async () => {
    const err = await rejection(new KindCli('kind', runner(() => missing)).clusters());
    expect(err.message).toBe('the kind CLI was not found (kind)');
    expect(err.hint).toContain('WC_OFFLINE=1');
  });

  it('must create the cluster with its own kubeconfig file (never ~/.kube/config), the config and the node image', async () => {
    const run = runner(() => ok());
    await new KindCli('/opt/kind', run).create('c1', '/repo/kind-config.yaml', join(tmpdir(), 'kc', 'c1.yaml'), 'node:1');
    expect(run.calls).toEqual([`/opt/kind create cluster --name c1 --config /repo/kind-config.yaml --kubeconfig ${join(tmpdir(), 'kc', 'c1.yaml')} --image node:1`]);
  });

});

describe('offline artefacts', () => {
  it('must read the contract\'s artefacts.json and name any missing field', () => {
    const good = { kind: '/c/kind', nodeImage: 'localhost/n:1', images: { agnhost: 'localhost/a:1', busybox: 'localhost/b:1' } };
    expect(parseArtefacts(JSON.stringify(good), 'a.json')).toEqual(good);
    expect(() => parseArtefacts('{"kind":"/k"}', 'a.json')).toThrow('a.json lacks nodeImage, images.agnhost, images.busybox');
  });
});

describe('reaching an existing cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wc-reach-'));
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterAll(() => {
    sockets.forEach((s) => s.destroy());
    servers.forEach((s) => s.close());
  });

  function kubeconfigFor(server: string): string {
    const path = join(dir, `${encodeURIComponent(server)}.yaml`);
    writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\n` +
      'users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: kind-c\n  context:\n    cluster: c\n    user: u\ncurrent-context: kind-c\n');
    return path;
  }

  async function listen(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return (server.address() as AddressInfo).port;
  }

  it('must fail fast, naming the server, when nothing listens there', async () => {
    const port = await listen(() => undefined);
    servers.at(-1)!.close();
    const started = Date.now();
    const err = await rejection(checkReachable(connect(kubeconfigFor(`https://127.0.0.1:${port}`), 'kind-c'), 5000));
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.message).toContain(`cannot reach the API server at https://127.0.0.1:${port} (context kind-c`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('must give up after its short deadline when the server accepts but never answers', async () => {
    const port = await listen(() => undefined);
    const err = await rejection(checkReachable(connect(kubeconfigFor(`https://127.0.0.1:${port}`), 'kind-c'), 300));
    expect(err.message).toContain('did not answer within 0s');
    expect(err.hint).toContain('WC_KUBECONFIG and WC_CONTEXT');
  });

  it('must end a run against an unreachable existing cluster with one error, having created and installed nothing', async () => {
    const port = await listen(() => undefined);
    servers.at(-1)!.close();
    const listeners = process.listenerCount('SIGINT');
    const config = loadConfig({ WC_KUBECONFIG: kubeconfigFor(`https://127.0.0.1:${port}`), WC_REPORTS_DIR: join(dir, 'reports') });
    const lines: string[] = [];
    const err = await rejection(startRun(config, (l) => lines.push(l)));
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.step).toBe('connecting to the cluster');
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    expect(lines).toEqual([]);
  });
});
