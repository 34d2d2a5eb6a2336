// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import featureBoundaries from './scripts/lint/feature-boundaries.js';

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

const nodeImportBans = (message) => [
  ...builtinModules.map((name) => ({ name, message })),
  ...builtinModules.map((name) => ({ name: `node:${name}`, message })),
];

/** The renderer is a web page: it reaches the rest of the app only through window.veza. */
export const rendererBoundary = {
  files: ['apps/desktop/src/renderer/**/*.{ts,tsx}', 'apps/desktop/src/host/client/**/*.ts'],
  ignores: ['**/*.test.ts'],
  languageOptions: { globals: { ...globals.browser } },
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...nodeImportBans('The renderer runs in a sandboxed page: no Node built-ins.'),
          ...['electron', 'better-sqlite3', 'ws', 'pg', 'fastify'].map((name) => ({
            name,
            message: 'The renderer talks to core only through window.veza (common/contract.ts).',
          })),
        ],
        patterns: [
          { group: ['node:*'], message: 'The renderer must not import Node built-ins.' },
          {
            group: ['**/core/**', '**/main/**', '**/preload/**'],
            message: 'The renderer imports only common/ and itself.',
          },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
        message: 'No raw HTML ever reaches the DOM: render text and React elements.',
      },
      {
        selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]',
        message: 'No raw HTML ever reaches the DOM.',
      },
      {
        selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
        message: 'No raw HTML ever reaches the DOM.',
      },
      {
        selector:
          "BinaryExpression[operator=/^[!=]==?$/]:matches([left.name='role'], [left.property.name='role'], [right.name='role'], [right.property.name='role'])",
        message: 'Ask for a permission (useCan from features/session/rights.ts), never compare role names.',
      },
    ],
  },
};

/** Core is plain Node so it runs in tests, the browser host and Electron alike. */
export const coreBoundary = {
  files: ['apps/desktop/src/core/**/*.ts', 'apps/desktop/src/common/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: 'electron', message: 'core and common never import Electron: the shell wires it in (main/).' }],
        patterns: [
          { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'core does not depend on a shell.' },
        ],
      },
    ],
  },
};

/** common/ is shared by every runtime, the renderer included. */
export const commonBoundary = {
  files: ['apps/desktop/src/common/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          ...nodeImportBans('common/ is loaded by the renderer too: no Node built-ins.'),
          { name: 'electron', message: 'common/ never imports Electron.' },
        ],
        patterns: [
          { group: ['node:*'], message: 'common/ must not import Node built-ins.' },
          {
            group: ['**/core/**', '**/main/**', '**/renderer/**', '**/preload/**'],
            message: 'common/ depends on nothing.',
          },
        ],
      },
    ],
  },
};

/** Server features meet only at each other's index.ts (scripts/lint/feature-boundaries.js). */
export const featureBoundary = {
  files: ['apps/server/src/features/**/*.ts'],
  plugins: { veza: featureBoundaries },
  rules: { 'veza/feature-imports': ['error', { featuresDir: 'apps/server/src/features' }] },
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      '**/*.tsbuildinfo',
      'coverage/**',
      'apps/desktop/release/**',
      'apps/desktop/test-results/**',
    ],
  },
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
  rendererBoundary,
  coreBoundary,
  commonBoundary,
  featureBoundary,
);
