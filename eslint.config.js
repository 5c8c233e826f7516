// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', 'reports/', 'coverage/', 'offline/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Every relative import names its .ts file so Node runs lib/run/cli/*.ts without a build step.
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value=/^\\.{1,2}\\/.*(?<!\\.ts|\\.json)$/]",
        message: 'Relative imports must end in .ts (Node type stripping runs the sources directly).',
      }],
    },
  },
  // The floors of lib/ (docs/ARCHITECTURE.md, "Layout"): a behaviour test imports the kit's entry only (and
  // the rollout wing's entry); the kit never reaches the run side or the rollout wing; the rollout wing uses
  // the kit and, of the run side, only its settings parser. Harness tests (tests/harness-*, tests/setup/,
  // tests/unit/) test the run side itself and are exempt.
  {
    files: ['tests/*.test.ts'],
    ignores: ['tests/harness-*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '^\\.(?!\\./lib/(kit|rollout|checks|audit)/index\\.ts$)',
        message: 'A behaviour test imports from ../lib/kit/index.ts, ../lib/checks/index.ts (the checks the audit calls too), ' +
          '../lib/rollout/index.ts and ../lib/audit/index.ts only: export what you need there, and put a new helper in lib/kit/.',
      }] }],
    },
  },
  {
    // lib/kit/ is flat: every relative import that leaves the folder leaves the kit.
    files: ['lib/kit/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '^\\.\\./',
        message: 'lib/kit/ is the test side: it imports only lib/kit/ (never lib/run/, the rollout wing or tests).',
      }] }],
    },
  },
  {
    // lib/checks/: one function per check, called by the behaviour tests and the audit alike.
    files: ['lib/checks/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '(^|/)run/(?!config-rollout\\.ts$)',
        message: 'lib/checks/ stands on the kit and the rollout wing; of the run side it reads only the rollout settings.',
      }, {
        regex: '(^|/)tests/',
        message: 'lib/ never imports tests.',
      }] }],
    },
  },
  {
    // lib/audit/: the user's workload through the checks; it never grows a check of its own, nor reaches the run side.
    files: ['lib/audit/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '(^|/)run/',
        message: 'lib/audit/ stands on lib/checks/ and the kit; the CLI (lib/run/cli/) calls it, not the other way round.',
      }, {
        regex: '(^|/)tests/',
        message: 'lib/ never imports tests.',
      }] }],
    },
  },
  {
    files: ['lib/rollout/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '(^|/)run/(?!config-rollout\\.ts$)',
        message: 'lib/rollout/ uses the kit; of the run side it reads only its settings (lib/run/config-rollout.ts).',
      }, {
        regex: '(^|/)tests/',
        message: 'lib/ never imports tests.',
      }] }],
    },
  },
  {
    // scripts/node.cjs must run on a Node too old for this project, to say so: plain CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
