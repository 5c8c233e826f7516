import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandRunner } from './commands.ts';
import { reasonFrom, runCommand, tail } from './commands.ts';
import { HarnessError } from '../kit/errors.ts';

/**
 * Why a kind CLI is too old for the node images versions.env pins (each pinned by kind's release notes for
 * KIND_VERSION: an older kind may not know how to run them), or undefined when it is new enough or cannot be read.
 */
export function kindTooOld(versionOutput: string, pinned: string): string | undefined {
  const parse = (v: string) => /v?(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 4).map(Number);
  const have = parse(versionOutput.split(/\s+/)[1] ?? '');
  const want = parse(pinned);
  if (!have || !want) return undefined;
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== want[i]!) return have[i]! < want[i]! ? `kind ${have.join('.')} is older than ${pinned}, whose node images this project pins` : undefined;
  }
  return undefined;
}

/** The kind CLI, at a given path (the offline build's) or from PATH. */
export class KindCli {
  readonly bin: string;
  private readonly run: CommandRunner;

  constructor(bin = 'kind', run: CommandRunner = runCommand) {
    this.bin = bin;
    this.run = run;
  }

  private notFound(step: string): HarnessError {
    return new HarnessError(step, `the kind CLI was not found (${this.bin})`,
      'install kind (go install sigs.k8s.io/kind@<KIND_VERSION from versions.env>) and put it on PATH, ' +
      'or use WC_OFFLINE=1 (its build makes one), or point WC_KUBECONFIG at an existing cluster');
  }

  async check(): Promise<string> {
    const result = await this.run(this.bin, ['version'], { timeoutMs: 20_000 });
    if (result.notFound) throw this.notFound('checking kind');
    if (result.exitCode !== 0) {
      throw new HarnessError('checking kind', `${this.bin} version failed: ${tail(result.stderr, 2)}`,
        'reinstall kind, or use WC_OFFLINE=1');
    }
    return result.stdout.trim();
  }

  async clusters(): Promise<string[]> {
    const result = await this.run(this.bin, ['get', 'clusters']);
    // Seen: `down` without WC_OFFLINE=1 on a machine whose only kind is the offline build's said "check that the
    // Docker engine is running", with no reason.
    if (result.notFound) throw this.notFound('listing kind clusters');
    if (result.exitCode !== 0) {
      throw new HarnessError('listing kind clusters', tail(result.stderr, 3), 'check that the Docker engine is running');
    }
    return result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /** Creates the cluster, writing its kubeconfig to `kubeconfigPath` only (never ~/.kube/config). */
  async create(name: string, configPath: string, kubeconfigPath: string, nodeImage?: string): Promise<void> {
    mkdirSync(dirname(kubeconfigPath), { recursive: true });
    const args = ['create', 'cluster', '--name', name, '--config', configPath, '--kubeconfig', kubeconfigPath,
      ...(nodeImage ? ['--image', nodeImage] : [])];
    const result = await this.run(this.bin, args, { stream: true, timeoutMs: 15 * 60_000 });
    if (result.exitCode !== 0) {
      throw new HarnessError('creating the kind cluster', `kind create cluster --name ${name} failed: ${reasonFrom(result.stderr)}`,
        `see the output above; "${this.bin} delete cluster --name ${name}" removes a half-created cluster, ` +
        'and WC_NODE_IMAGE picks another node image');
    }
  }

  /** Writes the kubeconfig of an existing cluster to a file of our own. */
  async exportKubeconfig(name: string, kubeconfigPath: string): Promise<void> {
    mkdirSync(dirname(kubeconfigPath), { recursive: true });
    const result = await this.run(this.bin, ['export', 'kubeconfig', '--name', name, '--kubeconfig', kubeconfigPath]);
    if (result.exitCode !== 0) {
      throw new HarnessError('reading the kind cluster\'s kubeconfig', tail(result.stderr, 3),
        `delete the cluster (${this.bin} delete cluster --name ${name}) and run again`);
    }
  }

  async delete(name: string, kubeconfigPath: string): Promise<void> {
    const result = await this.run(this.bin, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfigPath],
      { stream: true, timeoutMs: 5 * 60_000 });
    if (result.exitCode !== 0) {
      throw new HarnessError('deleting the kind cluster', tail(result.stderr, 3), `run: ${this.bin} delete cluster --name ${name}`);
    }
    // The file was written for this cluster alone; left behind it would point at nothing.
    rmSync(kubeconfigPath, { force: true });
  }

  /** The node containers of a cluster (`kind get nodes`). */
  async nodes(name: string): Promise<string[]> {
    const result = await this.run(this.bin, ['get', 'nodes', '--name', name]);
    if (result.exitCode !== 0) {
      throw new HarnessError('listing the kind nodes', tail(result.stderr, 3), 'check that the Docker engine is running');
    }
    return result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async loadImage(name: string, image: string): Promise<void> {
    const result = await this.run(this.bin, ['load', 'docker-image', image, '--name', name], { timeoutMs: 10 * 60_000 });
    if (result.exitCode !== 0) {
      throw new HarnessError('loading workload images', `kind load docker-image ${image} failed: ${tail(result.stderr, 3)}`,
        'check that the image exists locally (docker image ls) and the cluster is running');
    }
  }
}
