/**
 * Live logs of an ops-api target, against the REAL agent (agent/ `buildAgent`) in front of real
 * podman containers: the services it lists, a follow that polls `/api/ops/logs` with `since` and
 * never repeats the boundary lines, a restart seen through its events stream, a refused token,
 * and the lines landing in the offline cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import type { LogEntry } from '../../../shared/model/logs';
import { composeLabels } from '../../support/podman';
import { waitFor } from '../../support/keyring';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { apiFor, follow, numbers } from './follow-helper';

let agent: AgentFixture;
let services: Services;
let api: Api;
let dataDir: string;
let targetId: string;

const COUNTER =
  'trap "exit 0" TERM; f=/tmp/n; i=$(cat $f 2>/dev/null || echo 0); while true; do i=$((i+1)); echo $i > $f; echo "n $i"; sleep 0.1; done';

beforeAll(async () => {
  agent = await startAgentFixture({
    podman: true,
    before: async (podman) => {
      await Promise.all([
        podman.run('shop-api-1', COUNTER, composeLabels('shop', 'api')),
        podman.run(
          'shop-web-1',
          'trap "exit 0" TERM; echo "web up"; echo "ERROR web broke" >&2; while true; do sleep 1; done',
          composeLabels('shop', 'web'),
        ),
      ]);
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'cr-logs-ops-'));
  services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), logs: { opsPollMs: 300 } });
  api = apiFor(services);
  targetId = (
    await services.targets.create({
      name: 'shop-ops',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: agent.url },
      secrets: { apiToken: agent.read },
    })
  ).id;
}, 90_000);

afterAll(async () => {
  services?.close();
  await agent?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logs of an ops-api target (the real agent)', () => {
  it('lists the services the agent reports', async () => {
    const reply = await api.invoke('logs:sources', { targetId });
    expect(reply).toEqual({
      ok: true,
      value: [
        { key: 'service:api', label: 'api', service: 'api', project: 'shop', state: 'running' },
        { key: 'service:web', label: 'web', service: 'web', project: 'shop', state: 'running' },
      ],
    });
  });

  it('follows a service by polling, with levels and streams, and never repeats a line at the boundary', async () => {
    const f = await follow(api, { targetId, sources: ['service:api', 'service:web'], tail: 5 });
    try {
      const start = Date.now();
      await f.waitForLines(
        (lines) => numbers(lines).length >= 40 && lines.some((l) => l.container === 'web'),
        'too few lines came by polling',
      );
      expect(Date.now() - start).toBeGreaterThan(1_000); // several polls, not one reply
      const seen = numbers(f.lines);
      expect(new Set(seen).size).toBe(seen.length);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1);
      const web = f.lines.filter((l) => l.container === 'web');
      expect(web).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ message: 'web up', stream: 'stdout', service: 'web', target: targetId }),
          expect.objectContaining({ message: 'ERROR web broke', stream: 'stderr', level: 'error' }),
        ]),
      );
      expect(web).toHaveLength(2);
      expect(f.states('service:api')).toEqual(['live']);
    } finally {
      f.stop();
    }
  }, 40_000);

  it('keeps following a service across a container restart, without repeating a line', async () => {
    const f = await follow(api, { targetId, sources: ['service:api'], tail: 1 });
    try {
      await f.waitForLines((lines) => numbers(lines).length >= 10, 'no lines before the restart');
      await agent.podman!.cli(['restart', '-t', '1', 'shop-api-1']);
      const before = numbers(f.lines).length;
      await f.waitForLines((lines) => numbers(lines).length >= before + 30, 'no lines after the restart', 30_000);
      const seen = numbers(f.lines);
      expect(new Set(seen).size).toBe(seen.length);
      // Nothing lost, nothing repeated: every number once, no gaps (whole-second stamps may swap two at the seam).
      const sorted = [...seen].sort((a, b) => a - b);
      expect(sorted.at(-1)! - sorted[0]! + 1).toBe(seen.length);
    } finally {
      f.stop();
    }
  }, 60_000);

  it('reports a refused token as an error state with the reason', async () => {
    const bad = await services.targets.create({
      name: 'shop-ops-bad',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: agent.url },
      secrets: { apiToken: 'cra_' + 'x'.repeat(43) },
    });
    const f = await follow(api, { targetId: bad.id, sources: ['service:api'] });
    try {
      await waitFor(() => f.states('service:api').includes('error'), 10_000, 'no error state');
      expect(f.events.find((e) => e.type === 'source')).toMatchObject({
        state: 'error',
        reason: expect.stringMatching(/401|token/),
      });
      expect(f.lines).toEqual([]);
    } finally {
      f.stop();
    }
  });

  it('wrote the followed lines to the offline cache', async () => {
    const reply = await api.invoke('logs:query', { targetId, sources: ['service:web'] });
    const entries = (reply as { value: { entries: LogEntry[] } }).value.entries;
    expect(entries.map((e) => e.message)).toEqual(['web up', 'ERROR web broke']);
    const api_ = await api.invoke('logs:query', { targetId, sources: ['service:api'], text: 'n 1' });
    expect((api_ as { value: { entries: LogEntry[] } }).value.entries.length).toBeGreaterThan(0);
    const cached = numbers(
      ((await api.invoke('logs:query', { targetId, sources: ['service:api'] })) as { value: { entries: LogEntry[] } })
        .value.entries,
    );
    expect(new Set(cached).size).toBe(cached.length);
  });
});
