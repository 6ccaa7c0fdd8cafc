/**
 * Export jobs as the API streams them: progress at most about ten times a second (a change of
 * section or state always goes out), cancel of an export already ended answers its state, an
 * unknown export is not-found, and closing the app cancels a running export with no file left.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../main/services';
import { ExportJobs } from '../../../main/services/bundles/export-jobs';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { ExportProgress } from '../../../shared/model/bundle';
import { FakeClock } from '../../support/fake-clock';
import { startKeyring, type Keyring } from '../../support/keyring';

let keyring: Keyring;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
});

afterAll(async () => {
  await keyring?.stop();
});

describe('export progress', () => {
  it('is sent at most every 100 ms, except when the section or the state changes', async () => {
    const clock = new FakeClock(Date.parse('2026-06-01T12:00:00Z'));
    const jobs = new ExportJobs(clock);
    const sent: ExportProgress[] = [];
    jobs.onProgress((progress) => sent.push(progress));
    const { exportId } = jobs.create();
    expect(sent.map((p) => p.state)).toEqual(['running']);
    jobs.update(exportId, { section: 'logs', fraction: 0.1 });
    for (let i = 0; i < 50; i++) jobs.update(exportId, { section: 'logs', fraction: 0.1 + i / 100 });
    expect(sent).toHaveLength(2);
    clock.advance(100);
    jobs.update(exportId, { section: 'logs', fraction: 0.7 });
    expect(sent).toHaveLength(3);
    jobs.update(exportId, { section: 'probes', fraction: 0.8 });
    jobs.update(exportId, { state: 'done', fraction: 1, message: 'Saved.' });
    expect(sent.map((p) => [p.section, p.state])).toEqual([
      [null, 'running'],
      ['logs', 'running'],
      ['logs', 'running'],
      ['probes', 'running'],
      ['probes', 'done'],
    ]);
    await expect(jobs.settled(exportId)).resolves.toMatchObject({ state: 'done' });
    // Ended: a cancel answers its state, updates are ignored.
    expect(jobs.cancel(exportId).state).toBe('done');
    jobs.update(exportId, { fraction: 0.2 });
    expect(sent).toHaveLength(5);
    await expect(jobs.settled('exp-nothing')).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('closing the app mid-export', () => {
  it('cancels the export and leaves no file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-bundle-close-'));
    const services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), probes: { background: false } });
    try {
      // An ops-API target nothing answers for: the export lives on the cache, slowly enough to be closed.
      const target = await services.targets.create({ name: 'quiet', environment: 'dev', kind: 'ops-api', settings: { baseUrl: 'http://127.0.0.1:9' }, secrets: { apiToken: 'token-for-nothing-1234' } });
      const now = Date.now();
      for (let b = 0; b < 20; b++) {
        services.logs.cache.insert(
          Array.from({ length: 5_000 }, (_, i) => ({ ts: new Date(now - 3_000_000 + (b * 5_000 + i) * 20).toISOString(), target: target.id, service: 'api', container: 'api', stream: 'stdout' as const, level: null, message: `line ${b}-${i} ${'y'.repeat(100)}` })),
        );
      }
      const started = services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 60 } });
      const settled = services.bundles.exportSettled(started.exportId);
      await new Promise<void>((resolve) => {
        const off = services.bundles.onProgress((progress) => {
          if (progress.exportId === started.exportId && progress.section === 'logs') {
            off();
            resolve();
          }
        });
      });
      services.close();
      expect((await settled).state).toBe('canceled');
      await services.bundles.idle();
      expect(readdirSync(services.bundles.folder).filter((name) => !name.startsWith('.'))).toEqual([]);
    } finally {
      services.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
