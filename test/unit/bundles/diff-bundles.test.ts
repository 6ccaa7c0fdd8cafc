/**
 * diffBundles over two bundles held in memory (the reader's interface over a map of files): each
 * part of the diff — deployed SHA, images, containers, health, migrations, probes, error lines,
 * frontend errors, configuration — and the rule that a value redacted on both sides is no change.
 */
import { describe, expect, it } from 'vitest';
import { diffBundles } from '../../../main/services/bundles/bundle-diff';
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';
import { REDACTED } from '../../../node/redact/redactor';
import { memoryAgentBundle, memoryBundle, type MemoryBundleInput } from './diff-memory-bundle';

const T_A = '2026-11-26T12:00:00.000Z';
const T_B = '2026-11-26T14:00:00.000Z';

function diff(a: OpenedBundle, b: OpenedBundle) {
  return diffBundles({ id: 'a.tar.gz', bundle: a }, { id: 'b.tar.gz', bundle: b });
}

interface ContainerInput {
  name: string;
  service?: string | null;
  image?: string;
  id?: string;
  health?: string;
  restartCount?: number;
  startedAt?: string;
  digest?: string | null;
  env?: string[];
  labels?: Record<string, string>;
}

/** A Docker context as the collector writes it: the overview's summaries plus per-container facts. */
function dockerContext(containers: ContainerInput[]) {
  const summaries = containers.map((c) => ({
    id: c.id ?? `id-${c.name}`,
    name: c.name,
    project: c.service ? 'shop' : null,
    service: c.service ?? null,
    state: 'running',
    health: c.health ?? 'none',
    image: c.image ?? 'local/busybox:latest',
    createdAt: null,
    startedAt: c.startedAt ?? '2026-11-26T10:00:00.000Z',
    restartCount: c.restartCount ?? 0,
    cpuPercent: null,
    memoryBytes: null,
    memoryLimitBytes: null,
  }));
  return {
    kind: 'docker',
    overview: {
      targetId: 't1',
      fetchedAt: T_A,
      engine: {
        version: '4.3.1',
        apiVersion: '1.41',
        os: 'linux',
        kernel: '6',
        arch: 'amd64',
        hostname: 'h',
        cpus: 2,
        memoryBytes: 1,
      },
      projects: [
        {
          project: 'shop',
          services: summaries.filter((s) => s.service).map((s) => ({ service: s.service, containers: [s] })),
        },
      ],
      ungrouped: summaries.filter((s) => !s.service),
    },
    containers: containers.map((c) => ({
      name: c.name,
      service: c.service ?? null,
      image: c.image ?? 'local/busybox:latest',
      // As the collector writes them: the registry digest, else the image id ('' when inspect failed).
      imageId: c.digest === undefined ? 'sha256:1111' : '',
      imageDigest: c.digest === undefined ? null : c.digest,
      imageTags: [],
      health: c.health ?? 'none',
      restartCount: c.restartCount ?? 0,
      startedAt: c.startedAt ?? '2026-11-26T10:00:00.000Z',
      labels: {
        ...(c.service ? { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': c.service } : {}),
        ...c.labels,
      },
      env: c.env ?? ['PATH=/bin'],
    })),
  };
}

function opsContext(
  deploy: { gitSha: string; imageTags: Record<string, string> },
  migrations: string,
  containers: { name: string; restarts: number; health: string }[],
) {
  const ok = <T>(data: T) => ({ ok: true, data });
  return {
    generatedAt: T_A,
    host: ok({ name: 'h', uptimeSeconds: 1, load: [0], disk: [] }),
    deploy: ok({ ...deploy, branch: 'main', deployedAt: T_A, sources: ['env'] }),
    migrations: ok({ command: 'npm run migrate:status', exitCode: 0, output: migrations, ranAt: T_A }),
    docker: ok({
      containers: containers.map((c) => ({
        id: `id-${c.name}`,
        service: c.name,
        project: 'shop',
        image: 'x',
        state: 'running',
        ...c,
      })),
    }),
    frontend: ok({ lastBuildHash: null, errorsLastHour: 0, errorsLastDay: 0, lastErrorAt: null }),
    alerts: ok([]),
  };
}

const quiet = (extra: Partial<MemoryBundleInput> = {}): MemoryBundleInput => ({
  context: dockerContext([{ name: 'shop-api-1', service: 'api' }]),
  ...extra,
});

describe('diffBundles: a Docker deploy', () => {
  it('reports the new image, the recreated container, containers added and removed, and health', async () => {
    const before = memoryBundle({
      created: T_A,
      context: dockerContext([
        {
          name: 'shop-api-1',
          service: 'api',
          image: 'localhost/shop/backend:v1',
          id: 'c1',
          startedAt: '2026-11-26T10:00:00Z',
          digest: 'sha256:aaaa',
        },
        { name: 'shop-web-1', service: 'web', health: 'healthy', restartCount: 1 },
        { name: 'shop-worker-1', service: 'worker' },
      ]),
    });
    const after = memoryBundle({
      created: T_B,
      context: dockerContext([
        {
          name: 'shop-api-1',
          service: 'api',
          image: 'localhost/shop/backend:v2',
          id: 'c2',
          startedAt: '2026-11-26T13:00:00Z',
          digest: 'sha256:bbbb',
        },
        { name: 'shop-web-1', service: 'web', health: 'unhealthy', restartCount: 3 },
        { name: 'shop-cache-1', service: 'cache' },
      ]),
    });
    const result = await diff(before, after);
    expect(result.a).toEqual({ id: 'a.tar.gz', created: T_A });
    expect(result.b).toEqual({ id: 'b.tar.gz', created: T_B });
    expect(result.images).toEqual([
      {
        service: 'api',
        before: 'localhost/shop/backend:v1',
        after: 'localhost/shop/backend:v2',
        digestBefore: 'sha256:aaaa',
        digestAfter: 'sha256:bbbb',
      },
      { service: 'cache', before: null, after: 'local/busybox:latest', digestBefore: null, digestAfter: 'sha256:1111' },
      {
        service: 'worker',
        before: 'local/busybox:latest',
        after: null,
        digestBefore: 'sha256:1111',
        digestAfter: null,
      },
    ]);
    expect(result.containers).toEqual({
      added: ['shop-cache-1'],
      removed: ['shop-worker-1'],
      restarted: [
        { name: 'shop-api-1', before: 0, after: 0 },
        { name: 'shop-web-1', before: 1, after: 3 },
      ],
      health: [{ name: 'shop-web-1', before: 'healthy', after: 'unhealthy' }],
    });
    expect(result.deployedSha).toBeNull();
    expect(result.migrations).toBeNull();
    expect(result.config).toEqual([]);
    expect(result.same).toBe(false);
  });

  it('lists a tag that moved to another image by its digest, but not a digest only one side could read', async () => {
    const moved = await diff(
      memoryBundle({
        context: dockerContext([
          { name: 'shop-api-1', service: 'api', image: 'backend:latest', digest: 'sha256:aaaa' },
        ]),
      }),
      memoryBundle({
        context: dockerContext([
          { name: 'shop-api-1', service: 'api', image: 'backend:latest', digest: 'sha256:bbbb' },
        ]),
      }),
    );
    expect(moved.images).toEqual([
      {
        service: 'api',
        before: 'backend:latest',
        after: 'backend:latest',
        digestBefore: 'sha256:aaaa',
        digestAfter: 'sha256:bbbb',
      },
    ]);
    const unknown = await diff(
      memoryBundle({
        context: dockerContext([{ name: 'shop-api-1', service: 'api', image: 'backend:latest', digest: null }]),
      }),
      memoryBundle({
        context: dockerContext([
          { name: 'shop-api-1', service: 'api', image: 'backend:latest', digest: 'sha256:bbbb' },
        ]),
      }),
    );
    expect(unknown.images).toEqual([]);
    expect(unknown.same).toBe(true);
  });

  it('takes the deployed revision from the image revision label when there is no ops API', async () => {
    const revision = (rev: string) =>
      dockerContext([{ name: 'shop-api-1', service: 'api', labels: { 'org.opencontainers.image.revision': rev } }]);
    const result = await diff(
      memoryBundle({ context: revision('rev-1') }),
      memoryBundle({ context: revision('rev-2') }),
    );
    expect(result.deployedSha).toEqual({ before: 'rev-1', after: 'rev-2' });
    expect(result.config).toEqual([
      { key: 'shop-api-1 label org.opencontainers.image.revision', before: 'rev-1', after: 'rev-2' },
    ]);
  });

  it('is the same for two bundles of an unchanged target', async () => {
    const context = dockerContext([
      {
        name: 'shop-api-1',
        service: 'api',
        image: 'localhost/shop/backend:v1',
        env: ['API_TOKEN=[redacted]', 'PORT=8080'],
      },
      { name: 'adhoc', service: null },
    ]);
    const result = await diff(memoryBundle({ created: T_A, context }), memoryBundle({ created: T_B, context }));
    expect(result).toMatchObject({
      deployedSha: null,
      images: [],
      containers: { added: [], removed: [], restarted: [], health: [] },
      migrations: null,
      probes: [],
      errors: [],
      frontendErrors: { new: [], gone: [] },
      config: [],
      same: true,
    });
  });
});

describe('diffBundles: configuration and redacted values', () => {
  const withEnv = (env: string[], labels: Record<string, string> = {}) =>
    memoryBundle({ context: dockerContext([{ name: 'shop-api-1', service: 'api', env, labels }]) });

  it('does not call a value redacted on both sides a change — whether or not the secret changed', async () => {
    const result = await diff(
      withEnv(['DB_PASSWORD=[redacted]', 'DATABASE_URL=postgres://app:[redacted]@db-1/shop', 'PORT=8080']),
      withEnv(['DB_PASSWORD=[redacted]', 'DATABASE_URL=postgres://app:[redacted]@db-2/shop', 'PORT=8080']),
    );
    expect(result.config).toEqual([]);
    expect(result.same).toBe(true);
  });

  it('reports keys added, removed and plainly changed, and a value redacted on one side only', async () => {
    const result = await diff(
      withEnv(['PORT=8080', 'OLD_FLAG=1', 'API_KEY=[redacted]', 'MODE=plain'], { tier: 'a' }),
      withEnv(['PORT=9090', 'NEW_FLAG=1', 'MODE=[redacted]'], { tier: 'b' }),
    );
    expect(result.config).toEqual([
      { key: 'shop-api-1 env API_KEY', before: REDACTED, after: null },
      { key: 'shop-api-1 env MODE', before: 'plain', after: REDACTED },
      { key: 'shop-api-1 env NEW_FLAG', before: null, after: '1' },
      { key: 'shop-api-1 env OLD_FLAG', before: '1', after: null },
      { key: 'shop-api-1 env PORT', before: '8080', after: '9090' },
      { key: 'shop-api-1 label tier', before: 'a', after: 'b' },
    ]);
    expect(result.same).toBe(false);
  });

  it('compares configuration only of containers in both bundles (a new container is "added", not a list of new keys)', async () => {
    const result = await diff(
      memoryBundle({ context: dockerContext([{ name: 'shop-api-1', service: 'api' }]) }),
      memoryBundle({
        context: dockerContext([
          { name: 'shop-api-1', service: 'api' },
          { name: 'shop-new-1', service: 'new', env: ['X=1'] },
        ]),
      }),
    );
    expect(result.config).toEqual([]);
    expect(result.containers.added).toEqual(['shop-new-1']);
  });
});

describe('diffBundles: an ops API target', () => {
  it('reports the deployed SHA, image tags, migrations and containers from the ops context', async () => {
    const before = memoryBundle({
      context: opsContext(
        { gitSha: 'abc1234', imageTags: { api: 'shop/api:1.4.0', web: 'shop/web:2.0.0' } },
        'applied 001_users\napplied 002_orders\n',
        [{ name: 'api', restarts: 0, health: 'healthy' }],
      ),
    });
    const after = memoryBundle({
      context: opsContext(
        { gitSha: 'def5678', imageTags: { api: 'shop/api:1.5.0', web: 'shop/web:2.0.0' } },
        'applied 001_users\napplied 002_orders\napplied 003_refunds',
        [{ name: 'api', restarts: 2, health: 'unhealthy' }],
      ),
    });
    const result = await diff(before, after);
    expect(result.deployedSha).toEqual({ before: 'abc1234', after: 'def5678' });
    expect(result.images).toEqual([
      { service: 'api', before: 'shop/api:1.4.0', after: 'shop/api:1.5.0', digestBefore: null, digestAfter: null },
    ]);
    expect(result.migrations).toEqual({ added: ['applied 003_refunds'], removed: [] });
    expect(result.containers.restarted).toEqual([{ name: 'api', before: 0, after: 2 }]);
    expect(result.containers.health).toEqual([{ name: 'api', before: 'healthy', after: 'unhealthy' }]);
  });

  it('names no SHA change when the deploy section could not be read on one side, and no migrations without both sections', async () => {
    const failed = {
      ...opsContext({ gitSha: 'abc1234', imageTags: {} }, 'x', []),
      deploy: { ok: false, error: 'no deploy info' },
      migrations: { ok: false, error: 'x' },
    };
    const result = await diff(memoryBundle({ context: failed }), memoryBundle({ context: failed }));
    expect(result.deployedSha).toBeNull();
    expect(result.migrations).toBeNull();
    expect(result.same).toBe(true);
  });
});

describe('diffBundles: error lines', () => {
  const line = (message: string, extra: Record<string, unknown> = {}) => ({ message, service: 'api', ...extra });

  it('gives each service its error rate over each window and the message groups that are new', async () => {
    const before = memoryBundle({
      ...quiet(),
      window: { from: '2026-11-26T11:00:00Z', to: '2026-11-26T12:00:00Z' },
      logs: {
        'shop-api-1': [
          ...Array.from({ length: 120 }, (_, i) => line(`ERROR cache miss for key "user:${i}"`)),
          ...Array.from({ length: 50 }, (_, i) => line(`GET /orders/${i} 200`)),
        ],
        'shop-worker-1': [line('job 3 ok', { service: null, container: 'shop-worker-1' })],
      },
    });
    const after = memoryBundle({
      ...quiet(),
      window: { from: '2026-11-26T13:30:00Z', to: '2026-11-26T14:00:00Z' },
      logs: {
        'shop-api-1': [
          ...Array.from({ length: 6 }, (_, i) => line(`ERROR cache miss for key "user:${i + 500}"`)),
          ...Array.from({ length: 8 }, (_, i) => line(`Error: connect ECONNREFUSED 10.0.0.${i}:5432`)),
          line('payment 4f1c2a9e-0b7d-4e8a-9c3f-1d2e3f4a5b6c declined', { level: 'error' }),
        ],
        'shop-worker-1': [
          line('job 17 failed: fatal: out of memory', { service: null, container: 'shop-worker-1' }),
          line('job 18 ok', { service: null }),
        ],
      },
    });
    const result = await diff(before, after);
    expect(result.errors).toEqual([
      {
        service: 'api',
        ratePerMinBefore: 2,
        ratePerMinAfter: 0.5,
        newMessages: [
          { message: 'Error: connect ECONNREFUSED <ip>', count: 8 },
          { message: 'payment <uuid> declined', count: 1 },
        ],
      },
      {
        service: 'shop-worker-1',
        ratePerMinBefore: 0,
        ratePerMinAfter: 0.03,
        newMessages: [{ message: 'job <n> failed: fatal: out of memory', count: 1 }],
      },
    ]);
    expect(result.same).toBe(false);
  });

  it('keeps the 20 biggest new groups, biggest first', async () => {
    const many = Array.from({ length: 25 }, (_, g) =>
      Array.from({ length: g + 1 }, () => line(`error kind-${String.fromCharCode(97 + g)}`)),
    ).flat();
    const result = await diff(
      memoryBundle({ ...quiet(), logs: { api: [line('started')] } }),
      memoryBundle({ ...quiet(), logs: { api: many } }),
    );
    const messages = result.errors[0]!.newMessages;
    expect(messages).toHaveLength(20);
    expect(messages[0]).toEqual({ message: 'error kind-y', count: 25 });
    expect(messages[19]).toEqual({ message: 'error kind-f', count: 6 });
  });

  it('shows a rate that moved without a new kind of message, and is still the same', async () => {
    const errors = (n: number) => Array.from({ length: n }, (_, i) => line(`error timeout after ${i} ms`));
    const result = await diff(
      memoryBundle({ ...quiet(), logs: { api: errors(60) } }),
      memoryBundle({ ...quiet(), logs: { api: errors(90) } }),
    );
    expect(result.errors).toEqual([{ service: 'api', ratePerMinBefore: 1, ratePerMinAfter: 1.5, newMessages: [] }]);
    expect(result.same).toBe(true);
  });

  it('names no message "new" for a service the first bundle holds no lines of', async () => {
    const result = await diff(
      memoryBundle({ ...quiet(), logs: { web: [line('GET / 200', { service: 'web' })] } }),
      memoryBundle({
        ...quiet(),
        logs: { api: [line('error boom')], web: [line('error: no route', { service: 'web' })] },
      }),
    );
    expect(result.errors).toEqual([
      { service: 'api', ratePerMinBefore: 0, ratePerMinAfter: 0.02, newMessages: [] },
      {
        service: 'web',
        ratePerMinBefore: 0,
        ratePerMinAfter: 0.02,
        newMessages: [{ message: 'error: no route', count: 1 }],
      },
    ]);
  });

  it('names no message "new" when the first bundle holds no logs at all', async () => {
    const result = await diff(memoryBundle(quiet()), memoryBundle({ ...quiet(), logs: { api: [line('error boom')] } }));
    expect(result.errors).toEqual([{ service: 'api', ratePerMinBefore: 0, ratePerMinAfter: 0.02, newMessages: [] }]);
  });
});

describe('diffBundles: probes and frontend errors', () => {
  const result = (probeId: string, status: string, finishedAt: string) => ({
    id: 1,
    probeId,
    status,
    startedAt: finishedAt,
    finishedAt,
    error: null,
  });
  const summary = (id: string, name: string) => ({
    probe: { id, name, kind: 'http', scope: 'api' },
    status: 'ok',
    lastResult: null,
  });

  it('compares each probe by its latest result in each bundle', async () => {
    const before = memoryBundle({
      ...quiet(),
      probes: {
        probes: [summary('p-stripe', 'Stripe API'), summary('p-db', 'Database')],
        results: [
          result('p-stripe', 'fail', '2026-11-26T11:10:00Z'),
          result('p-stripe', 'ok', '2026-11-26T11:50:00Z'),
          result('p-db', 'ok', '2026-11-26T11:50:00Z'),
        ],
      },
    });
    const after = memoryBundle({
      ...quiet(),
      probes: {
        probes: [summary('p-stripe', 'Stripe API'), summary('p-db', 'Database'), summary('p-mail', 'Mail')],
        results: [
          result('p-stripe', 'fail', '2026-11-26T13:55:00Z'),
          result('p-stripe', 'ok', '2026-11-26T13:20:00Z'),
          result('p-db', 'ok', '2026-11-26T13:50:00Z'),
          result('p-mail', 'warn', '2026-11-26T13:50:00Z'),
        ],
      },
    });
    const diffed = await diff(before, after);
    expect(diffed.probes).toEqual([
      { probe: 'Mail', before: null, after: 'warn' },
      { probe: 'Stripe API', before: 'ok', after: 'fail' },
    ]);
  });

  it("reads the collector's probes.json: each probe with its definition and its results of the window", async () => {
    const entry = (id: string, name: string, results: ReturnType<typeof result>[]) => ({
      probe: { id, name, kind: 'http', scope: 'api', check: 'health', settings: {} },
      origin: { kind: 'local' },
      status: 'ok',
      results,
    });
    const before = memoryBundle({
      ...quiet(),
      probes: { probes: [entry('p-api', 'API health', [result('p-api', 'ok', '2026-11-26T11:59:00Z')])] },
    });
    const after = memoryBundle({
      ...quiet(),
      probes: {
        probes: [
          entry('p-api', 'API health', [
            result('p-api', 'ok', '2026-11-26T13:01:00Z'),
            result('p-api', 'fail', '2026-11-26T13:59:00Z'),
          ]),
        ],
      },
    });
    expect((await diff(before, after)).probes).toEqual([{ probe: 'API health', before: 'ok', after: 'fail' }]);
  });

  it('claims nothing about probes when one bundle has no probe section', async () => {
    const diffed = await diff(
      memoryBundle(quiet()),
      memoryBundle({ ...quiet(), probes: { results: [result('p', 'fail', T_B)] } }),
    );
    expect(diffed.probes).toEqual([]);
  });

  it('lists frontend error groups new in the second bundle and gone from it, counting folded errors', async () => {
    const error = (message: string, count = 1) => ({
      id: 1,
      receivedAt: T_A,
      buildHash: null,
      route: '/cart',
      message,
      stack: null,
      browser: null,
      wsState: null,
      kind: 'onerror',
      count,
    });
    const before = memoryBundle({
      ...quiet(),
      frontendErrors: {
        groups: [{ message: 'ignored: raw wins', count: 99 }],
        raw: [error('TypeError: x is undefined at line 12'), error('ChunkLoadError: chunk 7 failed', 4)],
      },
    });
    const after = memoryBundle({
      ...quiet(),
      frontendErrors: {
        raw: [
          error('TypeError: x is undefined at line 14', 2),
          error('Failed to fetch /api/cart/991'),
          error('Failed to fetch /api/cart/12', 3),
        ],
      },
    });
    const diffed = await diff(before, after);
    expect(diffed.frontendErrors).toEqual({
      new: [{ message: 'Failed to fetch /api/cart/<n>', count: 4 }],
      gone: [{ message: 'ChunkLoadError: chunk <n> failed', count: 4 }],
    });
  });
});

describe('diffBundles: agent bundles', () => {
  it('reads an agent bundle through its JSON when the reader lists no section files', async () => {
    const context = opsContext({ gitSha: 'abc1234', imageTags: { api: 'shop/api:1.4.0' } }, 'applied 001', [
      { name: 'api', restarts: 0, health: 'healthy' },
    ]);
    const agent = memoryAgentBundle({
      format: 'control-room-agent-bundle',
      version: 1,
      generatedAt: T_A,
      agent: { version: '1.0.0', host: 'h' },
      context,
      logs: {
        api: {
          entries: [
            { ts: '2026-11-26T11:00:00Z', service: 'api', stream: 'stderr', level: 'error', message: 'db down' },
          ],
        },
        web: { error: 'no such container' },
      },
      frontendErrors: [],
      redactions: 0,
    });
    const later = memoryBundle({
      created: T_B,
      context: opsContext({ gitSha: 'def5678', imageTags: { api: 'shop/api:1.5.0' } }, 'applied 001', [
        { name: 'api', restarts: 0, health: 'healthy' },
      ]),
      logs: {
        api: [
          { service: 'api', level: 'error', message: 'db down' },
          { service: 'api', level: 'error', message: 'disk full' },
        ],
      },
      frontendErrors: [],
    });
    const result = await diffBundles({ id: 'agent.json.gz', bundle: agent }, { id: 'b.tar.gz', bundle: later });
    expect(result.a).toEqual({ id: 'agent.json.gz', created: T_A });
    expect(result.deployedSha).toEqual({ before: 'abc1234', after: 'def5678' });
    expect(result.images).toEqual([
      { service: 'api', before: 'shop/api:1.4.0', after: 'shop/api:1.5.0', digestBefore: null, digestAfter: null },
    ]);
    expect(result.errors).toEqual([
      { service: 'api', ratePerMinBefore: 1, ratePerMinAfter: 0.03, newMessages: [{ message: 'disk full', count: 1 }] },
    ]);
    expect(result.migrations).toEqual({ added: [], removed: [] });
  });

  it('reads the virtual files a reader maps an agent bundle to', async () => {
    const files = new Map([
      ['context.json', JSON.stringify(opsContext({ gitSha: 'abc1234', imageTags: {} }, '', []))],
      [
        'logs/api.ndjson',
        `${JSON.stringify({ ts: T_A, service: 'api', stream: 'stdout', level: null, message: 'Error: boom 1' })}\n`,
      ],
      ['frontend-errors.json', JSON.stringify([{ message: 'TypeError: a', count: 1 }])],
    ]);
    const agent = memoryAgentBundle({ format: 'control-room-agent-bundle', generatedAt: T_A }, files);
    const other = memoryAgentBundle(
      { format: 'control-room-agent-bundle', generatedAt: T_B },
      new Map([
        ...files,
        ['frontend-errors.json', JSON.stringify({ errors: [{ message: 'TypeError: b', count: 2 }] })],
      ]),
    );
    const result = await diffBundles({ id: 'one.json.gz', bundle: agent }, { id: 'two.json.gz', bundle: other });
    expect(result.frontendErrors).toEqual({
      new: [{ message: 'TypeError: b', count: 2 }],
      gone: [{ message: 'TypeError: a', count: 1 }],
    });
    expect(result.errors).toEqual([{ service: 'api', ratePerMinBefore: 1, ratePerMinAfter: 1, newMessages: [] }]);
    expect(result.b.created).toBe(T_B);
  });
});
