/**
 * Targets found in the user's ~/.ssh/config and Docker contexts, offered for import. Nothing is
 * imported until the user picks it.
 */
import { z } from 'zod';
import { Environment, TargetKind } from './target';

export const ImportCandidate = z.object({
  /** Stable within a scan: `ssh-config:<Host>` or `docker-context:<name>`. */
  key: z.string(),
  source: z.enum(['ssh-config', 'docker-context']),
  name: z.string(),
  kind: TargetKind,
  settings: z.record(z.string(), z.union([z.string(), z.number()])),
  /** A key file named by the config; its contents are copied to the keychain only if asked. */
  identityFile: z.string().nullable(),
  suggestedEnvironment: Environment,
  /** Set when the entry cannot be imported as it is (ProxyJump, a TCP endpoint…). */
  unsupported: z.string().nullable(),
  /** A target with this name exists already. */
  exists: z.boolean(),
});
export type ImportCandidate = z.infer<typeof ImportCandidate>;

export const ImportScan = z.object({ candidates: z.array(ImportCandidate), problems: z.array(z.string()) });
export type ImportScan = z.infer<typeof ImportScan>;

export const ImportSelection = z.strictObject({
  key: z.string().max(300),
  environment: Environment,
  copyIdentityFile: z.boolean(),
});
export type ImportSelection = z.infer<typeof ImportSelection>;

export const ImportResult = z.object({
  created: z.array(z.object({ key: z.string(), targetId: z.string(), name: z.string() })),
  failed: z.array(z.object({ key: z.string(), message: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;
