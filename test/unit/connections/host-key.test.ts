/**
 * fingerprintOf must print exactly what `ssh-keygen -lf` prints for the same key, since the user
 * compares the two by eye when deciding to trust a host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../main/services/connections/host-key';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-host-key-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function generate(type: string, name: string, extra: string[] = []): { blob: Buffer; expected: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...extra, '-N', '', '-C', 'test@control-room', '-f', file], {
    stdio: 'ignore',
  });
  // "ssh-ed25519 AAAA... comment": the middle field is the raw public key blob, base64.
  const [, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  // "256 SHA256:xxxx test@control-room (ED25519)"
  const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' });
  return { blob: Buffer.from(base64!, 'base64'), expected: printed.trim().split(/\s+/)[1]! };
}

describe('fingerprintOf', () => {
  it('matches ssh-keygen -lf for an ed25519 key', () => {
    const { blob, expected } = generate('ed25519', 'host_ed25519');
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintOf(blob)).toBe(expected);
  });

  it('matches ssh-keygen -lf for an ecdsa and an rsa key too', () => {
    for (const [type, extra] of [
      ['ecdsa', ['-b', '256']],
      ['rsa', ['-b', '2048']],
    ] as const) {
      const { blob, expected } = generate(type, `host_${type}`, [...extra]);
      expect(fingerprintOf(blob)).toBe(expected);
    }
  });

  it('tells two different keys apart', () => {
    const a = generate('ed25519', 'a_ed25519');
    const b = generate('ed25519', 'b_ed25519');
    expect(fingerprintOf(a.blob)).not.toBe(fingerprintOf(b.blob));
  });

  it('has no base64 padding', () => {
    // SHA-256 is 32 bytes: padded base64 would end in "=", which ssh-keygen leaves out.
    expect(fingerprintOf(Buffer.from('any key blob'))).not.toContain('=');
    expect(fingerprintOf(Buffer.from('any key blob'))).toHaveLength('SHA256:'.length + 43);
  });
});
