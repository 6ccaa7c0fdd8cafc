/**
 * Live logs through the SSH tunnel (real sshd in front of podman's Docker API, real keychain):
 * lines and streams arrive as on the local socket, a restart is followed, flow control pauses the
 * SSH channel and loses nothing, and an ended follow leaves no channel behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../main/api';
import type { SshDockerConnection } from '../../../main/services/connections/docker-connection';
import { DEFAULT_FLOW } from '../../../main/services/logs/log-follower';
import { batchEntries, type LogEntry } from '../../../shared/model/logs';
import { startDockerFixture, waitForState, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';
import { apiFor, follow, numbers } from './follow-helper';

let fx: DockerFixture;
let api: Api;
let targetId: string;

beforeAll(async () => {
  fx = await startDockerFixture();
  api = apiFor(fx.services);
  const target = await fx.services.targets.create({
    name: 'prod-logs',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: fx.sshd.port, username: 'root', socketPath: fx.podman.socketPath },
    secrets: { privateKey: fx.sshd.clientPrivateKey },
  });
  targetId = target.id;
  fx.services.connections.connection(targetId);
  await waitForState(fx.services, targetId, (s) => s.status === 'untrusted-host-key');
  fx.services.connections.trustHostKey(targetId, await fx.sshd.hostKeyFingerprint());
  await waitForState(fx.services, targetId, (s) => s.status === 'connected');
}, 90_000);

afterAll(async () => {
  await fx?.dispose();
});

/** SSH channels open and in use: idle ones kept by the HTTP agent's keep-alive pool are not counted. */
function openChannels(): number {
  const connection = fx.services.connections.connection(targetId) as SshDockerConnection;
  const pooled = Object.values(connection.tunnel.agent.freeSockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  return connection.tunnel['channels'].size - pooled;
}

describe('logs through the SSH tunnel', () => {
  it('lists the containers and follows one, stdout and stderr apart', async () => {
    const sources = await api.invoke('logs:sources', { targetId });
    expect((sources as { value: { key: string }[] }).value.map((s) => s.key)).toEqual(
      expect.arrayContaining(['container:shop-backend-1', 'container:shop-frontend-1', 'container:adhoc-worker']),
    );
    await fx.podman.run(
      'ssh-mixed',
      'trap "exit 0" TERM; echo to-out; echo to-err >&2; printf "bad \\377 ok\\n"; while true; do sleep 1; done',
    );
    const f = await follow(api, { targetId, sources: ['container:ssh-mixed', 'container:shop-backend-1'] });
    try {
      await f.waitForLines(
        (lines) =>
          lines.some((l) => l.message === 'bad \uFFFD ok') && lines.some((l) => l.container === 'shop-backend-1'),
        'lines did not arrive through the tunnel',
      );
      expect(f.lines.find((l) => l.message === 'to-out')).toMatchObject({ stream: 'stdout', container: 'ssh-mixed' });
      expect(f.lines.find((l) => l.message === 'to-err')).toMatchObject({ stream: 'stderr', container: 'ssh-mixed' });
      expect(f.lines.find((l) => l.container === 'shop-backend-1')).toMatchObject({
        service: 'backend',
        message: expect.stringMatching(/^backend line \d+$/),
      });
    } finally {
      f.stop();
    }
  });

  it('continues across a restart without repeating a line', async () => {
    await fx.podman.run(
      'ssh-counter',
      'trap "exit 0" TERM; f=/tmp/n; i=$(cat $f 2>/dev/null || echo 0); while true; do i=$((i+1)); echo $i > $f; echo "n $i"; sleep 0.05; done',
    );
    const f = await follow(api, { targetId, sources: ['container:ssh-counter'] });
    try {
      await f.waitForLines((lines) => numbers(lines).length >= 20, 'no lines before the restart');
      await fx.podman.cli(['restart', '-t', '1', 'ssh-counter']);
      const before = numbers(f.lines).length;
      await f.waitForLines((lines) => numbers(lines).length >= before + 40, 'no lines after the restart', 30_000);
      const seen = numbers(f.lines);
      expect(new Set(seen).size).toBe(seen.length);
      // Nothing lost, nothing repeated: every number once, no gaps (whole-second stamps may swap two at the seam).
      const sorted = [...seen].sort((a, b) => a - b);
      expect(sorted.at(-1)! - sorted[0]! + 1).toBe(seen.length);
      expect(f.states('container:ssh-counter').at(-1)).toBe('live');
    } finally {
      f.stop();
    }
  }, 60_000);

  it('moves to the new SSH connection when the target is edited, without repeating a line', async () => {
    const f = await follow(api, { targetId, sources: ['container:ssh-counter'] });
    try {
      await f.waitForLines((lines) => numbers(lines).length >= 10, 'no lines before the edit');
      const target = fx.services.targets.get(targetId);
      if (target.kind !== 'docker-ssh') throw new Error(`The fixture's target is ${target.kind}, not docker-ssh.`);
      // Any edit remakes the connection: the old tunnel and its channels close.
      await fx.services.targets.update(targetId, {
        name: 'prod-logs-renamed',
        environment: target.environment,
        kind: target.kind,
        settings: target.settings,
      });
      const before = numbers(f.lines).length;
      await f.waitForLines((lines) => numbers(lines).length >= before + 30, 'no lines on the new connection', 30_000);
      const seen = numbers(f.lines);
      expect(new Set(seen).size).toBe(seen.length);
      // Nothing lost, nothing repeated: every number once, no gaps (whole-second stamps may swap two at the seam).
      const sorted = [...seen].sort((a, b) => a - b);
      expect(sorted.at(-1)! - sorted[0]! + 1).toBe(seen.length);
      expect(f.states('container:ssh-counter')).toContain('reconnecting');
      // The old tunnel's close can be reported after the new one's first lines: the source ends live.
      await waitFor(() => f.states('container:ssh-counter').at(-1) === 'live', 10_000, 'the source live again');
      expect(f.states('container:ssh-counter').at(-1)).toBe('live');
    } finally {
      f.stop();
    }
  }, 60_000);

  it('pauses at the high watermark and, once acknowledged, delivers every line once', async () => {
    const total = 100_000;
    await fx.podman.run('ssh-flood', `trap "exit 0" TERM; seq 1 ${total}; while true; do sleep 1; done`);
    const lines: LogEntry[] = [];
    let followId = '';
    let maxBatch = 0;
    let maxUnacked = 0;
    const stop = fx.services.logs.follow({ targetId, sources: ['container:ssh-flood'], since: '10m' }, (event) => {
      if (event.type === 'started') followId = event.followId;
      if (event.type === 'lines') {
        for (const line of batchEntries(event)) lines.push(line);
        maxBatch = Math.max(maxBatch, event.lines.length);
        maxUnacked = Math.max(maxUnacked, fx.services.logs.follower(followId)?.unacknowledged ?? 0);
      }
    });
    try {
      const follower = fx.services.logs.follower(followId)!;
      await waitFor(() => follower.isPaused, 30_000, 'never paused');
      await new Promise((r) => setTimeout(r, 1_000));
      const paused = lines.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(lines.length).toBe(paused);
      expect(maxUnacked).toBeLessThanOrEqual(DEFAULT_FLOW.highWater + maxBatch);
      expect(follower.held).toBeLessThan(DEFAULT_FLOW.highWater);
      let acked = 0;
      const deadline = Date.now() + 60_000;
      while (lines.length < total && Date.now() < deadline) {
        const drawn = lines.length - acked;
        acked += drawn;
        if (drawn) fx.services.logs.ack(followId, drawn);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seen = lines.map((l) => Number(l.message));
      expect(seen.length).toBe(total);
      for (let i = 0; i < total; i++) if (seen[i] !== i + 1) throw new Error(`line ${i + 1} is ${seen[i]}`);
    } finally {
      stop();
    }
  }, 120_000);

  it('closes its SSH channels when the follow ends', async () => {
    // Let earlier follows' deferred destroys run and pooled request channels settle.
    await new Promise((r) => setTimeout(r, 500));
    const baseline = openChannels();
    const f = await follow(api, { targetId, sources: ['container:shop-backend-1', 'container:shop-frontend-1'] });
    await f.waitForLines(
      (lines) => new Set(lines.map((l) => l.container)).size === 2,
      'both containers did not deliver',
    );
    expect(openChannels()).toBeGreaterThanOrEqual(baseline + 2);
    f.stop();
    await waitFor(() => openChannels() <= baseline, 10_000, `channels stayed open (${openChannels()} > ${baseline})`);
  });
});
