/**
 * Every secret value the keychain holds for the targets, probes, alert channels and runbook
 * secrets — the values a bundle must never carry, whatever file they turn up in. Read in main
 * only; a locked keychain is an error (exporting without knowing the secrets would leak them).
 * NOT BUILT YET.
 */
import type { Services } from '../index';

export function keychainSecrets(_services: Services): Promise<string[]> {
  return Promise.resolve([]);
}
