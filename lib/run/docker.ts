import type { CommandRunner } from './commands.ts';
import { runCommand, tail } from './commands.ts';
import { HarnessError } from '../kit/errors.ts';

/** Docker must be installed and its engine answering; each failure has its own advice. */
export async function checkDocker(run: CommandRunner = runCommand): Promise<void> {
  const result = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
  if (result.notFound) {
    throw new HarnessError('checking docker', 'the docker CLI is not installed (not found on PATH)',
      'install Docker (Debian: apt-get install docker.io) and start it, or use WC_OFFLINE=1 (its build installs and starts one), ' +
      'or point WC_KUBECONFIG at an existing cluster');
  }
  if (result.exitCode !== 0) {
    throw new HarnessError('checking docker', `the Docker engine is not reachable: ${tail(result.stderr, 2)}`,
      'start the Docker engine (systemctl start docker, or dockerd &), or use WC_OFFLINE=1, whose build starts one');
  }
}

export async function imagePresent(image: string, run: CommandRunner = runCommand): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).exitCode === 0;
}

/** The cgroup version of the Docker engine's host, where kind's nodes (and their kubelets) run. */
export async function engineCgroupVersion(run: CommandRunner = runCommand): Promise<1 | 2> {
  const result = await run('docker', ['info', '--format', '{{.CgroupVersion}}'], { timeoutMs: 20_000 });
  const version = result.stdout.trim();
  if (result.exitCode !== 0 || (version !== '1' && version !== '2')) {
    throw new HarnessError('checking docker', `cannot tell the Docker engine's cgroup version (docker info said "${version || tail(result.stderr, 2)}")`,
      'check that the Docker engine is running (docker info)');
  }
  return version === '1' ? 1 : 2;
}
