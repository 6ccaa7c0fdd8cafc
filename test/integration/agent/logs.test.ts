import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsErrorReply, OpsLogs } from '../../../shared/model/ops';
import { waitFor } from '../../support/keyring';
import { BUSYBOX_IMAGE, composeLabels, type Podman } from '../../support/podman';
import { startAgentFixture, type AgentFixture } from './agent-fixture';

let fx: AgentFixture;

// `trap` lets sh (PID 1 in the container) stop on SIGTERM; `sleep & wait` keeps it responsive.
const IDLE = 'trap "exit 0" TERM; while true; do sleep 1 & wait; done';
const BACKEND = [
  `echo '{"level":"error","msg":"database is down"}'`,
  'echo "level=info msg=started port=8080"',
  'echo "[warn] disk almost full" >&2',
  'echo "E0101 10:00:00.000000       1 main.go:12] glog says no" >&2',
  'echo "just a plain line"',
  'echo "2024-05-01 10:00:00 ERROR payment failed" >&2',
  'echo "{\\"severity\\":\\"DEBUG\\",\\"message\\":\\"gcp style\\"}"',
  IDLE,
].join('; ');

async function startContainers(podman: Podman) {
  await Promise.all([
    podman.run('shop-backend-1', BACKEND, composeLabels('shop', 'backend')),
    podman.run('shop-backend-2', `echo "replica two says hi"; ${IDLE}`, composeLabels('shop', 'backend')),
    podman.run('counter', `seq 1 6000; ${IDLE}`),
    podman.run('timed', `echo early; sleep 2; echo late; ${IDLE}`, composeLabels('shop', 'timed')),
    // The pause makes the order certain: stdout and stderr reach the engine through separate pipes.
    podman.run('both', `echo out; sleep 0.3; echo err >&2; ${IDLE}`),
    // A TTY container: Docker sends raw bytes, no 8-byte frames, everything on stdout.
    podman.cli(['run', '-d', '-t', '--name', 'tty-app', BUSYBOX_IMAGE, 'sh', '-c', `echo "tty line"; echo "tty [error] to stderr" >&2; ${IDLE}`]),
  ]);
}

beforeAll(async () => {
  fx = await startAgentFixture({ podman: true, before: startContainers });
  await waitFor(async () => (await logs('timed')).entries.some((e) => e.message === 'late'), 15_000, 'the timed container did not print "late"');
  await waitFor(async () => (await logs('counter', '&tail=1')).entries[0]?.message === '6000', 15_000, 'the counter did not finish');
});

afterAll(async () => {
  await fx?.stop();
});

async function logs(service: string, query = '') {
  const response = await fx.get(`/api/ops/logs?service=${encodeURIComponent(service)}${query}`);
  expect(response.status).toBe(200);
  return OpsLogs.parse(await response.json());
}

async function expectError(response: Response, status: number, pattern: RegExp) {
  expect(response.status).toBe(status);
  const body = OpsErrorReply.parse(await response.json());
  expect(body.statusCode).toBe(status);
  expect(body.error).toMatch(pattern);
}

