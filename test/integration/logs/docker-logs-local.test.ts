/**
 * Live logs from real podman containers on the local socket, through the real API: stdout and
 * stderr apart, hostile bytes, a 10 MB line, restarts, two containers merged, flow control with
 * backpressure, and the offline cache filled by the follows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { DEFAULT_FLOW } from '../../../main/services/logs/log-follower';
import { batchEntries, type LogEntry, type LogFollowEvent } from '../../../shared/model/logs';
import { waitFor } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';
import { FAST_CONNECTIONS } from '../../support/docker-fixture';
import { apiFor, follow, numbers } from './follow-helper';

let podman: Podman;
let services: Services;
let api: Api;
let dataDir: string;
let targetId: string;

/** `trap` lets sh stop at once on SIGTERM; the last `sleep` keeps the container running. */
const KEEP = 'while true; do sleep 1; done';

beforeAll(async () => {
  podman = await startPodman();
  await Promise.all([
    podman.run(
      'mixed',
      `trap "exit 0" TERM; echo out-1; echo err-1 >&2; printf 'bad \\377\\376 end\\n'; printf 'nul \\000 byte\\n'; ` +
        `echo '{"level":"error","msg":"boom"}'; echo 'WARN disk almost full'; printf 'multi é€😀\\n'; ${KEEP}`,
      composeLabels('shop', 'api'),
    ),
    podman.run(
      'tick-a',
      `trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo "a $i"; sleep 0.1; done`,
      composeLabels('shop', 'ticker'),
    ),
    podman.run('tick-b', `trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo "b $i"; sleep 0.1; done`),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'cr-logs-local-'));
  services = createServices({
    dataDir,
    credentials: new MemoryCredentialBackend(),
    connections: FAST_CONNECTIONS,
    logs: { recheckMs: 500, dockerBackoff: { initialMs: 100, maxMs: 500 } },
  });
  api = apiFor(services);
  targetId = (
    await services.targets.create({
      name: 'laptop',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: podman.socketPath },
    })
  ).id;
}, 90_000);

afterAll(async () => {
  services?.close();
  await podman?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logs:sources on a Docker target', () => {
  it('lists every container with its compose project, service and state', async () => {
    const reply = await api.invoke('logs:sources', { targetId });
    expect(reply.ok).toBe(true);
    const sources = (
      reply as { value: { key: string; service: string | null; project: string | null; state: string | null }[] }
    ).value;
    expect(sources).toEqual(
      expect.arrayContaining([
        { key: 'container:mixed', label: 'mixed', service: 'api', project: 'shop', state: 'running' },
        { key: 'container:tick-a', label: 'tick-a', service: 'ticker', project: 'shop', state: 'running' },
        { key: 'container:tick-b', label: 'tick-b', service: null, project: null, state: 'running' },
      ]),
    );
  });

  it('refuses a service key on a Docker target', async () => {
    const reply = await api.subscribe('logs:follow', { targetId, sources: ['service:api'] }, () => undefined);
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/container:<name>/) },
    });
  });
});

