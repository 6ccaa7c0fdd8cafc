/**
 * Gatus import mapper over the fixtures: every endpoint type it claims (http(s), tcp, tls, dns)
 * becomes a draft the contract accepts; what it changes is said per item; the types it does not
 * support are skipped with a reason each; `${ENV}` becomes a keychain secret to fill.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mapGatusConfig } from '../../../shared/gatus-import';
import { ProbeDraft } from '../../../shared/model/probe';
import type { ProbeImportItem } from '../../../shared/model/probe-import';

const FIXTURES = join(__dirname, '../../fixtures/gatus');
const read = (name: string) => parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;
const byName = (items: ProbeImportItem[], name: string) => items.find((item) => item.name === name)!;

describe('a real-world Gatus config', () => {
  const plan = mapGatusConfig(read('config.yaml'), { existingNames: ['Postgres'] });

  it('maps every endpoint to a valid draft of its kind', () => {
    expect(plan.source).toBe('gatus');
    expect(plan.items.map((item) => [item.name, item.draft?.kind, item.outcome])).toEqual([
      ['website', 'http', 'adapted'],
      ['github-api', 'http', 'adapted'],
      ['orders-api', 'http', 'adapted'],
      ['spacex-graphql', 'http', 'adapted'],
      ['postgres', 'tcp', 'adapted'],
      ['shop certificate', 'tls', 'imported'],
      ['example-dns-query', 'dns', 'imported'],
      ['legacy-status', 'http', 'adapted'],
      ['office-gateway', undefined, 'skipped'],
    ]);
    for (const item of plan.items.filter((item) => item.draft))
      expect(ProbeDraft.safeParse(item.draft).success).toBe(true);
    expect(byName(plan.items, 'office-gateway').changes).toEqual([
      expect.stringMatching(/^ping \(ICMP\) needs raw-socket privileges/),
    ]);
  });

  it('keeps url, method, headers, body, conditions, interval, timeout and group as scope', () => {
    const orders = byName(plan.items, 'orders-api').draft!;
    expect(orders).toMatchObject({
      scope: 'backend',
      kind: 'http',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      retries: 0,
      settings: {
        method: 'POST',
        url: 'https://api.example.com/v1/orders/search',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': '{{secret.ORDERS_API_KEY}}' },
        body: '{"status": "open", "limit": 1}\n',
      },
      conditions: [
        { expression: '[STATUS] == any(200, 201)', severity: 'fail' },
        { expression: 'len([BODY].items) >= 0', severity: 'fail' },
      ],
    });
    const website = byName(plan.items, 'website').draft!;
    expect(website).toMatchObject({
      scope: 'core',
      intervalSeconds: 300,
      settings: { method: 'GET', url: 'https://twin.sh/health' },
    });
    expect(website.conditions.map((c) => c.expression)).toEqual([
      '[STATUS] == 200',
      '[BODY].status == UP',
      '[RESPONSE_TIME] < 300',
      '[CERTIFICATE_EXPIRATION] > 48h',
    ]);
    expect(byName(plan.items, 'github-api').draft).toMatchObject({ intervalSeconds: 30, timeoutSeconds: 5 });
  });

  it('maps tcp://, tls:// and dns endpoints to their kinds', () => {
    expect(byName(plan.items, 'postgres').draft).toMatchObject({
      kind: 'tcp',
      settings: { host: '10.0.0.12', port: 5432 },
      scope: 'database',
    });
    expect(byName(plan.items, 'shop certificate').draft).toMatchObject({
      kind: 'tls',
      settings: { host: 'shop.example.com', port: 443 },
      intervalSeconds: 3600,
    });
    expect(byName(plan.items, 'example-dns-query').draft).toMatchObject({
      kind: 'dns',
      settings: { server: '8.8.8.8', name: 'example.com', type: 'A' },
      conditions: [{ expression: '[BODY] == 93.184.215.14' }, { expression: '[DNS_RCODE] == NOERROR' }],
    });
  });

  it('turns ${ENV} and $ENV into keychain secrets the user must fill, saying which', () => {
    const github = byName(plan.items, 'github-api');
    expect(github.secrets).toEqual(['GITHUB_TOKEN']);
    expect(github.draft!.settings).toMatchObject({ headers: { Authorization: 'Bearer {{secret.GITHUB_TOKEN}}' } });
    expect(github.changes).toContain(
      '${GITHUB_TOKEN} in header Authorization is read from the keychain as secret GITHUB_TOKEN: fill it in.',
    );
    expect(byName(plan.items, 'orders-api').secrets).toEqual(['ORDERS_API_KEY']);
  });

  it('notes alert thresholds for the alert rules', () => {
    expect(byName(plan.items, 'website').alert).toEqual({
      failureThreshold: 3,
      successThreshold: 2,
      channels: ['slack'],
    });
    expect(byName(plan.items, 'orders-api').alert).toEqual({
      failureThreshold: 5,
      successThreshold: 3,
      channels: ['pagerduty'],
    });
    expect(byName(plan.items, 'postgres').alert).toBeNull();
    expect(plan.notes).toEqual([expect.stringContaining('Alerting providers (slack, pagerduty) are not imported')]);
  });

  it('says what it adapted: a taken name, a dropped condition, bounds, a disabled endpoint', () => {
    const postgres = byName(plan.items, 'postgres');
    expect(postgres.draft!.name).toBe('postgres (2)');
    expect(postgres.changes).toEqual(['A probe named "postgres" exists already: imported as "postgres (2)".']);
    const legacy = byName(plan.items, 'legacy-status');
    expect(legacy.draft).toMatchObject({ paused: true, intervalSeconds: 10, timeoutSeconds: 2, scope: 'gatus' });
    expect(legacy.draft!.conditions.map((c) => c.expression)).toEqual(['[STATUS] == 200']);
    expect(legacy.changes).toEqual([
      'client.insecure is dropped: probes always check certificates.',
      'interval 5s became 10s (probes take whole seconds, 10s to 604800s).',
      'client.timeout 1500ms became 2s (probes take whole seconds, 1s to 600s).',
      'Condition "[STATUS] = 200" dropped: it does not read (column 10: Use == to compare, not =).',
      'Condition "[DOMAIN_EXPIRATION] > 720h" dropped: it uses [DOMAIN_EXPIRATION], which an http probe does not report.',
      'Disabled in Gatus: imported paused.',
    ]);
    expect(byName(plan.items, 'spacex-graphql').draft!.settings).toMatchObject({
      body: JSON.stringify({ query: '{\n  launches(limit: 1) { mission_name }\n}\n' }),
      headers: { 'Content-Type': 'application/json' },
    });
  });
});

describe('Gatus endpoint types without a probe kind', () => {
  const plan = mapGatusConfig(read('unsupported.yaml'), { existingNames: [] });

  it('are skipped, each with its reason', () => {
    expect(plan.items.every((item) => item.outcome === 'skipped' && item.draft === null)).toBe(true);
    const reasons = Object.fromEntries(
      plan.items.map((item) => [`${item.name} (${item.sourceType})`, item.changes[0]]),
    );
    expect(Object.keys(reasons)).toEqual([
      'bastion (ssh)',
      'gateway-ping (icmp)',
      'syslog-udp (udp)',
      'sctp-endpoint (sctp)',
      'grpc-health (grpc)',
      'chat-websocket (wss)',
      'mail-starttls (starttls)',
      'options-check (https)',
      'nightly-backup (external)',
    ]);
    expect(reasons['bastion (ssh)']).toMatch(/Docker-over-SSH target/);
    expect(reasons['gateway-ping (icmp)']).toMatch(/raw-socket/);
    expect(reasons['syslog-udp (udp)']).toMatch(/UDP/);
    expect(reasons['sctp-endpoint (sctp)']).toMatch(/SCTP/);
    expect(reasons['grpc-health (grpc)']).toMatch(/gRPC/);
    expect(reasons['chat-websocket (wss)']).toMatch(/WebSocket/);
    expect(reasons['mail-starttls (starttls)']).toMatch(/STARTTLS/);
    expect(reasons['options-check (https)']).toMatch(/HTTP method OPTIONS/);
    expect(reasons['nightly-backup (external)']).toMatch(/pushed to Gatus/);
  });
});

describe('malformed input', () => {
  it('never throws, and says what is wrong', () => {
    expect(mapGatusConfig('just text', { existingNames: [] }).notes).toEqual([
      expect.stringMatching(/not a Gatus configuration/),
    ]);
    const plan = mapGatusConfig(
      {
        endpoints: [
          42,
          { url: 'https://x.example' },
          { name: 'no url' },
          { name: 'no port', url: 'tcp://db.example' },
          { name: 'bad url', url: 'https://' },
          { name: 'odd', url: 'gopher://x' },
          { name: 'bare', url: 'example.com' },
          { name: 'dns', url: '1.1.1.1', dns: { 'query-name': 'x.example', 'query-type': 'HINFO' } },
          { name: 'db', url: 'tcp://${DB_HOST}:5432' },
        ],
      },
      { existingNames: [] },
    );
    expect(plan.items.map((item) => [item.outcome, item.changes[0]])).toEqual([
      ['skipped', 'This entry is not an endpoint (a mapping with name and url).'],
      ['skipped', 'The endpoint has no name.'],
      ['skipped', 'The endpoint has no url.'],
      ['skipped', 'The url tcp://db.example names no port to connect to.'],
      ['skipped', expect.stringMatching(/^It does not make a valid probe \(settings\.url\): Enter an http\(s\) URL/)],
      ['skipped', 'Endpoints of type gopher:// have no probe kind.'],
      ['skipped', expect.stringMatching(/has no scheme/)],
      ['skipped', expect.stringMatching(/DNS query type HINFO/)],
      [
        'skipped',
        "Its address comes from the environment (tcp://${DB_HOST}:5432): a tcp probe's host is not a secret, so write the host into the file and import it again.",
      ],
    ]);
    expect(mapGatusConfig({}, { existingNames: [] }).notes).toEqual(['The file has no endpoints: to import.']);
  });

  it("keeps Gatus's $$ escape as a literal $, and names secrets from ${ENV} in the url and body", () => {
    const plan = mapGatusConfig(
      {
        endpoints: [
          {
            name: 'graphql',
            url: 'https://${API_HOST}/graphql?key=$API_KEY',
            method: 'POST',
            body: '{"query": "query($$id: ID!) { node(id: $$id) { id } }", "token": "${API_KEY}"}',
          },
        ],
      },
      { existingNames: [] },
    );
    const [item] = plan.items;
    expect(item!.secrets).toEqual(['API_HOST', 'API_KEY']);
    expect(item!.draft!.settings).toMatchObject({
      url: 'https://{{secret.API_HOST}}/graphql?key={{secret.API_KEY}}',
      body: '{"query": "query($id: ID!) { node(id: $id) { id } }", "token": "{{secret.API_KEY}}"}',
    });
  });

  it('gives two endpoints of the same name different names', () => {
    const plan = mapGatusConfig(
      {
        endpoints: [
          { name: 'api', group: 'eu', url: 'https://eu.example' },
          { name: 'api', group: 'us', url: 'https://us.example' },
        ],
      },
      { existingNames: [] },
    );
    expect(plan.items.map((item) => item.draft?.name)).toEqual(['api', 'api (2)']);
  });
});
