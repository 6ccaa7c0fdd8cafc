/**
 * Alert channels: where alert messages go, and how their secrets are described.
 *
 * Five kinds: `desktop` (a system notification; nothing to configure), `webhook` (generic JSON,
 * docs/alerts.md), `slack` and `discord` (those services' incoming-webhook bodies), and `email`
 * (SMTP). A webhook's URL is itself a secret (Slack's and Discord's carry their key in the path),
 * so it lives in the keychain with the optional bearer token; SMTP's user name and password do
 * too. As for targets and probes, the renderer sees each slot as `{ ref, present }` and only a
 * draft carries a value, once, on its way to the keychain.
 */
import { z } from 'zod';
import { SecretInput, SecretStatus } from './target';

export const CHANNEL_KINDS = ['desktop', 'webhook', 'slack', 'discord', 'email'] as const;
export const ChannelKind = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** Which secrets each kind of channel keeps in the keychain (ref `channel/<id>/<slot>`). */
export const CHANNEL_SECRET_SLOTS = {
  desktop: [],
  webhook: ['url', 'token'],
  slack: ['url', 'token'],
  discord: ['url', 'token'],
  email: ['username', 'password'],
} as const satisfies Record<ChannelKind, readonly string[]>;
export type ChannelSecretSlot = (typeof CHANNEL_SECRET_SLOTS)[ChannelKind][number];

/** Slots a channel cannot deliver without. */
export const REQUIRED_CHANNEL_SECRETS: Record<ChannelKind, readonly ChannelSecretSlot[]> = {
  desktop: [],
  webhook: ['url'],
  slack: ['url'],
  discord: ['url'],
  email: [],
};

export const CHANNEL_SECRET_LABELS: Record<ChannelSecretSlot, string> = {
  url: 'Webhook URL',
  token: 'Bearer token (optional)',
  username: 'SMTP user name',
  password: 'SMTP password',
};

export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;
export const SmtpSecurity = z.enum(SMTP_SECURITY);
export type SmtpSecurity = z.infer<typeof SmtpSecurity>;

export const ChannelId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a channel id.');

const ChannelName = z
  .string()
  .trim()
  .min(1, 'Give the channel a name.')
  .max(64, 'Keep the name under 64 characters.')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._#@-]*$/u, 'Use letters, digits, spaces, dots, dashes, # or @.');

const EmailAddress = z.string().trim().max(320).email('Enter an email address, like ops@example.com.');

export const EmailSettings = z.strictObject({
  host: z
    .string()
    .trim()
    .min(1, 'Enter the SMTP server, like smtp.example.com.')
    .max(255)
    .regex(/^[A-Za-z0-9.:_[\]-]+$/, 'Enter a host name or IP address, without a port.'),
  port: z.number().int('The port is a whole number.').min(1, 'Ports run 1–65535.').max(65535, 'Ports run 1–65535.'),
  /** `starttls`: plain then upgraded (usually 587); `tls`: TLS from the start (465); `none`: never encrypted. */
  security: SmtpSecurity,
  from: EmailAddress,
  to: z.array(EmailAddress).min(1, 'Add at least one recipient.').max(50, 'At most 50 recipients.'),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

const NoSettings = z.strictObject({});

export const DEFAULT_CHANNEL_SETTINGS = {
  desktop: {},
  webhook: {},
  slack: {},
  discord: {},
  email: { host: '', port: 587, security: 'starttls', from: '', to: [] },
} as const;

const draftBase = { name: ChannelName, enabled: z.boolean().default(true) };
const webhookSecrets = z.strictObject({ url: SecretInput.optional(), token: SecretInput.optional() }).optional();

/** A channel as the renderer writes it: a secret string sets it, null clears it, absent keeps it. */
export const ChannelDraft = z.discriminatedUnion('kind', [
  z.strictObject({ ...draftBase, kind: z.literal('desktop'), settings: NoSettings, secrets: z.strictObject({}).optional() }),
  z.strictObject({ ...draftBase, kind: z.literal('webhook'), settings: NoSettings, secrets: webhookSecrets }),
  z.strictObject({ ...draftBase, kind: z.literal('slack'), settings: NoSettings, secrets: webhookSecrets }),
  z.strictObject({ ...draftBase, kind: z.literal('discord'), settings: NoSettings, secrets: webhookSecrets }),
  z.strictObject({
    ...draftBase,
    kind: z.literal('email'),
    settings: EmailSettings,
    secrets: z.strictObject({ username: SecretInput.optional(), password: SecretInput.optional() }).optional(),
  }),
]);
export type ChannelDraft = z.infer<typeof ChannelDraft>;
export type ChannelDraftInput = z.input<typeof ChannelDraft>;

const channelBase = {
  id: ChannelId,
  name: z.string(),
  enabled: z.boolean(),
  secrets: z.record(z.string(), SecretStatus),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** A channel as main sends it out; strict, so no secret value can ride along. */
export const Channel = z.discriminatedUnion('kind', [
  z.strictObject({ ...channelBase, kind: z.literal('desktop'), settings: NoSettings }),
  z.strictObject({ ...channelBase, kind: z.literal('webhook'), settings: NoSettings }),
  z.strictObject({ ...channelBase, kind: z.literal('slack'), settings: NoSettings }),
  z.strictObject({ ...channelBase, kind: z.literal('discord'), settings: NoSettings }),
  z.strictObject({ ...channelBase, kind: z.literal('email'), settings: EmailSettings }),
]);
export type Channel = z.infer<typeof Channel>;

/** What one delivery came to: whether it arrived, after how many attempts, the last HTTP status and the error sentence. */
export const DeliveryOutcome = z.object({
  channelId: z.string(),
  ok: z.boolean(),
  attempts: z.number().int().min(0),
  error: z.string().nullable(),
  status: z.number().int().nullable().optional(),
});
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

/** A desktop notification for the window to show; clicking it opens `probeId`'s page when there is one. */
export const DesktopNotice = z.object({
  title: z.string().max(256),
  body: z.string().max(2000),
  probeId: z.string().max(64).nullable(),
});
export type DesktopNotice = z.infer<typeof DesktopNotice>;

/** Where a clicked notification takes the window. */
export function probeRoute(probeId: string): string {
  return `#/integrations/probe/${encodeURIComponent(probeId)}`;
}
