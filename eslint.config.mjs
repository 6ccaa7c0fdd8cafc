// Lint rules that keep the layout honest (ARCHITECTURE.md "Layout"): the folder decides what
// code may import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'tty',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const nodeImports = [{ group: ['node:*'], message: 'This folder runs outside Node: no Node built-ins.' }];
const nodePaths = NODE_BUILTINS.map((name) => ({ name, message: 'This folder runs outside Node: no Node built-ins.' }));
const electronPath = { name: 'electron', message: "Only main/electron/ and preload/ may import 'electron'." };

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/e2e/screenshots/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [electronPath] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronPath, ...nodePaths, { name: 'react', message: 'shared/ is plain TypeScript: no DOM or React.' }],
          patterns: [
            ...nodeImports,
            { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'shared/ depends on nothing but itself and zod.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronPath, ...nodePaths],
          patterns: [
            ...nodeImports,
            { group: ['**/main/**', '**/main'], message: 'The renderer knows only the contract (shared/), never main/.' },
            { group: ['**/preload/**'], message: 'The renderer reaches preload only through window.controlRoom.' },
          ],
        },
      ],
    },
  },
  {
    // The only places allowed to touch Electron.
    files: ['main/electron/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**'], message: 'preload exposes the contract only; it never imports main/.' }] },
      ],
    },
  },
);
