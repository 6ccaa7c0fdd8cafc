import { defineConfig } from 'vitest/config';

// Three projects, one runner: unit (pure, fast), integration (real keychain, SQLite, sockets)
// and e2e (real Chromium against the real browser-mode host). Each test file runs in its own
// process (forks), because libsecret binds a process to one D-Bus session for its lifetime.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 60_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
