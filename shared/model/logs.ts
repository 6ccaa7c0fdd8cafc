/**
 * Live logs: one entry shape for Docker and ops-API sources, what a pane follows, and what the
 * offline cache answers.
 */
import { z } from 'zod';
import { LogLevel } from './ops';

export const LogStream = z.enum(['stdout', 'stderr']);

export const LogEntry = z.object({
  /** ISO time with milliseconds (Docker's nanoseconds are cut, podman's whole seconds kept). */
  ts: z.string(),
  target: z.string(),
  service: z.string().nullable(),
  /** Container name (Docker) or service name (ops API). */
  container: z.string(),
  stream: LogStream,
  level: LogLevel.nullable(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;

/** Something a pane can follow on a target: a container (Docker) or a service (ops API). */
export const LogSourceOption = z.object({
  /** Stable key within the target: `container:<name>` or `service:<name>`. */
  key: z.string(),
  label: z.string(),
  service: z.string().nullable(),
  project: z.string().nullable(),
  state: z.string().nullable(),
});
export type LogSourceOption = z.infer<typeof LogSourceOption>;

export const LogSourceKey = z.string().regex(/^(container|service):[A-Za-z0-9_.\-/]{1,200}$/, 'Not a log source.');

export const SourceState = z.enum(['live', 'reconnecting', 'ended', 'error']);
export type SourceState = z.infer<typeof SourceState>;

/** Events of one `logs:follow` subscription. */
export const LogFollowEvent = z.discriminatedUnion('type', [
  /** First event: the id to acknowledge lines with (flow control). */
  z.object({ type: z.literal('started'), followId: z.string() }),
  z.object({ type: z.literal('lines'), lines: z.array(LogEntry) }),
  z.object({ type: z.literal('source'), source: z.string(), state: SourceState, reason: z.string().optional() }),
]);
export type LogFollowEvent = z.infer<typeof LogFollowEvent>;

export const LogCacheLimits = z.strictObject({
  maxBytes: z.number().int().min(1 << 20).max(64 * (1 << 30)),
  maxAgeHours: z.number().int().min(1).max(24 * 365),
});
export type LogCacheLimits = z.infer<typeof LogCacheLimits>;

export const LogCacheSummary = z.object({
  limits: LogCacheLimits,
  services: z.array(
    z.object({ target: z.string(), container: z.string(), lines: z.number(), bytes: z.number(), oldest: z.string(), newest: z.string() }),
  ),
});
export type LogCacheSummary = z.infer<typeof LogCacheSummary>;
