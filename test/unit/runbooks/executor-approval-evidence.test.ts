import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  approvalRequest,
  canonicalJson,
  changedFacts,
  evidenceHash,
  MISSING_FACT,
  staleMessage,
  takeEvidence,
} from '../../../main/services/runbooks/executor-approval';

const facts = [
  { key: 'container:backend:startedAt', label: 'backend started at', value: '10:00' },
  { key: 'container:backend:image', label: 'backend image', value: 'shop/backend:v1' },
];

describe('approval evidence', () => {
  it('writes canonical JSON with keys sorted at every level', () => {
    expect(canonicalJson({ b: 1, a: [{ z: true, y: null }], c: 'x' })).toBe('{"a":[{"y":null,"z":true}],"b":1,"c":"x"}');
  });

  it('hashes the facts sorted by key with the changes: same facts in any order, same hash', () => {
    const hash = evidenceHash(facts, ['Recreate backend']);
    expect(hash).toBe(evidenceHash([...facts].reverse(), ['Recreate backend']));
    const expected = createHash('sha256')
      .update(canonicalJson({ facts: [facts[1], facts[0]], changes: ['Recreate backend'] }))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(hash).not.toBe(evidenceHash(facts, ['Recreate worker']));
    expect(hash).not.toBe(evidenceHash([{ ...facts[0]!, value: '10:05' }, facts[1]!], ['Recreate backend']));
  });

  it('freezes evidence with sorted facts and builds a request that expires after the runbook’s minutes', () => {
    const evidence = takeEvidence(facts, ['Recreate backend'], '2024-05-01T10:00:00.000Z');
    expect(evidence.facts.map((fact) => fact.key)).toEqual(['container:backend:image', 'container:backend:startedAt']);
    const request = approvalRequest(evidence, Date.parse('2024-05-01T10:00:00Z'), 30, 'shop-prod');
    expect(request).toEqual({
      evidence,
      requestedAt: '2024-05-01T10:00:00.000Z',
      expiresAt: '2024-05-01T10:30:00.000Z',
      confirmText: 'shop-prod',
      changed: [],
      approvedBy: null,
      approvedAt: null,
    });
  });

  it('finds facts that changed or went missing, and says so in one sentence', () => {
    const now = new Map([
      ['container:backend:startedAt', { key: 'container:backend:startedAt', label: 'backend started at', value: '10:05' }],
      ['probe:new', { key: 'probe:new', label: 'Probe new', value: 'ok' }],
    ]);
    const changed = changedFacts(facts, now);
    expect(changed).toEqual([
      { key: 'container:backend:image', label: 'backend image', before: 'shop/backend:v1', after: MISSING_FACT },
      { key: 'container:backend:startedAt', label: 'backend started at', before: '10:00', after: '10:05' },
    ]);
    expect(staleMessage(changed)).toBe(
      'The facts this approval was given on changed: backend image shop/backend:v1→(missing), backend started at 10:00→10:05; approve again.',
    );
    expect(changedFacts(facts, new Map(facts.map((fact) => [fact.key, fact])))).toEqual([]);
  });
});
