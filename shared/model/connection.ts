/**
 * The state of a target's connection, as shown wherever the target appears.
 */
import { z } from 'zod';

export const ConnectionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('connecting') }),
  z.object({ status: z.literal('connected'), since: z.string() }),
  z.object({ status: z.literal('reconnecting'), at: z.string(), attempt: z.number().int(), reason: z.string() }),
  /** First contact with an SSH host: the user must compare and trust its fingerprint. */
  z.object({ status: z.literal('untrusted-host-key'), fingerprint: z.string(), host: z.string() }),
  z.object({
    status: z.literal('failed'),
    reason: z.string(),
    code: z.enum(['host-key-mismatch', 'auth', 'unreachable', 'keychain', 'config', 'docker']),
  }),
]);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const TargetConnectionState = z.object({ targetId: z.string(), state: ConnectionState });
export type TargetConnectionState = z.infer<typeof TargetConnectionState>;
