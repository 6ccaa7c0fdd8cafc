/**
 * SSH host key fingerprints, in the form `ssh-keygen -lf` prints: `SHA256:` and the unpadded
 * base64 of the SHA-256 of the raw public key blob.
 */
import { createHash } from 'node:crypto';

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
