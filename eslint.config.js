// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a runtime-neutral package must never make: Node built-ins and server/desktop libraries. */
const NODE_ONLY = [
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
  'fastify',
  'pg',
  'ws',
  'electron',
  'better-sqlite3',
];

export const sharedBoundary = {
  files: ['packages/shared/src/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: NODE_ONLY.map((name) => ({
          name,
          message: '@veza/shared runs everywhere (server, Electron main, renderer): no Node or server imports.',
        })),
        patterns: [{ group: ['node:*'], message: '@veza/shared must not import Node built-ins.' }],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...['window', 'document', 'navigator', 'localStorage', 'process', 'Buffer', '__dirname', 'require'].map(
        (name) => ({ name, message: '@veza/shared must not use Node or DOM globals.' }),
      ),
    ],
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '**/*.tsbuildinfo', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  { files: ['scripts/**/*.mjs', 'scripts/**/*.js'], rules: { 'no-console': 'off' } },
  sharedBoundary,
);
