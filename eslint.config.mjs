// Lint rules that keep the layout honest (docs/architecture.md, "Layers"): the folder decides what
// code may import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'tty',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const nodeImports = [{ group: ['node:*'], message: 'This folder runs outside Node: no Node built-ins.' }];
const nodePaths = NODE_BUILTINS.map((name) => ({ name, message: 'This folder runs outside Node: no Node built-ins.' }));
const electronPath = { name: 'electron', message: "Only main/electron/ and preload/ may import 'electron'." };

const root = import.meta.dirname;
/**
 * `layout/no-folder`: refuses a relative import (static, `export … from`, or `import()`) that
 * lands in one of the named top-level folders. no-restricted-imports only sees the written
 * string, and `'../main'` means main/ from agent/x.ts but agent/main.ts from agent/logs/x.ts,
 * so this resolves the path against the importing file first; it also sees `import()`, which
 * no-restricted-imports does not.
 */
const noFolder = {
  meta: { type: 'problem', schema: [{ type: 'object', properties: { folders: { type: 'array', items: { type: 'string' } }, message: { type: 'string' } }, additionalProperties: false }] },
  create(context) {
    const { folders, message } = context.options[0];
    const check = (source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(root, resolve(dirname(context.filename), source.value));
      if (isAbsolute(target) || target.startsWith('..')) return;
      const folder = target.split(sep)[0];
      if (folders.includes(folder)) context.report({ node: source, message: `'${source.value}' is in ${folder}/: ${message}` });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
const layout = { rules: { 'no-folder': noFolder } };
const SIDES = 'main/ and the agent share code through node/ and shared/, never by importing each other.';

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
    files: ['main/**/*.ts'],
    plugins: { layout },
    rules: { 'layout/no-folder': ['error', { folders: ['agent'], message: SIDES }] },
  },
  {
    files: ['agent/**/*.ts'],
    plugins: { layout },
    rules: { 'layout/no-folder': ['error', { folders: ['main'], message: SIDES }] },
  },
  {
    // The layer main/ and the agent share: Node and shared/, never either side, the UI or Electron.
    files: ['node/**/*.ts'],
    plugins: { layout },
    rules: {
      'layout/no-folder': [
        'error',
        { folders: ['main', 'agent', 'renderer', 'preload'], message: 'node/ is shared by main/ and the agent, so it imports neither (nor the UI).' },
      ],
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
