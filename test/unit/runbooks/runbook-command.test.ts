import { describe, expect, it } from 'vitest';
import { editDistance, parseCommand } from '../../../shared/runbook-command';
import { BUILT_IN_RUNBOOKS } from '../../../main/services/runbooks/built-in';
import type { Environment } from '../../../shared/model/target';

const runbooks = BUILT_IN_RUNBOOKS.map((runbook) => ({ ...runbook, errors: [] }));
const target = (id: string, name: string, environment: Environment) => ({ id, name, environment });
const targets = [
  target('t1', 'Shop Prod', 'prod'),
  target('t2', 'staging-1', 'staging'),
  target('t3', 'dev box', 'dev'),
  target('t4', 'dev', 'dev'),
];
// A fixed local time: 14:05 on the same day, whatever the machine's time zone.
const now = new Date(2024, 4, 1, 9, 30);
const at1405 = new Date(2024, 4, 1, 14, 5).toISOString();

describe('parseCommand', () => {
  it('deploy backend v1.4.2 to prod', () => {
    expect(parseCommand('deploy backend v1.4.2 to prod', runbooks, targets, now)).toEqual({
      kind: 'parsed',
      runbookId: 'deploy',
      targetId: 't1',
      inputs: { service: 'backend', tag: 'v1.4.2' },
    });
  });

  it('healthcheck staging, check and health too', () => {
    for (const text of ['healthcheck staging', 'Check STAGING', 'health staging-1']) {
      expect(parseCommand(text, runbooks, targets, now)).toEqual({
        kind: 'parsed',
        runbookId: 'healthcheck',
        targetId: 't2',
        inputs: {},
      });
    }
  });

  it('restart worker on prod (and without "on")', () => {
    const parsed = { kind: 'parsed', runbookId: 'restart', targetId: 't1', inputs: { service: 'worker' } };
    expect(parseCommand('restart worker on prod', runbooks, targets, now)).toEqual(parsed);
    expect(parseCommand('restart worker prod', runbooks, targets, now)).toEqual(parsed);
    expect(parseCommand('restart worker to prod', runbooks, targets, now)).toEqual(parsed);
  });

  it('incident at 14:05 on prod', () => {
    expect(parseCommand('incident at 14:05 on prod', runbooks, targets, now)).toEqual({
      kind: 'parsed',
      runbookId: 'incident',
      targetId: 't1',
      inputs: { at: at1405 },
    });
    expect(parseCommand('incident at 9:5 on prod', runbooks, targets, now).kind).toBe('unrecognised');
  });

  it('takes the longest multi-word target name, and a name before an environment', () => {
    expect(parseCommand('deploy api v2 to shop prod', runbooks, targets, now)).toMatchObject({
      runbookId: 'deploy',
      targetId: 't1',
      inputs: { service: 'api', tag: 'v2' },
    });
    expect(parseCommand('healthcheck dev box', runbooks, targets, now)).toMatchObject({ targetId: 't3' });
    // "dev" is a target's name: it wins over the environment with two targets.
    expect(parseCommand('healthcheck dev', runbooks, targets, now)).toMatchObject({ targetId: 't4' });
  });

  it('keeps the case of values and tries phrasings in order', () => {
    expect(parseCommand('DEPLOY Backend V1 to prod', runbooks, targets, now)).toMatchObject({
      inputs: { service: 'Backend', tag: 'V1' },
    });
    expect(parseCommand('deploy backend to prod', runbooks, targets, now)).toMatchObject({
      runbookId: 'deploy',
      targetId: 't1',
      inputs: { service: 'backend' },
    });
    expect(parseCommand('deploy prod', runbooks, targets, now)).toMatchObject({
      runbookId: 'deploy',
      targetId: 't1',
      inputs: {},
    });
  });

  it('fills target inputs with a target name', () => {
    expect(parseCommand('schema-sync prod with staging', runbooks, targets, now)).toEqual({
      kind: 'parsed',
      runbookId: 'schema-sync',
      targetId: 't1',
      inputs: { other: 'staging-1' },
    });
    expect(parseCommand('compare schema shop prod staging-1', runbooks, targets, now)).toMatchObject({
      runbookId: 'schema-sync',
      targetId: 't1',
      inputs: { other: 'staging-1' },
    });
  });

  it('two prod targets: no target, and a sentence saying to choose', () => {
    const twoProd = [...targets, target('t5', 'eu-prod', 'prod')];
    expect(parseCommand('deploy backend v1 to prod', runbooks, twoProd, now)).toEqual({
      kind: 'parsed',
      runbookId: 'deploy',
      targetId: null,
      inputs: { service: 'backend', tag: 'v1' },
      problems: ['Several targets are prod: Shop Prod, eu-prod — choose one.'],
    });
    expect(parseCommand('healthcheck prod', runbooks, [], now)).toMatchObject({
      targetId: null,
      problems: ['No target is prod — choose one, or add a prod target first.'],
    });
  });

  it('an unknown target: the runbook the words name, with the target left to choose', () => {
    expect(parseCommand('restart worker on nowhere', runbooks, targets, now)).toEqual({
      kind: 'parsed',
      runbookId: 'restart',
      targetId: null,
      inputs: { service: 'worker' },
      problems: ['There is no target called "nowhere" — choose one of Shop Prod, staging-1, dev box, dev.'],
    });
  });

  it('an unknown other target is kept as typed, for the plan to name the targets there are', () => {
    expect(parseCommand('schema-sync prod with nowhere', runbooks, targets, now)).toEqual({
      kind: 'parsed',
      runbookId: 'schema-sync',
      targetId: 't1',
      inputs: { other: 'nowhere' },
    });
  });

  it('extra words or a misspelt runbook: suggestions, never a plan', () => {
    const extra = parseCommand('deploy backend v1.4.2 to prod now', runbooks, targets, now);
    expect(extra.kind).toBe('unrecognised');
    if (extra.kind !== 'unrecognised') return;
    expect(extra.message).toBe(
      '"deploy backend v1.4.2 to prod now" is not a command Control Room knows — try one of these, or pick a runbook from the list.',
    );
    expect(extra.suggestions[0]).toEqual({
      runbookId: 'deploy',
      title: 'Deploy',
      example: 'deploy <service> <tag> to Shop Prod',
    });

    const typo = parseCommand('deplyo backend', runbooks, targets, now);
    expect(typo.kind).toBe('unrecognised');
    if (typo.kind !== 'unrecognised') return;
    // deploy is 2 edits away, health 4, spec 5 (ties keep the catalog's order).
    expect(typo.suggestions.map((suggestion) => suggestion.runbookId)).toEqual(['deploy', 'healthcheck', 'spec']);

    const restartish = parseCommand('please restart it', runbooks, targets, now);
    expect(restartish.kind === 'unrecognised' && restartish.suggestions[0]!.runbookId).toBe('restart');
    expect(parseCommand('incident at 14:05 on prod', runbooks, targets, now).kind).toBe('parsed');
  });

  it('skips runbooks with errors and handles empty text', () => {
    const broken = runbooks.map((runbook) =>
      runbook.id === 'healthcheck' ? { ...runbook, errors: [{ line: 1, column: 1, message: 'x' }] } : runbook,
    );
    expect(parseCommand('healthcheck prod', broken, targets, now).kind).toBe('unrecognised');
    const empty = parseCommand('   ', runbooks, targets, now);
    expect(empty).toMatchObject({ kind: 'unrecognised', message: 'Type a command, like "healthcheck prod".' });
    expect(empty.kind === 'unrecognised' && empty.suggestions).toHaveLength(3);
  });

  it('is deterministic', () => {
    const text = 'deploy backend v1.4.2 to prod';
    expect(parseCommand(text, runbooks, targets, now)).toEqual(parseCommand(text, runbooks, targets, now));
  });
});

describe('editDistance', () => {
  it('counts single-letter edits', () => {
    expect(editDistance('deplyo', 'deploy')).toBe(2);
    expect(editDistance('', 'spec')).toBe(4);
    expect(editDistance('check', 'check')).toBe(0);
  });
});