describe('following a container', () => {
  it('separates stdout from stderr, keeps hostile bytes visible, reads timestamps and levels', async () => {
    const f = await follow(api, { targetId, sources: ['container:mixed'] });
    try {
      await f.waitForLines(
        (lines) => lines.some((l) => l.message.startsWith('multi')),
        'the last line of "mixed" never came',
      );
      const by = (prefix: string) => f.lines.find((l) => l.message.startsWith(prefix))!;
      expect(by('out-1')).toMatchObject({ stream: 'stdout', container: 'mixed', service: 'api', target: targetId });
      expect(by('err-1')).toMatchObject({ stream: 'stderr', message: 'err-1' });
      expect(by('bad').message).toBe('bad \uFFFD\uFFFD end');
      expect(by('nul').message).toBe('nul \u0000 byte');
      expect(by('multi').message).toBe('multi é€😀');
      expect(by('{').level).toBe('error');
      expect(by('WARN').level).toBe('warn');
      expect(by('out-1').level).toBeNull();
      // podman stamps whole seconds; the entry carries ISO with milliseconds.
      expect(by('out-1').ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      expect(Math.abs(Date.parse(by('out-1').ts) - Date.now())).toBeLessThan(120_000);
      expect(f.states('container:mixed')).toContain('live');
    } finally {
      f.stop();
    }
  });

  it('a 10 MB line arrives cut to 1 MB with a marker, and the lines after it still flow', async () => {
    await podman.run(
      'big',
      `trap "exit 0" TERM; echo before; dd if=/dev/zero bs=1048576 count=10 2>/dev/null | busybox tr '\\0' a; echo; echo after-1; echo after-2; ${KEEP}`,
    );
    // `since`, not a tail: podman 4.3 counts a tail in stored pieces (8 KB each here) and, reading
    // a tail, glues the line before a long one onto it; followed with `since` every piece comes as is.
    const f = await follow(api, { targetId, sources: ['container:big'], since: '10m' });
    try {
      await f.waitForLines(
        (lines) => lines.some((l) => l.message === 'after-2'),
        '"after-2" never came after the 10 MB line',
        30_000,
      );
      expect(f.lines.map((l) => (l.message.length > 40 ? 'LONG' : l.message))).toEqual([
        'before',
        'LONG',
        'after-1',
        'after-2',
      ]);
      const long = f.lines[1]!.message;
      const match = /^(a+)… \[(\d+) bytes cut\]$/.exec(long);
      expect(match).not.toBeNull();
      // Every byte is accounted for: kept + cut = the 10 MB podman stored in pieces.
      expect(match![1]!.length + Number(match![2])).toBe(10 * 1024 * 1024);
      expect(match![1]!.length).toBeGreaterThan(1_000_000);
      expect(match![1]!.length).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      f.stop();
    }
  }, 60_000);

  it('keeps following across a restart, in the same follow, without repeating a line', async () => {
    // The counter lives in the container's /tmp, so numbering goes on after the restart.
    await podman.run(
      'counter',
      'trap "exit 0" TERM; f=/tmp/n; i=$(cat $f 2>/dev/null || echo 0); while true; do i=$((i+1)); echo $i > $f; echo "n $i"; sleep 0.05; done',
    );
    const f = await follow(api, { targetId, sources: ['container:counter'] });
    try {
      await f.waitForLines((lines) => numbers(lines).length >= 20, 'no lines before the restart');
      await podman.cli(['restart', '-t', '1', 'counter']);
      const before = numbers(f.lines).length;
      await f.waitForLines((lines) => numbers(lines).length >= before + 40, 'no lines after the restart', 30_000);
      const seen = numbers(f.lines);
      const trace = () =>
        f.events
          .map((e) =>
            e.type === 'lines'
              ? batchEntries(e)
                  .map((l) => `${l.ts.slice(17, 19)} ${l.message}`)
                  .join(',')
              : JSON.stringify(e),
          )
          .join('\n');
      expect(new Set(seen).size, trace()).toBe(seen.length);
      // Nothing lost and nothing repeated across the restart: every number once, no gaps. (The
      // pane orders by timestamp; podman's whole-second stamps let two lines swap at the seam.)
      const sorted = [...seen].sort((a, b) => a - b);
      expect(sorted.at(-1)! - sorted[0]! + 1, trace()).toBe(seen.length);
      const states = f.states('container:counter');
      expect(states[0]).toBe('live');
      expect(states.at(-1)).toBe('live');
      expect(states.slice(1, -1).length).toBeGreaterThan(0); // reconnecting / ended in between
    } finally {
      f.stop();
    }
  }, 60_000);

  it('merges two containers into one follow, each in its own order', async () => {
    const f = await follow(api, { targetId, sources: ['container:tick-a', 'container:tick-b'] });
    try {
      await f.waitForLines(
        (lines) => numbers(lines, 'a ').length >= 15 && numbers(lines, 'b ').length >= 15,
        'both containers did not deliver',
      );
      for (const prefix of ['a ', 'b ']) {
        const seen = numbers(f.lines, prefix);
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1);
      }
      expect(new Set(f.lines.map((l) => l.container))).toEqual(new Set(['tick-a', 'tick-b']));
    } finally {
      f.stop();
    }
  });

  it('says "ended" when the container is removed', async () => {
    await podman.run('short', `trap "exit 0" TERM; echo hello; ${KEEP}`);
    const f = await follow(api, { targetId, sources: ['container:short'] });
    try {
      await f.waitForLines((lines) => lines.length > 0, 'no line from "short"');
      await podman.cli(['rm', '-f', '-t', '0', 'short']);
      await waitFor(() => f.states('container:short').includes('ended'), 15_000, 'never reported ended');
      const ended = f.events
        .filter((e): e is Extract<LogFollowEvent, { type: 'source' }> => e.type === 'source' && e.state === 'ended')
        .at(-1)!;
      expect(ended.reason).toMatch(/removed|stopped/);
      await waitFor(
        () => f.events.some((e) => e.type === 'source' && e.state === 'ended' && /removed/.test(e.reason ?? '')),
        15_000,
        'never said the container was removed',
      );
    } finally {
      f.stop();
    }
  }, 40_000);

  it('ends the follow when its target is deleted, and follows an edited target on its new connection', async () => {
    const other = await services.targets.create({
      name: 'laptop-2',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: podman.socketPath },
    });
    const f = await follow(api, { targetId: other.id, sources: ['container:tick-b'] });
    try {
      await f.waitForLines((lines) => lines.length >= 3, 'no lines');
      // Edited (a new connection is made): the source notices and keeps delivering.
      await services.targets.update(other.id, {
        name: 'laptop-2b',
        environment: 'dev',
        kind: 'docker-local',
        settings: { socketPath: podman.socketPath },
      });
      const count = f.lines.length;
      await f.waitForLines((lines) => lines.length >= count + 5, 'no lines after the target was edited');
      await services.targets.delete(other.id);
      expect(f.events.at(-1)).toEqual({
        type: 'source',
        source: 'container:tick-b',
        state: 'ended',
        reason: 'the target was deleted',
      });
      const after = f.events.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(f.events.length).toBe(after);
      const seen = numbers(f.lines, 'b ');
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1);
    } finally {
      f.stop();
    }
  });

  it('reports a container that does not exist as an error', async () => {
    const f = await follow(api, { targetId, sources: ['container:nope'] });
    try {
      await waitFor(() => f.states('container:nope').includes('error'), 10_000, 'no error state');
      expect(f.events.find((e) => e.type === 'source')).toMatchObject({
        state: 'error',
        reason: expect.stringMatching(/no container called nope/),
      });
    } finally {
      f.stop();
    }
  });
});

