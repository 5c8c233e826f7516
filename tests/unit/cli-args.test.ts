import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { behavioursIn, EXIT, exitCodeFor, helpText, parseArgs, selectFiles, UsageError } from '../../lib/run/cli/args.ts';
import { parseJunitCases } from '../../lib/run/junit.ts';
import { REPO_ROOT } from '../../lib/run/versions.ts';

// A tests/ folder of four behaviours (the CLI reads the real one; these are its shape).
const dir = mkdtempSync(join(tmpdir(), 'wc-cli-'));
const tests = join(dir, 'tests');
mkdirSync(tests);
writeFileSync(join(tests, 'oom-kill.test.ts'), "const BEHAVIOUR = 'OOM kill at the memory limit';\n");
writeFileSync(join(tests, 'rolling-update.test.ts'), "const BEHAVIOUR = 'Zero lost requests during a rolling update';\n");
writeFileSync(join(tests, 'node-loss.test.ts'), "const BEHAVIOUR = 'A lost node\\'s pods are evicted';\n");
writeFileSync(join(tests, 'harness-sweeper.test.ts'), '/**\n * The sweep.\n * @behaviour harness: the sweep removes expired runs\' namespaces\n */\n');
const behaviours = behavioursIn(tests);

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('workload-conformance arguments', () => {
  it('must read run with every option, in both --flag value and --flag=value forms', () => {
    expect(parseArgs(['run', '--only', 'oom-kill,rolling-update', '--kubeconfig=k.yaml', '--context', 'kind-x', '--repeat', '3',
      '--keep-cluster', '--reports', 'out', '--parallel=4'])).toEqual({
      command: 'run', only: ['oom-kill', 'rolling-update'], kubeconfig: 'k.yaml', context: 'kind-x', repeat: 3, keepCluster: true,
      reports: 'out', parallel: 4,
    });
    expect(parseArgs(['run'])).toEqual({ command: 'run', repeat: 1, keepCluster: false });
    expect(parseArgs(['run', '--kubernetes', '1.35, 1.36,v1.37'])).toEqual({ command: 'run', repeat: 1, keepCluster: false, kubernetes: ['1.35', '1.36', 'v1.37'] });
    expect(parseArgs(['run', '--kubernetes=1.35', '--repeat', '5'])).toMatchObject({ kubernetes: ['1.35'], repeat: 5 });
    expect(parseArgs(['run', '--nodes', '3'])).toEqual({ command: 'run', repeat: 1, keepCluster: false, nodes: 3 });
  });

  it('must read the other commands, and help in every spelling', () => {
    expect(parseArgs(['up'])).toEqual({ command: 'up' });
    expect(parseArgs(['down'])).toEqual({ command: 'down' });
    expect(parseArgs(['report', '--reports', 'r'])).toEqual({ command: 'report', reports: 'r' });
    expect(parseArgs(['sweep', '--kubeconfig', 'k', '--context', 'c'])).toEqual({ command: 'sweep', kubeconfig: 'k', context: 'c' });
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['run', '--help']]) expect(parseArgs(argv)).toEqual({ command: 'help' });
  });

  it.each([
    [['frob'], /unknown command "frob"; the commands are: run, audit, up, down, sweep, report, help/],
    [['run', '--repeat', '0'], /--repeat takes a whole number from 1/],
    [['run', '--repeat', 'two'], /--repeat takes a whole number/],
    [['run', '--parallel', '100'], /--parallel takes a whole number from 1 to 64/],
    [['run', '--only'], /--only needs a value/],
    [['run', '--only', '--keep-cluster'], /--only needs a value/],
    [['run', '--context', 'kind-x'], /--context needs --kubeconfig/],
    [['run', '--bogus'], /"run" does not take --bogus; it takes --only/],
    [['run', '--repeat', '2', '--repeat', '3'], /--repeat is given twice/],
    [['up', '--only', 'x'], /"up" does not take --only; it takes no options/],
    [['report', '--keep-cluster'], /"report" does not take --keep-cluster/],
    [['run', '--kubernetes', ','], /--kubernetes needs at least one version/],
    [['run', '--nodes', '0'], /--nodes takes a whole number from 1 to 10/],
    [['run', '--nodes', '3', '--kubeconfig', 'k'], /an existing cluster \(--kubeconfig\) has the nodes it has/],
    [['run', '--kubernetes', '1.35,v1.35'], /--kubernetes names a version twice/],
    [['run', '--kubernetes', '1.35', '--kubeconfig', 'k'], /an existing cluster \(--kubeconfig\) runs the version it runs/],
    [['run', '--kubernetes', '1.35,1.36', '--repeat', '2'], /--repeat runs one version/],
  ])('must refuse %j with one sentence naming the mistake', (argv, message) => {
    expect(usageError(() => parseArgs(argv))).toMatch(message);
  });
});

