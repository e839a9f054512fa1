// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no HTTP client, no
// client/worker/activity SDK packages, and activities only as types (proxyActivities<typeof ...>).
const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);
const workflowImportBans = {
  paths: [
    ...nodeBuiltins.map((name) => ({
      name,
      message: 'Workflow code must not use Node built-ins (deterministic sandbox).',
    })),
    { name: 'ky', message: 'Workflow code does no I/O: call an activity.' },
    { name: 'ws', message: 'Workflow code does no I/O: call an activity.' },
    { name: '@temporalio/client', message: 'Workflows use @temporalio/workflow only.' },
    { name: '@temporalio/worker', message: 'Workflows use @temporalio/workflow only.' },
    { name: '@temporalio/activity', message: 'Workflows use @temporalio/workflow only.' },
  ],
  patterns: [
    {
      group: ['**/activities', '**/activities/*', '**/fondo', '**/fondo/*', '**/sandbox', '**/sandbox/*'],
      allowTypeImports: true,
      message: 'Workflows may import activities and the Fondo client only as types.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'coverage/', 'dist/', 'test/replay/histories/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportBans],
      'no-restricted-globals': [
        'error',
        { name: 'setInterval', message: 'Use sleep()/condition() from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code must not read the process environment.' },
      ],
    },
  },
  {
    // Fastify route handlers are async by contract (a returned value is the reply), awaiting or not.
    files: ['sandbox/*-routes.ts', 'sandbox/server.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Human-facing entry points print to the terminal on purpose.
    files: ['cli/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'sandbox/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read arbitrary JSON bodies; library code keeps the strict unsafe-* rules.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  prettier
);
