/**
 * The runbook catalog on a real folder: built-ins, YAML files with line-numbered errors, duplicate
 * ids, saving (atomic, renames, built-ins refused), deleting, and the folder watch (real fs.watch,
 * debounced on a fake clock).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RunbookDefinition } from '../../../shared/model/runbook';
import { RELOAD_DEBOUNCE_MS, RunbookCatalog } from '../../../main/services/runbooks/runbook-catalog';
import { ApiError } from '../../../shared/errors';
import { FakeClock } from '../../support/fake-clock';

const GOOD = `id: nightly
title: Nightly check
kind: healthcheck
risk: read-only
inputs:
  - name: scope
commands:
  - nightly {target}
phases:
  verify:
    - id: probes
      kind: probe
      with:
        scope: "{{ inputs.scope }}"
`;

let scratch: string;
let folder: string;
let clock: FakeClock;
let catalog: RunbookCatalog;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cr-runbook-catalog-'));
  folder = join(scratch, 'runbooks');
  clock = new FakeClock();
  catalog = new RunbookCatalog(folder, clock);
});

afterEach(() => {
  catalog.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('loading', () => {
  it('creates the folder and lists the built-ins first', () => {
    catalog.start();
    expect(existsSync(folder)).toBe(true);
    const list = catalog.list();
    expect(list.map((runbook) => runbook.id)).toEqual([
      'deploy',
      'restart',
      'healthcheck',
      'incident',
      'schema-sync',
      'spec',
    ]);
    expect(
      list.every((runbook) => runbook.source === 'built-in' && runbook.file === null && runbook.errors.length === 0),
    ).toBe(true);
    expect(catalog.get('deploy').risk).toBe('changes-prod');
  });

  it('loads good files and lists bad ones with their lines, never stopping the rest', () => {
    catalog.start();
    writeFileSync(join(folder, 'a-nightly.yaml'), GOOD);
    writeFileSync(
      join(folder, 'b-broken.yml'),
      'id: broken\ntitle: Broken\nkind: x\nrisk: read-only\nphases:\n  action:\n    - id: go\n      kind: teleport\n      with: {}\n',
    );
    writeFileSync(join(folder, 'c-syntax.yaml'), 'id: syntax\ntitle: [unclosed\n');
    writeFileSync(
      join(folder, 'd-unknown-field.yaml'),
      'id: extra\ntitle: Extra\nkind: x\nrisk: read-only\ncolour: red\n',
    );
    writeFileSync(join(folder, 'notes.txt'), 'not a runbook');
    catalog.reload();

    const files = catalog.list().filter((runbook) => runbook.source === 'file');
    expect(files.map((runbook) => [runbook.file, runbook.id, runbook.errors.length > 0])).toEqual([
      ['a-nightly.yaml', 'nightly', false],
      ['b-broken.yml', 'broken', true],
      ['c-syntax.yaml', 'syntax', true],
      ['d-unknown-field.yaml', 'extra', true],
    ]);
    expect(catalog.get('nightly').phases.verify?.[0]?.id).toBe('probes');

    const broken = files[1]!;
    expect(broken.errors[0]!.line).toBe(8);
    expect(broken.errors[0]!.message).toMatch(/^phases\.action\[0\]\.kind: /);
    expect(files[2]!.errors[0]!.line).toBeGreaterThanOrEqual(2);
    expect(files[3]!.errors).toEqual([{ line: 5, column: 1, message: 'colour is not a field here.' }]);

    const error = apiError(() => catalog.get('broken'));
    expect(error.code).toBe('invalid-request');
    expect(error.message).toMatch(/^Runbook broken \(b-broken\.yml\) cannot run until it is fixed: line 8: /);
    expect(apiError(() => catalog.get('nothing')).code).toBe('not-found');
  });

  it('refuses a file reusing a built-in id or an earlier file id, at the id line', () => {
    catalog.start();
    writeFileSync(join(folder, 'a.yaml'), GOOD);
    writeFileSync(join(folder, 'b.yaml'), `# a copy\n${GOOD}`);
    writeFileSync(join(folder, 'c.yaml'), GOOD.replace('id: nightly', 'id: deploy'));
    catalog.reload();
    const files = catalog.list().filter((runbook) => runbook.source === 'file');
    expect(files.map((runbook) => runbook.errors)).toEqual([
      [],
      [
        {
          line: 2,
          column: null,
          message: 'Another runbook file (a.yaml) already has id nightly — give this one another id.',
        },
      ],
      [{ line: 1, column: null, message: 'deploy is a built-in runbook — give this file another id.' }],
    ]);
    // The runnable ones win: the built-in deploy and a.yaml's nightly.
    expect(catalog.get('deploy').title).toBe('Deploy');
    expect(catalog.source('nightly').file).toBe('a.yaml');
  });

  it('names templates that refer to inputs, steps or fields the run will not have', () => {
    const errors = catalog.check(GOOD.replace('inputs.scope', 'inputs.scop'));
    expect(errors).toEqual([
      {
        line: 14,
        column: 16,
        message:
          '{{ inputs.scop }} names no input of this runbook (it has scope) — declare it under inputs or fix the name.',
      },
    ]);
    expect(catalog.check(GOOD)).toEqual([]);
    expect(
      catalog
        .check(
          GOOD.replace('inputs.scope', 'steps.probe.ok').replace(
            'kind: probe',
            'kind: probe\n      if: "{{ target.nme }} {{ run.id }} {{ secrets.x }}"',
          ),
        )
        .map((error) => [error.line, error.message]),
    ).toEqual([
      [13, '{{ target.nme }}: a target has id, name, environment, kind, isDocker, isOpsApi.'],
      [13, '{{ secrets.x }} names nothing — templates read inputs., steps., target. or run.'],
      [15, '{{ steps.probe.ok }} names no step of this runbook — fix the step id.'],
    ]);
    expect(catalog.check('- a list')).toEqual([
      { line: 1, column: 1, message: 'A runbook is a mapping with id, title, kind, risk and phases.' },
    ]);
    expect(catalog.check(GOOD.replace('nightly {target}', 'nightly {service} on {target} at {time}'))).toEqual([
      {
        line: 8,
        column: 5,
        message:
          '{service} in "nightly {service} on {target} at {time}" is neither {target}, {time} nor an input of this runbook — declare it under inputs or fix the name.',
      },
      {
        line: 8,
        column: 5,
        message:
          '{time} in "nightly {service} on {target} at {time}" is neither {target}, {time} nor an input of this runbook — declare it under inputs or fix the name.',
      },
    ]);
    const twice = catalog.check(`${GOOD}    - id: probes\n      kind: probe\n      with: {}\n`);
    expect(twice).toEqual([
      { line: 15, column: 11, message: 'Step id probes is used twice — give each step its own id.' },
    ]);
  });
});

describe('source', () => {
  it('gives built-ins as YAML that parses back to the same runbook, and files as written', () => {
    catalog.start();
    for (const { id } of catalog.list()) {
      const source = catalog.source(id);
      expect(source.source).toBe('built-in');
      expect(RunbookDefinition.parse(parse(source.yaml))).toEqual(catalog.get(id));
      expect(catalog.check(source.yaml)).toEqual([]);
    }
    writeFileSync(join(folder, 'nightly.yaml'), GOOD);
    catalog.reload();
    expect(catalog.source('nightly')).toEqual({
      id: 'nightly',
      yaml: GOOD,
      source: 'file',
      file: 'nightly.yaml',
      errors: [],
    });
    expect(apiError(() => catalog.source('nothing')).code).toBe('not-found');
  });
});

describe('saving and deleting', () => {
  it('writes <id>.yaml atomically and tells listeners', () => {
    catalog.start();
    let changes = 0;
    catalog.onChanged(() => (changes += 1));
    const outcome = catalog.save(GOOD);
    expect(outcome.saved).toBe(true);
    expect(outcome.errors).toEqual([]);
    expect(outcome.summary).toMatchObject({ id: 'nightly', source: 'file', file: 'nightly.yaml', errors: [] });
    expect(readdirSync(folder)).toEqual(['nightly.yaml']);
    expect(readFileSync(join(folder, 'nightly.yaml'), 'utf8')).toBe(GOOD);
    expect(changes).toBe(1);
  });

  it('returns errors and writes nothing for invalid text, a built-in id or a taken id', () => {
    catalog.start();
    const invalid = catalog.save('id: Bad Id\n');
    expect(invalid.saved).toBe(false);
    expect(invalid.errors.length).toBeGreaterThan(0);
    expect(catalog.save(GOOD.replace('id: nightly', 'id: deploy'))).toEqual({
      saved: false,
      summary: null,
      errors: [{ line: 1, column: null, message: 'deploy is a built-in runbook — save a copy under another id.' }],
    });
    expect(readdirSync(folder)).toEqual([]);
    catalog.save(GOOD);
    expect(catalog.save(GOOD.replace('Nightly check', 'Another')).errors).toEqual([
      {
        line: 1,
        column: null,
        message: 'Another runbook file (nightly.yaml) already has id nightly — choose another id.',
      },
    ]);
    // Saving the same runbook again (its own id as previousId) overwrites it.
    expect(catalog.save(GOOD.replace('Nightly check', 'Nightly'), 'nightly').saved).toBe(true);
    expect(catalog.get('nightly').title).toBe('Nightly');
  });

  it('renames: the new file is written and the previous one removed', () => {
    catalog.start();
    writeFileSync(join(folder, 'My Checks.yml'), GOOD);
    catalog.reload();
    const outcome = catalog.save(GOOD.replace('id: nightly', 'id: nightly-2'), 'nightly');
    expect(outcome.saved).toBe(true);
    expect(readdirSync(folder)).toEqual(['nightly-2.yaml']);
    expect(apiError(() => catalog.get('nightly')).code).toBe('not-found');
    // "Save as copy" of a built-in keeps the built-in.
    expect(catalog.save(GOOD.replace('id: nightly', 'id: my-deploy'), 'deploy').saved).toBe(true);
    expect(catalog.get('deploy').id).toBe('deploy');
    expect(readdirSync(folder).sort()).toEqual(['my-deploy.yaml', 'nightly-2.yaml']);
  });

  it('deletes file runbooks only', () => {
    catalog.start();
    catalog.save(GOOD);
    catalog.delete('nightly');
    expect(readdirSync(folder)).toEqual([]);
    expect(apiError(() => catalog.delete('nightly')).code).toBe('not-found');
    const builtIn = apiError(() => catalog.delete('deploy'));
    expect(builtIn.code).toBe('invalid-request');
    expect(builtIn.message).toBe('deploy is a built-in runbook — it cannot be deleted.');
  });
});

describe('watching', () => {
  it('reads the folder again once changes settle', async () => {
    catalog.start();
    let changes = 0;
    catalog.onChanged(() => (changes += 1));
    writeFileSync(join(folder, 'nightly.yaml'), GOOD);
    await clock.nextTimer((ms) => ms === RELOAD_DEBOUNCE_MS);
    expect(catalog.list().some((runbook) => runbook.id === 'nightly')).toBe(false);
    clock.advance(RELOAD_DEBOUNCE_MS);
    expect(changes).toBe(1);
    expect(catalog.get('nightly').title).toBe('Nightly check');

    rmSync(join(folder, 'nightly.yaml'));
    await clock.nextTimer((ms) => ms === RELOAD_DEBOUNCE_MS);
    clock.advance(RELOAD_DEBOUNCE_MS);
    expect(catalog.list().some((runbook) => runbook.id === 'nightly')).toBe(false);
  });

  it('leaves no timer or watcher behind when disposed', async () => {
    catalog.start();
    writeFileSync(join(folder, 'nightly.yaml'), GOOD);
    await clock.nextTimer((ms) => ms === RELOAD_DEBOUNCE_MS);
    catalog.dispose();
    expect(clock.pending).toBe(0);
  });
});
