/**
 * The migrations section's own cuts, on a real command: output longer than the section keeps
 * whole lines only (a line cut at its front could start with the tail of a secret), and the
 * failing line in the error is shortened by the reader, so a bundle can redact it first.
 */
import { describe, expect, it } from 'vitest';
import { MigrationsRunner } from '../../../agent/context/migrations';
import { Redactor } from '../../../node/redact/redactor';

const SECRET = 'migrate-db-password-4242';

function runner(command: string): MigrationsRunner {
  return new MigrationsRunner({ command, cwd: null, timeoutSeconds: 20, cacheSeconds: 60 }, { PATH: process.env.PATH, DB_PASSWORD: SECRET });
}

describe('MigrationsRunner', () => {
  it('keeps the last 64 KB of a long output from the start of a line', async () => {
    // 5,000 lines of 41 characters: 205,000 in all, so the front is cut.
    const outcome = await runner('i=10000; while [ $i -lt 15000 ]; do echo "migration $i $DB_PASSWORD"; i=$((i+1)); done').read();
    if (!outcome.ok) throw new Error(outcome.error);
    const { output } = outcome.data;
    expect(output.length).toBeLessThanOrEqual(64 * 1024);
    expect(output.length).toBeGreaterThan(60 * 1024);
    expect(output.split('\n').slice(0, -1).every((line) => line === `migration ${line.slice(10, 15)} ${SECRET}`)).toBe(true);
    expect(output.endsWith(`migration 14999 ${SECRET}\n`)).toBe(true);
  });

  it('lets the reader shorten the failing line: cut alone for /context, redacted then cut for a bundle', async () => {
    const migrations = runner(`echo "connecting"; echo "${'.'.repeat(290)}$DB_PASSWORD was refused" >&2; exit 2`);
    expect(await migrations.read()).toEqual({ ok: false, error: `The migrations command exited with code 2: ${'.'.repeat(290)}${SECRET.slice(0, 10)}…` });
    const redactor = new Redactor([SECRET]);
    // The same cached run, read for a bundle.
    expect(await migrations.read((text, max) => redactor.textCut(text, max))).toEqual({
      ok: false,
      error: `The migrations command exited with code 2: ${'.'.repeat(290)}[redacted]…`,
    });
  });
});
