/**
 * Control Room's probe file: saved probes out (no ids, timestamps or secret values; the secret
 * slots named) and back in as the same drafts; taken names adapted, missing targets and broken
 * entries skipped with the reason.
 */
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ProbeDraft, type Probe } from '../../../shared/model/probe';
import { mapProbeFile, toProbeFile } from '../../../shared/probe-yaml';

const saved = (draft: unknown, id: string, secrets: Record<string, boolean> = {}): Probe =>
  ({
    ...ProbeDraft.parse(draft),
    id,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    secrets: Object.fromEntries(
      Object.entries(secrets).map(([slot, present]) => [slot, { ref: `probe/${id}/${slot}`, present }]),
    ),
  }) as Probe;

const probes: Probe[] = [
  saved(
    {
      name: 'GitHub token',
      scope: 'github',
      check: 'github.token',
      kind: 'github',
      settings: { check: 'token', requiredScopes: ['repo'] },
      conditions: [{ expression: '[STATUS] == 200' }, { expression: '[RATE_LIMIT_REMAINING] > 100', severity: 'warn' }],
      intervalSeconds: 600,
      cheap: true,
    },
    'p1',
    { token: true },
  ),
  saved(
    {
      name: 'Orders API',
      scope: 'shop',
      provider: 'eu',
      kind: 'http',
      settings: {
        method: 'POST',
        url: 'https://api.example.com/orders',
        headers: { 'X-Key': '{{secret.ORDERS_KEY}}' },
        body: '{}',
      },
      conditions: [{ expression: '[STATUS] == 200' }],
      slaSeconds: 1800,
      paused: true,
    },
    'p2',
    { ORDERS_KEY: false },
  ),
  saved({ name: 'Web container', scope: 'web', kind: 'docker', settings: { targetId: 't-1', container: 'web' } }, 'p3'),
];

describe('export', () => {
  it('writes definitions and secret slot names, never ids, timestamps or secret values', () => {
    const file = toProbeFile(probes);
    expect(file.format).toBe('control-room/probes');
    expect(file.probes.map((entry) => entry.secrets)).toEqual([['token'], ['ORDERS_KEY'], []]);
    const text = stringify(file);
    for (const absent of ['p1', 'createdAt', 'updatedAt', 'ref:', 'present']) expect(text).not.toContain(absent);
  });
});

describe('import', () => {
  it('round-trips: the drafts equal the probes minus ids, timestamps and secrets', () => {
    const plan = mapProbeFile(parse(stringify(toProbeFile(probes))), { existingNames: [], targetIds: ['t-1'] });
    expect(plan.items.map((item) => item.outcome)).toEqual(['imported', 'imported', 'imported']);
    expect(plan.items.map((item) => item.secrets)).toEqual([['token'], ['ORDERS_KEY'], []]);
    const strip = ({ id: _id, createdAt: _c, updatedAt: _u, secrets: _s, ...rest }: Probe) => rest;
    expect(plan.items.map((item) => item.draft)).toEqual(probes.map(strip));
  });

  it('renames a probe whose name is taken, and skips one whose target is not here', () => {
    const plan = mapProbeFile(parse(stringify(toProbeFile(probes))), {
      existingNames: ['github TOKEN'],
      targetIds: [],
    });
    expect(plan.items[0]).toMatchObject({
      outcome: 'adapted',
      changes: ['A probe named "GitHub token" exists already: imported as "GitHub token (2)".'],
      draft: { name: 'GitHub token (2)' },
    });
    expect(plan.items[2]).toMatchObject({
      outcome: 'skipped',
      draft: null,
      changes: ['It runs over target t-1, which is not on this machine: add the target, then the probe.'],
    });
  });

  it('drops a condition that does not read, and skips an entry the model refuses', () => {
    const plan = mapProbeFile(
      {
        format: 'control-room/probes',
        version: 1,
        probes: [
          {
            name: 'Site',
            scope: 'web',
            kind: 'http',
            settings: { url: 'https://example.com' },
            conditions: [{ expression: '[STATUS] == 200' }, { expression: '[STATUS] =' }],
          },
          { name: 'Broken', scope: 'web', kind: 'tcp', settings: { host: 'db' } },
          { name: 'Odd', scope: 'web', kind: 'carrier-pigeon', settings: {} },
          'text',
        ],
      },
      { existingNames: [], targetIds: [] },
    );
    expect(plan.items.map((item) => item.outcome)).toEqual(['adapted', 'skipped', 'skipped', 'skipped']);
    expect(plan.items[0]!.changes).toEqual([
      expect.stringMatching(/^Condition "\[STATUS\] =" dropped: it does not read/),
    ]);
    expect(plan.items[1]!.changes[0]).toMatch(/^It does not make a valid probe \(settings\.port\)/);
    expect(plan.items[2]!.changes[0]).toMatch(/^It does not make a valid probe \(kind\)/);
    expect(plan.items[3]!.changes[0]).toBe('This entry is not a probe (a mapping with name, kind and settings).');
  });

  it('says when the file is not a probe file', () => {
    expect(mapProbeFile({ endpoints: [] }, { existingNames: [], targetIds: [] }).notes).toEqual([
      'This file is not a Control Room probe file (a YAML mapping with probes:).',
    ]);
  });
});
