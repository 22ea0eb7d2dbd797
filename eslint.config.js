// Lint rules that guard the project's standards: no `any` on external data, no @ts-ignore,
// no floating promises (a `try` that cannot catch), no console in library code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'test-artifacts/', 'bench/out/', 'data/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Imports run one way: connectors meet the program only through their contract (connectors/contract/).
    files: ['connectors/**/*.ts'],
    ignores: ['connectors/*/sandbox/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(src|sandboxes)/', message: 'connectors import nothing from the program or the sandboxes: declare what is needed in connectors/contract/' }] }],
    },
  },
  {
    // The program reaches connectors through the contract and the registry only (the configuration through
    // the registry's list of sections), never a connector's insides.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)connectors/(?!contract/index\\.ts$|registry\\.ts$|sections\\.ts$)',
              message: 'import connectors/contract/index.ts, connectors/registry.ts or connectors/sections.ts; a connector is reached through its registry definition',
            },
            { regex: '(^|/)sandboxes/', message: 'the production code imports no sandbox (the demo loads its module at run time)' },
          ],
        },
      ],
    },
  },
  {
    // Command-line entry points, benchmarks and tests talk to a terminal.
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**', 'sandboxes/**/test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The sandboxes serve the demo, the tests and the benchmarks of a clone; the product never imports
    // them, so the build (tsconfig.build.json follows imports) and the image carry none. The demo loads
    // sandboxes/demo.ts by a path computed at run time (src/service/demoSandbox.ts).
    files: ['src/**', 'connectors/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)sandboxes(/|$)', message: 'the product imports no sandbox code (sandboxes/ is for the demo, tests and benchmarks)' }] },
      ],
    },
  },
  {
    // The CLI prints through src/cli/output.ts, which redacts secrets; the classify command's result
    // stream (customer data) is the one other use of stdout.
    files: ['src/cli/**'],
    ignores: ['src/cli/output.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='write'][callee.object.object.name='process'][callee.object.property.name=/^std(out|err)$/]",
          message: 'print through src/cli/output.ts (it redacts secrets)',
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The admin page's scripts run in the browser (type-checked by tsconfig.web.json).
    files: ['web/**/*.js'],
    languageOptions: { globals: { ...globals.browser, Chart: 'readonly' } },
  },
  {
    // The Salesforce record-page component (salesforce-app/, an SFDX project): LWC modules that run in
    // Lightning Experience, linted by these rules with the browser's globals; tsc does not see them.
    files: ['salesforce-app/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Its Jest tests (sfdx-lwc-jest, `npm run test:lwc`) read their JSON records with require().
    files: ['salesforce-app/**/__tests__/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.jest, ...globals.commonjs } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Their type declarations belong to tsconfig.web.json's project, not the Node one.
    files: ['web/**/*.d.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: null } },
  },
);
