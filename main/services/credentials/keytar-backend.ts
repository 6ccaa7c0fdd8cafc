/**
 * The OS keychain through keytar: Keychain on macOS, Credential Vault on Windows, Secret Service
 * (gnome-keyring, KWallet, KeePassXC) on Linux. keytar is archived upstream, which is why it
 * stays behind `CredentialBackend`.
 */
import { createRequire } from 'node:module';
import type * as KeytarModule from 'keytar';
import type { CredentialBackend } from './credential-backend';
import { keychainError } from './keychain-errors';

type Keytar = typeof KeytarModule;

export const KEYCHAIN_SERVICE = 'control-room';

/** The account `check()` writes and removes again; never a target's secret ref. */
const CHECK_ACCOUNT = 'control-room/keychain-check';

export class KeytarBackend implements CredentialBackend {
  private keytar: Keytar | undefined;

  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  // A locked Secret Service collection hides its items: reads find nothing and deletes delete
  // nothing, without an error. So "nothing there" is confirmed with check(), which fails on a
  // locked keychain, before it is believed.

  async get(ref: string) {
    const value = await this.call((k) => k.getPassword(this.service, ref));
    if (value === null) await this.check();
    return value;
  }

  async set(ref: string, value: string) {
    await this.call((k) => k.setPassword(this.service, ref, value));
  }

  async delete(ref: string) {
    const deleted = await this.call((k) => k.deletePassword(this.service, ref));
    if (!deleted) await this.check();
    return deleted;
  }

  /**
   * Reads and listings are not enough: gnome-keyring lists a locked collection as simply empty.
   * Writing (then removing) a marker item meets exactly what a real write would.
   */
  async check() {
    await this.call(async (k) => {
      await k.setPassword(this.service, CHECK_ACCOUNT, 'ok');
      await k.deletePassword(this.service, CHECK_ACCOUNT);
    });
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
