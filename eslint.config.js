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
      // Every relative import names its .ts file so Node runs lib/cli/*.ts without a build step.
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value=/^\\.{1,2}\\/.*(?<!\\.ts|\\.json)$/]",
        message: 'Relative imports must end in .ts (Node type stripping runs the sources directly).',
      }],
    },
  },
);
