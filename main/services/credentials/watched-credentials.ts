/**
 * A credential backend that says when a secret changed. Whoever keeps something derived from the
 * keychain's values (the log mask's set of secrets to hide) learns here that it must read them
 * again, whichever service wrote them: `createServices` wraps the backend it is given once, first
 * thing, so every service writes through this one.
 *
 * Listeners are told after a write succeeded (a refused write changed nothing), with the ref
 * only, never the value. A listener that throws does not fail the write or the other listeners.
 */
import type { CredentialBackend } from './credential-backend';

export type CredentialChange = { ref: string; change: 'set' | 'deleted' };

export class WatchedCredentials implements CredentialBackend {
  private readonly listeners = new Set<(change: CredentialChange) => void>();

  constructor(private readonly backend: CredentialBackend) {}

  get(ref: string): Promise<string | null> {
    return this.backend.get(ref);
  }

  async set(ref: string, value: string): Promise<void> {
    await this.backend.set(ref, value);
    this.tell({ ref, change: 'set' });
  }

  async delete(ref: string): Promise<boolean> {
    const deleted = await this.backend.delete(ref);
    if (deleted) this.tell({ ref, change: 'deleted' });
    return deleted;
  }

  check(): Promise<void> {
    return this.backend.check();
  }

  /** Calls `listener` after every successful set and every delete that removed something; returns the unsubscribe. */
  onChanged(listener: (change: CredentialChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listeners are subscribed: tests check that closing the services left none. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private tell(change: CredentialChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // The secret is written either way; one broken listener must not undo that or stop the others.
      }
    }
  }
}
