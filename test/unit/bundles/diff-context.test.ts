/**
 * How the diff reads a bundle's context.json: containers found wherever the context lists them and
 * merged by name (an overview's summary, then the detailed facts), the deployed SHA from the ops
 * API or the image revision label, the migrations output as lines.
 */
import { describe, expect, it } from 'vitest';
import { contextFacts } from '../../../main/services/bundles/diff-context';

describe('contextFacts', () => {
  it('merges a container summary with its detailed facts, by name', () => {
    const facts = contextFacts({
      overview: {
        engine: { hostname: 'h', version: '4.3.1' },
        projects: [
          {
            project: 'shop',
            services: [
              {
                service: 'api',
                containers: [
                  {
                    id: 'c1',
                    name: 'shop-api-1',
                    service: 'api',
                    image: 'localhost/shop/backend:v1',
                    health: 'healthy',
                    restartCount: 2,
                    startedAt: 'S1',
                  },
                ],
              },
            ],
          },
        ],
        ungrouped: [
          {
            id: 'c9',
            name: 'adhoc',
            service: null,
            image: 'local/busybox:latest',
            health: 'none',
            restartCount: 0,
            startedAt: 'S9',
          },
        ],
      },
      containers: [
        {
          name: '/shop-api-1',
          image: 'localhost/shop/backend',
          tag: 'v1',
          imageId: 'sha256:abcd',
          labels: { 'com.docker.compose.service': 'api', 'org.opencontainers.image.revision': 'rev-1' },
          env: ['PATH=/bin', 'API_TOKEN=[redacted]', 'EMPTY'],
        },
      ],
    });
    expect(facts.deployedSha).toBe('rev-1');
    expect(facts.migrations).toBeNull();
    expect([...facts.containers.keys()]).toEqual(['shop-api-1', 'adhoc']);
    expect(facts.containers.get('shop-api-1')).toEqual({
      name: 'shop-api-1',
      id: 'c1',
      service: 'api',
      image: 'localhost/shop/backend:v1',
      digest: 'sha256:abcd',
      health: 'healthy',
      restartCount: 2,
      startedAt: 'S1',
      labels: { 'com.docker.compose.service': 'api', 'org.opencontainers.image.revision': 'rev-1' },
      env: { PATH: '/bin', API_TOKEN: '[redacted]', EMPTY: '' },
    });
    expect(facts.containers.get('adhoc')).toMatchObject({ service: null, env: null, labels: null, digest: null });
  });

  it('takes a registry digest over the image id, and an environment given as a record', () => {
    const facts = contextFacts({
      containers: [
        { name: 'a', image: 'r/x:1', repoDigests: ['r/x@sha256:feed'], imageId: 'sha256:beef', env: { A: '1' } },
      ],
    });
    expect(facts.containers.get('a')).toMatchObject({ image: 'r/x:1', digest: 'r/x@sha256:feed', env: { A: '1' } });
  });

  it('reads an ops API context, also when the collector wrapped it', () => {
    const ops = {
      deploy: { ok: true, data: { gitSha: 'abc1234', imageTags: { api: 'shop/api:1.4.0' } } },
      migrations: { ok: true, data: { output: '  applied 001_users \n\napplied 002_orders\napplied 002_orders\n' } },
      docker: {
        ok: true,
        data: {
          containers: [
            {
              id: 'x',
              name: 'api',
              service: 'api',
              image: 'shop/api:1.4.0',
              state: 'running',
              health: 'healthy',
              restarts: 3,
            },
          ],
        },
      },
    };
    for (const doc of [ops, { kind: 'ops-api', context: ops }]) {
      const facts = contextFacts(doc);
      expect(facts.deployedSha).toBe('abc1234');
      expect(facts.imageTags).toEqual({ api: 'shop/api:1.4.0' });
      expect(facts.migrations).toEqual(['applied 001_users', 'applied 002_orders']);
      expect(facts.containers.get('api')).toMatchObject({
        restartCount: 3,
        health: 'healthy',
        image: 'shop/api:1.4.0',
      });
    }
  });

  it('names every revision when the containers run different ones', () => {
    const facts = contextFacts({
      containers: [
        { name: 'a', image: 'x', labels: { 'org.opencontainers.image.revision': 'rev-2' } },
        { name: 'b', image: 'x', labels: { 'org.opencontainers.image.revision': 'rev-1' } },
      ],
    });
    expect(facts.deployedSha).toBe('rev-1, rev-2');
  });
});