describe('--only selection', () => {
  it('must list the behaviours from the test files, titled by their BEHAVIOUR constant or @behaviour doc line', () => {
    expect(behaviours).toEqual([
      { name: 'harness-sweeper', file: 'tests/harness-sweeper.test.ts', title: 'harness: the sweep removes expired runs\' namespaces' },
      { name: 'node-loss', file: 'tests/node-loss.test.ts', title: 'A lost node\'s pods are evicted' },
      { name: 'oom-kill', file: 'tests/oom-kill.test.ts', title: 'OOM kill at the memory limit' },
      { name: 'rolling-update', file: 'tests/rolling-update.test.ts', title: 'Zero lost requests during a rolling update' },
    ]);
    expect(helpText(behaviours)).toContain('\n  oom-kill         OOM kill at the memory limit');
  });

  it('must map behaviour names (or file names, or paths) to their test files, once each', () => {
    expect(selectFiles(['rolling-update', 'oom-kill.test.ts', 'tests/rolling-update.test.ts'], behaviours))
      .toEqual(['tests/rolling-update.test.ts', 'tests/oom-kill.test.ts']);
  });

  it('must select every file (no file arguments) without --only', () => {
    expect(selectFiles(undefined, behaviours)).toEqual([]);
  });

  it('must refuse an unknown behaviour, listing the known ones', () => {
    expect(usageError(() => selectFiles(['oom-kill', 'oom', 'dns'], behaviours)))
      .toBe('unknown behaviours "oom", "dns"; the behaviours are: harness-sweeper, node-loss, oom-kill, rolling-update');
  });
});

describe('exit codes', () => {
  it('must be 0 when tests ran and none failed', () => {
    expect(exitCodeFor({ jestExitCode: 0, testsRun: 12, testsFailed: 0 })).toBe(EXIT.passed);
  });
  it('must be 1 when a test failed (or Jest failed after tests ran)', () => {
    expect(exitCodeFor({ jestExitCode: 1, testsRun: 12, testsFailed: 1 })).toBe(EXIT.failed);
    expect(exitCodeFor({ jestExitCode: 1, testsRun: 12, testsFailed: 0 })).toBe(EXIT.failed);
  });
  it('must be 2 when nothing ran because the global setup stopped (bad input, no cluster)', () => {
    expect(exitCodeFor({ jestExitCode: 1, testsRun: 0, testsFailed: 0 })).toBe(EXIT.usage);
  });
});

describe('failures from junit.xml (what --repeat lists)', () => {
  it('must give each failed test its file, name and the first lines of its reason', () => {
    const xml = `<testsuites><testsuite name="tests/init-containers.test.ts" tests="2" time="9">
      <testcase classname="cluster › x" name="each init container runs &quot;in order&quot;" time="3.2" file="tests/init-containers.test.ts">
        <failure>Error: expect(received).toBeUndefined()

Received: &quot;init container second ran 2 times&quot;
    at toBeUndefined (tests/init-containers.test.ts:31:45)</failure>
      </testcase>
      <testcase classname="cluster › x" name="a failing init container is rerun" time="21">
      </testcase>
      <testcase classname="cluster › x" name="your own workload" time="0"><skipped/></testcase>
    </testsuite></testsuites>`;
    expect(parseJunitCases(xml)).toEqual([
      { file: 'init-containers.test.ts', name: 'each init container runs "in order"', seconds: 3.2, skipped: false,
        failure: 'Error: expect(received).toBeUndefined() | Received: "init container second ran 2 times"' },
      { file: 'init-containers.test.ts', name: 'a failing init container is rerun', seconds: 21, skipped: false },
      { file: 'init-containers.test.ts', name: 'your own workload', seconds: 0, skipped: true },
    ]);
  });
});

describe('the CLI itself', () => {
  it('must refuse a bad rollout setting before anything runs: one message, exit 2, no reports, no cluster asked', () => {
    const reports = join(dir, 'reports-refused');
    // An existing cluster whose API server is not there: a run that went on would say it cannot reach it.
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, ['apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:65535" } }]', 'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: c, context: { cluster: c, user: u } }]'].join('\n'));
    const env = { ...process.env, WC_ROLLOUT_LOAD: 'cluster', WC_KUBECONFIG: kubeconfig, WC_CONTEXT: 'c', WC_ALLOW_NON_KIND: '1' };
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'lib/run/cli/main.ts'), 'run', '--only', 'oom-kill', '--reports', reports],
      { env, encoding: 'utf8', timeout: 30_000 });
    expect(cli.stderr.trim()).toBe('workload-conformance: reading the rollout configuration failed: WC_ROLLOUT_LOAD must be auto, host or pod, ' +
      'got "cluster"\n  fix: see docs/rollout.md for the WC_ROLLOUT_* settings and their defaults');
    expect(cli.status).toBe(EXIT.usage);
    expect(existsSync(reports)).toBe(false);
  });
});