describe('flow control', () => {
  it('pauses a fast container at the high watermark, holds little while paused, and after acks every line arrives once', async () => {
    const total = 200_000;
    await podman.run('flood', `trap "exit 0" TERM; seq 1 ${total}; ${KEEP}`);
    const events: LogFollowEvent[] = [];
    const lines: LogEntry[] = [];
    let maxUnacked = 0;
    let maxBatch = 0;
    let maxHeld = 0;
    let followId = '';
    const stop = services.logs.follow({ targetId, sources: ['container:flood'], since: '10m' }, (event) => {
      events.push(event);
      if (event.type === 'started') followId = event.followId;
      if (event.type === 'lines') {
        for (const line of batchEntries(event)) lines.push(line);
        maxBatch = Math.max(maxBatch, event.lines.length);
      }
      const follower = services.logs.follower(followId);
      if (follower) {
        maxUnacked = Math.max(maxUnacked, follower.unacknowledged);
        maxHeld = Math.max(maxHeld, follower.held);
      }
    });
    try {
      const follower = services.logs.follower(followId)!;
      // No acks: the follower must stop at the high watermark and pause the source.
      await waitFor(() => follower.isPaused, 30_000, 'the follower never paused');
      await new Promise((r) => setTimeout(r, 1_500));
      const whilePaused = lines.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(lines.length).toBe(whilePaused);
      expect(whilePaused).toBeGreaterThanOrEqual(DEFAULT_FLOW.highWater);
      expect(maxUnacked).toBeLessThanOrEqual(DEFAULT_FLOW.highWater + maxBatch);
      // Paused means the response is not read: only what was in flight is held here.
      expect(maxHeld).toBeLessThan(DEFAULT_FLOW.highWater);

      // Now draw and acknowledge, like a renderer: every line arrives, in order, none twice.
      let acked = 0;
      const deadline = Date.now() + 60_000;
      while (lines.length < total) {
        if (Date.now() > deadline) {
          throw new Error(
            `${lines.length} of ${total} lines arrived; paused ${follower.isPaused}, unacknowledged ${follower.unacknowledged}, held ${follower.held}, ` +
              `states ${JSON.stringify(events.filter((e) => e.type === 'source'))}`,
          );
        }
        if (lines.length > acked) {
          // Count first: the ack itself may deliver the next batch synchronously.
          const drawn = lines.length - acked;
          acked += drawn;
          services.logs.ack(followId, drawn);
        }
        maxUnacked = Math.max(maxUnacked, follower.unacknowledged);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(maxUnacked).toBeLessThanOrEqual(DEFAULT_FLOW.highWater + maxBatch);
      const seen = lines.map((l) => Number(l.message));
      expect(seen.length).toBe(total);
      for (let i = 0; i < total; i++) if (seen[i] !== i + 1) throw new Error(`line ${i + 1} is ${seen[i]}`);
      expect(follower.isPaused).toBe(false);
    } finally {
      stop();
    }
  }, 120_000);
});

describe('the offline cache, filled by follows', () => {
  it('holds the followed lines: queries by time range and text, a summary per container', async () => {
    services.logs.cache.flush();
    const all = await api.invoke('logs:query', { targetId, sources: ['container:mixed'] });
    expect(all.ok).toBe(true);
    const { entries, truncated } = (all as { value: { entries: LogEntry[]; truncated: boolean } }).value;
    expect(truncated).toBe(false);
    expect(entries.map((e) => e.message)).toEqual(
      expect.arrayContaining(['out-1', 'err-1', 'bad \uFFFD\uFFFD end', 'nul \u0000 byte', 'multi é€😀']),
    );
    const text = await api.invoke('logs:query', { targetId, text: 'boom' });
    expect((text as { value: { entries: LogEntry[] } }).value.entries).toEqual([
      expect.objectContaining({ container: 'mixed', level: 'error', message: '{"level":"error","msg":"boom"}' }),
    ]);
    const first = entries[0]!.ts;
    const range = await api.invoke('logs:query', {
      targetId,
      from: '2000-01-01T00:00:00Z',
      to: first,
      sources: ['container:mixed'],
    });
    expect((range as { value: { entries: LogEntry[] } }).value.entries.every((e) => e.ts <= first)).toBe(true);
    const info = await api.invoke('logs:cacheInfo', {});
    const services_ = (info as { value: { services: { container: string; lines: number; bytes: number }[] } }).value
      .services;
    const flood = services_.find((s) => s.container === 'flood')!;
    expect(flood.lines).toBe(200_000);
    expect(services_.find((s) => s.container === 'big')!.bytes).toBeGreaterThan(1_000_000);
  });

  it('does not write lines again when a container is followed again with the same tail', async () => {
    const before = services.logs.cacheInfo().services.find((s) => s.container === 'mixed')!.lines;
    const f = await follow(api, { targetId, sources: ['container:mixed'] });
    try {
      await f.waitForLines(
        (lines) => lines.some((l) => l.message.startsWith('multi')),
        'no lines on the second follow',
      );
    } finally {
      f.stop();
    }
    expect(services.logs.cacheInfo().services.find((s) => s.container === 'mixed')!.lines).toBe(before);
  });

  it('writes each line once when two panes follow the same container, also across the first pane closing', async () => {
    const cached = () =>
      numbers(services.logs.query({ targetId, sources: ['container:tick-a'], limit: 200_000 }).entries, 'a ');
    const before = cached().length;
    const one = await follow(api, { targetId, sources: ['container:tick-a'] });
    const two = await follow(api, { targetId, sources: ['container:tick-a'] });
    try {
      await two.waitForLines((lines) => numbers(lines, 'a ').length >= 220, 'the second pane got too few lines');
      one.stop(); // the second pane's lines take over the writing
      const count = two.lines.length;
      await two.waitForLines((lines) => lines.length >= count + 10, 'no lines after the first pane closed');
    } finally {
      one.stop();
      two.stop();
    }
    const all = cached();
    expect(all.length).toBeGreaterThan(before);
    expect(new Set(all).size).toBe(all.length);
  });

  it('takes new limits through the contract and trims to them', async () => {
    const reply = await api.invoke('logs:setCacheLimits', { maxBytes: 2 * 1024 * 1024, maxAgeHours: 24 });
    expect(reply.ok).toBe(true);
    const summary = (reply as { value: { limits: unknown; services: { bytes: number }[] } }).value;
    expect(summary.limits).toEqual({ maxBytes: 2 * 1024 * 1024, maxAgeHours: 24 });
    expect(summary.services.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
