/**
 * The OS keychain through keytar: Keychain on macOS, Credential Vault on Windows, Secret Service
 * (gnome-keyring, KWallet, KeePassXC) on Linux. keytar is archived upstream, which is why it
 * stays behind `CredentialBackend`.
 */
import { createRequire } from 'node:module';
import type { CredentialBackend } from './credential-backend';
import { keychainError } from './keychain-errors';

type Keytar = typeof import('keytar');

export const KEYCHAIN_SERVICE = 'control-room';

export class KeytarBackend implements CredentialBackend {
  private keytar: Keytar | undefined;

  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async get(ref: string) {
    return this.call((k) => k.getPassword(this.service, ref));
  }

  async set(ref: string, value: string) {
    await this.call((k) => k.setPassword(this.service, ref, value));
  }

  async delete(ref: string) {
    return this.call((k) => k.deletePassword(this.service, ref));
  }

  /** A read is not enough (reads work on a locked keyring on some platforms): list the service. */
  async check() {
    await this.call((k) => k.findCredentials(this.service));
  }

  private async call<T>(run: (keytar: Keytar) => Promise<T>): Promise<T> {
    try {
      // Loaded on first use so a missing native module is a clear error, not a crash at start-up.
      this.keytar ??= createRequire(__filename)('keytar') as Keytar;
      return await run(this.keytar);
    } catch (error) {
      throw keychainError(error);
    }
  }
}
