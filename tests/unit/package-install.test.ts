// The package as another project gets it: `npm pack`, then `npm install <tarball>` into an empty project, then its
// bin from there. This proves the `files` list holds what the CLI needs and that the bin finds its own files (and
// runs its TypeScript) from under node_modules/, where Node strips no types by itself (scripts/installed-ts.mjs).
// The dependencies come from the npm registry (or npm's cache). About 25 s on this project's 2-core machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../lib/run/versions.ts';

// The npm that runs this test (npm run test:unit) hands its settings down as npm_* variables (its prefix, its
// package): the inner npm commands must work on the temporary project alone.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
const tmp = mkdtempSync(join(tmpdir(), 'wc-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 150_000 });

describe('the package installed into another project', () => {
  it('must run `npx workload-conformance audit --help` there: exit 0, the commands, the audit\'s options and the behaviours named', () => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], REPO_ROOT)) as
      { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/workload-conformance.cjs', 'scripts/node.cjs', 'scripts/installed-ts.mjs',
      'lib/run/cli/main.ts', 'versions.env', 'kind-config.yaml', 'jest.config.ts', 'tests/setup/global-setup.ts', 'offline/build.sh',
      // What a run on kind builds and serves from its local registry, from the package alone.
      'lib/run/registry.ts', 'offline/go/drain-server/main.go', 'offline/go/drain-server/go.mod']));
    // Not the unit tests, nor anything of a checkout's own (its Node, its reports).
    expect(files.filter((f) => /^(tests\/unit|\.cache|reports|node_modules)\//.test(f))).toEqual([]);

    const project = join(tmp, 'project');
    mkdirSync(project);
    npm(['init', '-y'], project);
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(tmp, packed!.filename)], project);

    const help = spawnSync('npx', ['workload-conformance', 'audit', '--help'], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    for (const option of ['--file F', '--workload NAME', '--path /P', '--pod-security LEVEL', '--load-image IMG']) expect(help.stdout).toContain(option);
    for (const command of ['run', 'audit', 'up', 'down', 'sweep', 'report']) expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(help.stdout).toMatch(/^ {2}oom-kill +OOM kill at the memory limit$/m);
  }, 240_000);
});
