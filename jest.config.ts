import type { Config } from 'jest';
import { formatHarnessError, isHarnessError } from './lib/kit/errors.ts';
import { parseParallel } from './lib/run/config.ts';
import { fileURLToPath } from 'node:url';

const INSTALLED = fileURLToPath(import.meta.url).includes('/node_modules/');

// TypeScript and the ESM-only dependencies are both compiled to CommonJS by swc, so Jest needs no
// experimental VM-modules flag. Type checking is `npm run typecheck`, not the transform's job.
const swc: NonNullable<Config['transform']> = {
  // The global setup/teardown run in Jest's own process, where Node loads ESM natively but a CommonJS
  // require cannot resolve import-only packages (unicorn-magic, via execa). They keep their dynamic
  // import() native and load the harness as the ESM it is.
  '/tests/setup/global-(setup|teardown)\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'commonjs', ignoreDynamic: true },
      inputSourceMap: false },
  ],
  '^.+\\.(t|j|mj|cj)s$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
      module: { type: 'commonjs' },
      // Some node_modules carry sourceMappingURL-like strings (convert-source-map): never read them as maps.
      inputSourceMap: false,
    },
  ],
};

const shared = {
  transform: swc,
  // node_modules must be transformed too: client-node, execa, p-retry and their dependencies ship ESM only.
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // unicorn-magic (via execa) exports only an "import" condition, invisible to Jest's CommonJS resolver. Resolved
  // here, not under <rootDir>: installed into a project, the dependencies sit beside this package.
  moduleNameMapper: { '^unicorn-magic$': fileURLToPath(import.meta.resolve('unicorn-magic')) },
  testEnvironment: 'node',
  // Installed into a project (`npx workload-conformance run` there), <rootDir> is under node_modules, which Jest
  // leaves out of its file map and test paths by default: it would find no test file. Only this package's own
  // node_modules is left out then; in a checkout the defaults stand (its node_modules is large to crawl).
  ...(INSTALLED ? { haste: { retainAllFiles: true }, testPathIgnorePatterns: ['<rootDir>/node_modules/'] } : {}),
};

/**
 * Cluster test files run side by side, each in its own worker process (WC_PARALLEL, lib/run/config.ts).
 * maxWorkers is one option for the whole run (Jest has no per-project worker count); the unit files share
 * the pool and finish in seconds either way. `--runInBand` or `--maxWorkers` on the command line still win.
 */
function workers(): number {
  try {
    return parseParallel(process.env);
  } catch (err) {
    if (!isHarnessError(err)) throw err;
    process.stderr.write(`${formatHarnessError(err)}\n`);
    process.exit(2);
  }
}

/** The cluster files: behaviours on a live cluster (the audit project is the same, on the user's workload). */
const cluster = {
  ...shared,
  displayName: 'cluster',
  testMatch: ['<rootDir>/tests/*.test.ts'],
  globalSetup: '<rootDir>/tests/setup/global-setup.ts',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
  // Counts failed tests per file so the namespace fixture dumps diagnostics only when needed.
  testEnvironment: '<rootDir>/tests/setup/cluster-environment.ts',
  // Cluster tests and their hooks wait on real state changes (restarts, rollouts); the waits carry their
  // own, shorter timeouts. (testTimeout is not a per-project option: the setup file sets it.)
  // event-loop.ts measures each file's worker event loop (reports/.timing/), read by bench/suite.ts.
  setupFilesAfterEnv: ['<rootDir>/tests/setup/cluster-timeouts.ts', '<rootDir>/tests/setup/event-loop.ts'],
  slowTestThreshold: 60,
};

const config: Config = {
  maxWorkers: workers(),
  // Cluster files longest first, so the longest starts at once (tests/setup/sequencer.ts).
  testSequencer: '<rootDir>/tests/setup/sequencer.ts',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/setup/unit-timeouts.ts'],
    },
    cluster,
    // `workload-conformance audit` (lib/run/cli/main.ts) runs this project alone, on the workload WC_AUDIT names; it
    // exists only then, so `npm test` never meets it.
    ...(process.env.WC_AUDIT ? [{ ...cluster, displayName: 'audit', testMatch: ['<rootDir>/tests/audit/*.audit.ts'] }] : []),
  ],
  reporters: [
    'default',
    ['jest-junit', { outputDirectory: process.env.WC_REPORTS_DIR ?? 'reports', outputName: 'junit.xml',
      suiteNameTemplate: '{filepath}', classNameTemplate: '{displayName} › {classname}', titleTemplate: '{title}',
      addFileAttribute: 'true' }],
  ],
};

export default config;
