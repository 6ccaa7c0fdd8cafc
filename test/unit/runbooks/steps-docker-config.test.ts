/**
 * The pure parts of the docker step: image references, and the create request a recreate makes
 * from the old container's inspect (what is carried over, what is left to the new image).
 */
import type { ContainerInspectInfo, ImageInspectInfo } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { creationOf } from '../../../main/services/runbooks/steps/docker-recreate';
import { parseImageRef, wantedImage } from '../../../main/services/runbooks/steps/image-ref';

describe('image references', () => {
  it('split at the last colon after the last slash, with latest when there is no tag', () => {
    expect(parseImageRef('localhost:5000/shop/backend:v2')).toEqual({ repository: 'localhost:5000/shop/backend', tag: 'v2' });
    expect(parseImageRef('localhost:5000/shop/backend')).toEqual({ repository: 'localhost:5000/shop/backend', tag: 'latest' });
    expect(parseImageRef('nginx')).toEqual({ repository: 'nginx', tag: 'latest' });
    expect(parseImageRef('ghcr.io/acme/api@sha256:abc')).toEqual({ repository: 'ghcr.io/acme/api', tag: '' });
  });

  it('a recreate takes image as given, or keeps the repository with a new tag', () => {
    expect(wantedImage({ image: 'shop/backend:v3' }, 'shop/backend:v1')).toBe('shop/backend:v3');
    expect(wantedImage({ tag: ' v2 ' }, 'registry:5000/shop/backend:v1')).toBe('registry:5000/shop/backend:v2');
    expect(wantedImage({}, 'shop/backend:v1')).toBeNull();
    expect(wantedImage({ tag: 'v2' }, null)).toBeNull();
  });
});

const OLD_ID = 'abcdef0123456789'.repeat(4);

function inspected(overrides: { networkMode?: string; networks?: Record<string, object> } = {}): ContainerInspectInfo {
  return {
    Id: OLD_ID,
    Name: '/shop-api-1',
    Image: 'sha256:old',
    State: { Running: true, Status: 'running' },
    Config: {
      Image: 'shop/backend:v1',
      Env: ['PATH=/usr/bin:/bin', 'VERSION=1', 'APP_MODE=prod', 'DATABASE_URL=postgres://db/shop'],
      Labels: { 'com.docker.compose.service': 'api', 'org.opencontainers.image.revision': 'rev-1', maintainer: 'ops' },
      Cmd: ['node', 'server.js'],
      Entrypoint: ['/entry.sh'],
      WorkingDir: '/app',
      User: 'node',
      ExposedPorts: { '8080/tcp': {} },
      Healthcheck: { Test: ['CMD', 'wget', '-q', 'localhost:8080/health'], Interval: 5e9 },
      Tty: false,
    },
    HostConfig: {
      NetworkMode: overrides.networkMode ?? 'shop_default',
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      Binds: ['shop_data:/data'],
      PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '8080' }] },
      Ulimits: [{ Name: 'RLIMIT_NOFILE', Soft: 1024, Hard: 4096 }],
    },
    NetworkSettings: {
      Networks: overrides.networks ?? {
        shop_default: { Aliases: ['shop-api-1', 'api', OLD_ID.slice(0, 12)], IPAMConfig: null, Links: null },
      },
    },
  } as unknown as ContainerInspectInfo;
}

const OLD_IMAGE = {
  Id: 'sha256:old',
  Config: {
    Env: ['PATH=/usr/bin:/bin', 'VERSION=1'],
    Labels: { 'org.opencontainers.image.revision': 'rev-1', maintainer: 'someone else' },
    Cmd: ['node', 'server.js'],
    Entrypoint: ['/entry.sh'],
    WorkingDir: '/srv',
    ExposedPorts: { '8080/tcp': {} },
  },
} as unknown as ImageInspectInfo;

describe('the create request of a recreate', () => {
  it('keeps what the container set and leaves to the new image what the old image set', () => {
    const { body } = creationOf(inspected(), 'shop/backend:v2', OLD_IMAGE);
    expect(body.Image).toBe('shop/backend:v2');
    expect(body.Env).toEqual(['APP_MODE=prod', 'DATABASE_URL=postgres://db/shop']);
    // A label the container set to its own value stays, even when the image has that key.
    expect(body.Labels).toEqual({ 'com.docker.compose.service': 'api', maintainer: 'ops' });
    expect(body).not.toHaveProperty('Cmd');
    expect(body).not.toHaveProperty('Entrypoint');
    expect(body).not.toHaveProperty('ExposedPorts');
    expect(body).toMatchObject({ WorkingDir: '/app', User: 'node', Healthcheck: { Test: ['CMD', 'wget', '-q', 'localhost:8080/health'] } });
  });

  it('keeps everything when the old image is gone', () => {
    const { body } = creationOf(inspected(), 'shop/backend:v2', null);
    expect(body).toMatchObject({ Cmd: ['node', 'server.js'], Entrypoint: ['/entry.sh'], ExposedPorts: { '8080/tcp': {} } });
    expect(body.Env).toContain('VERSION=1');
  });

  it('carries the host configuration over, ulimits in the names create accepts', () => {
    const { body } = creationOf(inspected(), 'shop/backend:v2', OLD_IMAGE);
    expect(body.HostConfig).toMatchObject({
      RestartPolicy: { Name: 'unless-stopped' },
      Binds: ['shop_data:/data'],
      PortBindings: { '8080/tcp': [{ HostPort: '8080' }] },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }],
    });
  });

  it('joins the user networks with their aliases (not the old short id): one at create, the rest before the start', () => {
    const { body, extraNetworks } = creationOf(
      inspected({
        networks: {
          shop_default: { Aliases: ['api', OLD_ID.slice(0, 12)] },
          monitoring: { Aliases: ['api-metrics'], IPAMConfig: { IPv4Address: '10.0.9.5' } },
        },
      }),
      'shop/backend:v2',
      OLD_IMAGE,
    );
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { shop_default: { Aliases: ['api'] } } });
    expect(extraNetworks).toEqual([['monitoring', { Aliases: ['api-metrics'], IPAMConfig: { IPv4Address: '10.0.9.5' } }]]);
  });

  it('leaves a container on a built-in network to its network mode', () => {
    const { body, extraNetworks } = creationOf(inspected({ networkMode: 'bridge', networks: { bridge: { Aliases: null } } }), 'x:v2', OLD_IMAGE);
    expect(body).not.toHaveProperty('NetworkingConfig');
    expect(extraNetworks).toEqual([]);
  });
});