describe('GET /api/ops/logs: JSON entries', () => {
  it('demultiplexes stdout and stderr from the 8-byte frames', async () => {
    const { entries } = await logs('both');
    expect(entries.map((e) => [e.stream, e.message])).toEqual([
      ['stdout', 'out'],
      ['stderr', 'err'],
    ]);
    for (const e of entries) {
      expect(e.service).toBe('both');
      // ISO 8601 UTC with milliseconds, whatever precision the engine gave (podman: whole seconds).
      expect(e.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Math.abs(Date.now() - Date.parse(e.ts))).toBeLessThan(120_000);
    }
  });

  it('detects levels: JSON fields, level=, [warn], glog, upper-case words; none for a plain line', async () => {
    const { entries } = await logs('shop-backend-1');
    const level = (text: string) => entries.find((e) => e.message.includes(text))?.level;
    expect(level('database is down')).toBe('error');
    expect(level('msg=started')).toBe('info');
    expect(level('disk almost full')).toBe('warn');
    expect(level('glog says no')).toBe('error');
    expect(level('payment failed')).toBe('error');
    expect(level('gcp style')).toBe('debug');
    expect(level('just a plain line')).toBeNull();
    expect(entries.find((e) => e.message.includes('disk almost full'))!.stream).toBe('stderr');
    expect(entries.find((e) => e.message.includes('database is down'))!.stream).toBe('stdout');
  });

  it('handles a container with a TTY (raw stream, all stdout, no carriage returns)', async () => {
    const { entries } = await logs('tty-app');
    expect(entries.map((e) => e.message)).toEqual(['tty line', 'tty [error] to stderr']);
    expect(entries.every((e) => e.stream === 'stdout')).toBe(true);
    expect(entries[1]!.level).toBe('error');
  });

  it('a compose service means all its replicas, merged by time; a container name means that container', async () => {
    const service = await logs('backend');
    expect(service.service).toBe('backend');
    expect(service.entries.some((e) => e.message === 'replica two says hi')).toBe(true);
    expect(service.entries.some((e) => e.message.includes('database is down'))).toBe(true);
    expect(service.entries.every((e) => e.service === 'backend')).toBe(true);
    const sorted = [...service.entries].map((e) => e.ts).sort();
    expect(service.entries.map((e) => e.ts)).toEqual(sorted);
    const one = await logs('shop-backend-2');
    expect(one.entries.map((e) => e.message)).toEqual(['replica two says hi']);
  });

  it('tail: the last N lines, 200 by default, capped at 5000 with a header saying so', async () => {
    expect((await logs('counter', '&tail=3')).entries.map((e) => e.message)).toEqual(['5998', '5999', '6000']);
    expect((await logs('counter')).entries).toHaveLength(200);
    const capped = await fx.get('/api/ops/logs?service=counter&tail=100000');
    expect(capped.headers.get('x-tail-capped')).toBe('5000');
    const body = OpsLogs.parse(await capped.json());
    expect(body.entries).toHaveLength(5000);
    expect(body.entries[0]!.message).toBe('1001');
    expect((await logs('counter', '&tail=all')).entries).toHaveLength(5000);
  });

  it('since: durations and ISO times cut the lines', async () => {
    const all = (await logs('timed', '&since=10m')).entries;
    expect(all.map((e) => e.message)).toEqual(['early', 'late']);
    const early = Date.parse(all[0]!.ts);
    const late = Date.parse(all[1]!.ts);
    expect(late - early).toBeGreaterThanOrEqual(1_000);
    const cut = new Date(early + 1_000).toISOString();
    expect((await logs('timed', `&since=${encodeURIComponent(cut)}`)).entries.map((e) => e.message)).toEqual(['late']);
    expect((await logs('timed', `&since=${Math.floor((early + 1_000) / 1000)}`)).entries.map((e) => e.message)).toEqual(['late']);
  });
});

describe('GET /api/ops/logs: plain text', () => {
  it('passes the text through', async () => {
    const response = await fx.get('/api/ops/logs?service=both&format=plain');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('out\nerr\n');
  });

  it('prefixes lines with the container name when a service has several', async () => {
    const text = await (await fx.get('/api/ops/logs?service=backend&format=plain')).text();
    expect(text).toMatch(/^shop-backend-2 \| replica two says hi$/m);
    expect(text).toMatch(/^shop-backend-1 \| just a plain line$/m);
  });
});

describe('GET /api/ops/logs: errors', () => {
  it('an unknown service is 404 naming the known ones', async () => {
    await expectError(await fx.get('/api/ops/logs?service=nope'), 404, /no service or container called "nope"; known services: backend, both, counter, timed, tty-app\./);
  });

  it('a missing service, a bad tail, since or format is 400', async () => {
    await expectError(await fx.get('/api/ops/logs'), 400, /Name a service/);
    await expectError(await fx.get('/api/ops/logs?service=both&tail=ten'), 400, /tail=ten is not a positive whole number/);
    await expectError(await fx.get('/api/ops/logs?service=both&tail=0'), 400, /tail=0/);
    await expectError(await fx.get('/api/ops/logs?service=both&since=last-week'), 400, /since=last-week/);
    await expectError(await fx.get('/api/ops/logs?service=both&format=xml'), 400, /format=xml is not one of json, plain/);
    await expectError(await fx.get('/api/ops/logs?service=both&service=counter'), 400, /Give service once/);
  });
});
