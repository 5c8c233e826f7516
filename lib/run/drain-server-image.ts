// drain-server (offline/go/drain-server, the rolling-update and audit reference workload) has no public image: every
// run on kind builds it from its source when this machine's engine lacks it, names it by that source's hash under the
// local registry, and pushes it there (lib/run/registry.ts), from where every node pulls it. With the Go toolchain on
// PATH the static binary is compiled here and packed FROM scratch; without it a multi-stage Docker build compiles it
// in the official Go image.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRunner } from './commands.ts';
import { reasonFrom, runCommand } from './commands.ts';
import { imagePresent } from './docker.ts';
import { HarnessError } from '../kit/errors.ts';
import { LOCAL_REGISTRY } from './registry.ts';
import { REPO_ROOT } from './versions.ts';

export const DRAIN_SERVER_SOURCE = join(REPO_ROOT, 'offline', 'go', 'drain-server');

/** The image name for a source tree: its files' names and contents hashed, so a change builds a new image. */
export function drainServerImageName(source: string = DRAIN_SERVER_SOURCE): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(source).sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(source, file))).update('\0');
  }
  return `${LOCAL_REGISTRY}/workload-conformance/drain-server:${hash.digest('hex').slice(0, 12)}`;
}

/** The Go version the module asks for (go.mod's `go` line), for the multi-stage build's Go image. */
export function goVersionOf(goMod: string): string {
  const match = /^go\s+(\d+\.\d+)/m.exec(goMod);
  if (!match) throw new HarnessError('building drain-server', 'its go.mod has no go line', 'reinstall the package');
  return match[1]!;
}

export function multiStageDockerfile(goVersion: string): string {
  return [
    `FROM docker.io/library/golang:${goVersion} AS build`,
    'WORKDIR /src',
    'COPY go.mod main.go ./',
    'RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /drain-server .',
    'FROM scratch',
    'COPY --from=build /drain-server /drain-server',
    'ENTRYPOINT ["/drain-server"]',
    '',
  ].join('\n');
}

const STEP = 'building drain-server';

/** The drain-server image in this machine's engine (built when missing); returns its name. */
export async function ensureDrainServerImage(workDir: string, log: (line: string) => void,
  run: CommandRunner = runCommand): Promise<string> {
  const image = drainServerImageName();
  if (await imagePresent(image, run)) return image;
  mkdirSync(workDir, { recursive: true });
  const ctx = mkdtempSync(join(workDir, 'drain-server-'));
  try {
    const started = Date.now();
    const go = await run('go', ['version'], { timeoutMs: 20_000 });
    let built;
    if (go.exitCode === 0) {
      log(`[wc] building drain-server from ${DRAIN_SERVER_SOURCE} with ${go.stdout.trim()}`);
      const compiled = await run('go', ['build', '-C', DRAIN_SERVER_SOURCE, '-trimpath', '-ldflags', '-s -w', '-o', join(ctx, 'drain-server'), '.'],
        { timeoutMs: 10 * 60_000, env: { CGO_ENABLED: '0' } });
      if (compiled.exitCode !== 0) throw new HarnessError(STEP, `go build failed: ${reasonFrom(compiled.stderr)}`, 'check the Go toolchain (go version)');
      writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY drain-server /drain-server\nENTRYPOINT ["/drain-server"]\n');
      // The classic builder never contacts a registry for FROM scratch.
      built = await run('docker', ['build', '-q', '-t', image, ctx], { timeoutMs: 5 * 60_000, env: { DOCKER_BUILDKIT: '0' } });
    } else {
      log('[wc] building drain-server in Docker (no Go toolchain on PATH: a multi-stage build in the official Go image)');
      for (const file of ['go.mod', 'main.go']) copyFileSync(join(DRAIN_SERVER_SOURCE, file), join(ctx, file));
      writeFileSync(join(ctx, 'Dockerfile'), multiStageDockerfile(goVersionOf(readFileSync(join(DRAIN_SERVER_SOURCE, 'go.mod'), 'utf8'))));
      built = await run('docker', ['build', '-q', '-t', image, ctx], { timeoutMs: 15 * 60_000 });
    }
    if (built.exitCode !== 0) throw new HarnessError(STEP, `docker build failed: ${reasonFrom(built.stderr)}`, 'check the Docker engine (docker info)');
    log(`[wc] built ${image} in ${Math.round((Date.now() - started) / 1000)}s`);
    return image;
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}
