/**
 * Where secrets live. The app's only implementation for real use is the OS keychain
 * (`keytar-backend.ts`); Electron's `safeStorage` can replace it later behind this interface.
 * There is deliberately no file or database fallback: a secret that cannot go to the keychain
 * is not stored at all, and the user is told why.
 */
export interface CredentialBackend {
  /** The secret under `ref`, or null when none is stored. */
  get(ref: string): Promise<string | null>;
  set(ref: string, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(ref: string): Promise<boolean>;
  /** Throws the same clear error a write would when the backend cannot be used right now. */
  check(): Promise<void>;
}

/** Keeps secrets in process memory; for unit tests of code that only needs the interface. */
export class MemoryCredentialBackend implements CredentialBackend {
  readonly values = new Map<string, string>();

  async get(ref: string) {
    return this.values.get(ref) ?? null;
  }
  async set(ref: string, value: string) {
    this.values.set(ref, value);
  }
  async delete(ref: string) {
    return this.values.delete(ref);
  }
  async check() {}
}
