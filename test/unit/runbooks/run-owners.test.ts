/**
 * RunOwners with real processes: a live child owns its run, a killed one does not, and this
 * process's own runs always count as leftovers (a second set of services in one process).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStartTime, RunOwners } from '../../../main/services/runbooks/run-owners';

const dir = mkdtempSync(join(tmpdir(), 'cr-run-owners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ownerFile(runId: string, pid: number, startTime: string | null) {
  writeFileSync(join(dir, runId), JSON.stringify({ pid, startTime }));
}

describe('RunOwners', () => {
  it('a run claimed here is not owned elsewhere; released, it has no owner', () => {
    const owners = new RunOwners(dir);
    owners.claim('run-here');
    expect(owners.ownedElsewhere('run-here')).toBe(false);
    owners.release('run-here');
    owners.release('run-here');
    expect(owners.ownedElsewhere('run-here')).toBe(false);
  });

  it('a live other process owns its run until it is killed; a reused PID with another start time does not', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => child.once('spawn', resolve));
    const pid = child.pid!;
    const owners = new RunOwners(dir);
    ownerFile('run-there', pid, processStartTime(pid));
    ownerFile('run-reused', pid, '1');
    ownerFile('run-unknown-start', pid, null);
    expect(owners.ownedElsewhere('run-there')).toBe(true);
    expect(owners.ownedElsewhere('run-reused')).toBe(false);
    expect(owners.ownedElsewhere('run-unknown-start')).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(owners.ownedElsewhere('run-there')).toBe(false);
  });

  it('an unreadable owner file counts as no owner', () => {
    writeFileSync(join(dir, 'run-garbled'), '{not json');
    expect(new RunOwners(dir).ownedElsewhere('run-garbled')).toBe(false);
  });
});
