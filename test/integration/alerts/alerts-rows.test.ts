/**
 * A maintenance window or a dependency changes what a probe's row says ("maintenance", "blocked
 * by") without the probe running: the rows are sent again at once, over the real services (a
 * real SQLite store in a temp folder; the probes never need a secret, so no keychain).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { ProbeDraft, type ProbeSummary } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';

let services: Services | undefined;
let dataDir: string | undefined;

afterEach(() => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  services = undefined;
});

function tcpProbe(name: string) {
  // Port 1 on loopback: nothing listens; the probes are paused and never run here anyway.
  return ProbeDraft.parse({ name, scope: 'net', kind: 'tcp', settings: { host: '127.0.0.1', port: 1 }, paused: true });
}

it('sends a probe row marked maintenance when a window starts, and unmarked when it ends, without a run', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cr-alert-rows-'));
  services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), clock: new FakeClock() });
  const parent = await services.probes.create(tcpProbe('Network'));
  const child = await services.probes.create(tcpProbe('Gateway'));
  const rows: ProbeSummary[] = [];
  services.probes.onUpdate((update) => {
    if (update.type === 'summary') rows.push(update.summary);
  });

  const window = services.alerts.addMaintenance({ subject: { kind: 'probe', probeId: child.id }, window: { kind: 'now', durationMinutes: 60 } });
  expect(rows.filter((r) => r.probe.id === child.id).at(-1)?.maintenance).toBe(true);
  expect(rows.filter((r) => r.probe.id === parent.id).at(-1)?.maintenance).toBe(false);

  rows.length = 0;
  services.alerts.endMaintenance(window.id);
  expect(rows.filter((r) => r.probe.id === child.id).at(-1)?.maintenance).toBe(false);

  rows.length = 0;
  const dependency = services.alerts.setDependency({ kind: 'probe', probeId: child.id }, { kind: 'probe', probeId: parent.id });
  expect(rows.map((r) => r.probe.id).sort()).toEqual([parent.id, child.id].sort());
  rows.length = 0;
  services.alerts.deleteDependency(dependency.id);
  expect(rows.map((r) => r.probe.id).sort()).toEqual([parent.id, child.id].sort());
});
