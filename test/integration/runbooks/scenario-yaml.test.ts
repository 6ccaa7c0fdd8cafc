/**
 * Scenario: a YAML runbook with errors in the watched folder. It is listed with line-numbered
 * errors and cannot run; the other files and the built-ins still load; fixing the file while
 * the app runs makes it runnable. The app's services on a temporary data directory (real SQLite,
 * the real folder watch), no target needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { ApiError } from '../../../shared/errors';
import type { RunbookSummary } from '../../../shared/model/runbook';
import { waitFor } from '../../support/keyring';

let dataDir: string;
let folder: string;
let services: Services;

const GOOD = `id: note
title: Write a note
kind: docs
risk: docs-only
phases:
  summarize:
    - id: note
      kind: summary
      with:
        template: 'All is well.'
`;

// Line 4: a risk that does not exist; line 9: a step kind that does not exist.
const BROKEN = `id: nightly
title: Nightly check
kind: check
risk: sometimes
phases:
  action:
    - id: look
      kind: probe
    - id: jump
      kind: teleport
      with: {}
`;

const UNPARSABLE = `id: half
title: [unclosed
`;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cr-scenario-yaml-'));
  folder = join(dataDir, 'runbooks');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'note.yaml'), GOOD);
  writeFileSync(join(folder, 'nightly.yaml'), BROKEN);
  writeFileSync(join(folder, 'half.yml'), UNPARSABLE);
  services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), probes: { background: false } });
});

afterAll(() => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function byFile(file: string): RunbookSummary | undefined {
  return services.runbooks.list().find((r) => r.file === file);
}

describe('scenario: a YAML runbook with errors', () => {
  it('is listed with line-numbered errors while the good file and the built-ins load', () => {
    const list = services.runbooks.list();
    expect(list.filter((r) => r.source === 'built-in').map((r) => r.id)).toEqual(
      expect.arrayContaining(['deploy', 'healthcheck', 'incident', 'schema-sync', 'spec']),
    );
    expect(byFile('note.yaml')).toMatchObject({ id: 'note', errors: [] });

    const nightly = byFile('nightly.yaml')!;
    expect(nightly.errors.length).toBeGreaterThanOrEqual(2);
    const lines = nightly.errors.map((e) => e.line);
    expect(lines).toContain(4); // risk: sometimes
    expect(lines.some((line) => line !== null && line >= 7 && line <= 11)).toBe(true); // the steps
    expect(nightly.errors.find((e) => e.line === 4)!.message).toMatch(/risk/);
    expect(nightly.errors.every((e) => e.message.length > 0)).toBe(true);

    const half = byFile('half.yml')!;
    expect(half.errors).toHaveLength(1);
    expect(half.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("cannot run, with the file's first error and its line; the good one runs", async () => {
    const nightly = byFile('nightly.yaml')!;
    let refused: unknown;
    try {
      services.runbooks.startRun(
        { runbookId: nightly.id, targetId: null, inputs: {}, dryRun: false, whenLocked: 'queue' },
        'app',
      );
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toMatch(/nightly\.yaml.*line \d+/);

    // A runbook whose steps name no target of their own runs on one, even when it only writes notes.
    const target = await services.targets.create({
      name: 'docs-host',
      environment: 'dev',
      kind: 'ops-api',
      settings: { baseUrl: 'http://127.0.0.1:9' },
    });
    const started = services.runbooks.startRun(
      { runbookId: 'note', targetId: target.id, inputs: {}, dryRun: false, whenLocked: 'queue' },
      'app',
    );
    const ended = await services.runbooks.executor.settled(started.id);
    expect(ended.status, ended.statusMessage).toBe('succeeded');
    expect(services.runbooks.detail(started.id).summary).toContain('All is well.');
  });

  it('fixed while the app runs, it loads from the folder and the others are untouched', async () => {
    writeFileSync(
      join(folder, 'nightly.yaml'),
      BROKEN.replace('risk: sometimes', 'risk: read-only')
        .replace(/ {4}- id: jump\n.*\n.*\n/, '')
        .replace('kind: probe', 'kind: probe\n      with: { scope: nightly }'),
    );
    await waitFor(() => byFile('nightly.yaml')?.errors.length === 0, 10_000, 'the fixed file was not read again');
    expect(byFile('nightly.yaml')).toMatchObject({ id: 'nightly', risk: 'read-only' });
    expect(byFile('note.yaml')).toMatchObject({ id: 'note', errors: [] });
    expect(byFile('half.yml')!.errors).toHaveLength(1);
  });
});
