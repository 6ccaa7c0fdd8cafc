/**
 * What an alert channel delivers: one message, whatever the channel.
 *
 * Alert rules (and "Send test") build an `AlertMessage`; each channel kind (desktop, webhook,
 * Slack, Discord, email) renders it in its own shape. It carries the probe it is about, the
 * status that triggered it, the failed conditions with what was observed, and the target it ran
 * against, so a receiver needs nothing else to act on it. docs/alerts.md documents the webhook's
 * JSON, which is this object as it is.
 */
import { z } from 'zod';

export const ALERT_MESSAGE_KINDS = ['alert', 'resolved', 'reminder', 'stale', 'test'] as const;
export const AlertMessageKind = z.enum(ALERT_MESSAGE_KINDS);
export type AlertMessageKind = z.infer<typeof AlertMessageKind>;

export const AlertMessage = z.object({
  kind: AlertMessageKind,
  probe: z
    .object({
      id: z.string(),
      name: z.string(),
      scope: z.string(),
      provider: z.string().nullable(),
      check: z.string(),
    })
    .nullable(),
  status: z.string().nullable(),
  summary: z.string(),
  detail: z.string(),
  failedConditions: z.array(z.object({ expression: z.string(), observed: z.string().nullable() })),
  at: z.string(),
  target: z.object({ name: z.string(), environment: z.string() }).nullable(),
});
export type AlertMessage = z.infer<typeof AlertMessage>;
