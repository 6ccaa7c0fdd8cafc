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

/** What the lines of one source share: sent once per batch of a `lines` event. */
export const LogBatchSource = z.object({
  target: z.string(),
  service: z.string().nullable(),
  container: z.string(),
});
export type LogBatchSource = z.infer<typeof LogBatchSource>;

/** One line of a `lines` event: [index into the batch's sources, time in epoch ms, stream, level, message]. */
export const LogBatchLine = z.tuple([
  z.number().int().nonnegative(),
  z.number(),
  LogStream,
  LogLevel.nullable(),
  z.string(),
]);
export type LogBatchLine = z.infer<typeof LogBatchLine>;

/**
 * A batch of followed lines as it travels. A list of LogEntry objects repeated the target,
 * service and container (and every field name) on every line: tuples and a source table carry
 * the same in a little over half the bytes, and a burst of 100,000 lines a second is paid for in
 * bytes three times over (main writes them, the transport carries them, the page parses them).
 * `batchEntries` gives the entries back.
 */
export const LogBatch = z
  .object({ type: z.literal('lines'), sources: z.array(LogBatchSource), lines: z.array(LogBatchLine) })
  .refine(
    (batch) => batch.lines.every((line) => line[0] < batch.sources.length),
    'A line names a source the batch lacks.',
  );
export type LogBatch = z.infer<typeof LogBatch>;

/** The entries of a batch, as `logs:query` would return them. */
export function batchEntries(batch: LogBatch): LogEntry[] {
  return batch.lines.map(([source, tsMs, stream, level, message]) => ({
    ts: new Date(tsMs).toISOString(),
    ...batch.sources[source]!,
    stream,
    level,
    message,
  }));
}

/** Events of one `logs:follow` subscription. */
export const LogFollowEvent = z.discriminatedUnion('type', [
  /** First event: the id to acknowledge lines with (flow control). */
  z.object({ type: z.literal('started'), followId: z.string() }),
  LogBatch,
  z.object({ type: z.literal('source'), source: z.string(), state: SourceState, reason: z.string().optional() }),
  /** How many keychain secrets were masked in a source's lines so far in this follow (docs/logs.md). */
  z.object({ type: z.literal('masked'), source: z.string(), total: z.number().int().nonnegative() }),
]);
export type LogFollowEvent = z.infer<typeof LogFollowEvent>;

export const LogCacheLimits = z.strictObject({
  maxBytes: z
    .number()
    .int()
    .min(1 << 20)
    .max(64 * (1 << 30)),
  maxAgeHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365),
});
export type LogCacheLimits = z.infer<typeof LogCacheLimits>;

export const LogCacheSummary = z.object({
  limits: LogCacheLimits,
  services: z.array(
    z.object({
      target: z.string(),
      container: z.string(),
      lines: z.number(),
      bytes: z.number(),
      oldest: z.string(),
      newest: z.string(),
    }),
  ),
});
export type LogCacheSummary = z.infer<typeof LogCacheSummary>;
