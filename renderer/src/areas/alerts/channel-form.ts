/**
 * The channel dialog's state and the draft it becomes: name, kind, the email settings, and the
 * kind's keychain secrets (typed once; a stored one is only ever "set" or "not set").
 */
import {
  CHANNEL_SECRET_SLOTS,
  REQUIRED_CHANNEL_SECRETS,
  type Channel,
  type ChannelDraftInput,
  type ChannelKind,
  type SmtpSecurity,
} from '../../../../shared/model/channels';
import type { SecretField } from '../targets/target-form';

export const KIND_LABELS: Record<ChannelKind, string> = {
  desktop: 'Desktop notification',
  webhook: 'Webhook (JSON)',
  slack: 'Slack',
  discord: 'Discord',
  email: 'Email (SMTP)',
};

export const SECURITY_LABELS: Record<SmtpSecurity, string> = {
  starttls: 'STARTTLS',
  tls: 'TLS',
  none: 'None',
};

/** The usual port for each kind of SMTP security, offered when the port was left at another's. */
export const SECURITY_PORTS: Record<SmtpSecurity, number> = { starttls: 587, tls: 465, none: 25 };

export interface ChannelFormState {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  email: { host: string; port: string; security: SmtpSecurity; from: string; to: string };
  secrets: Record<string, SecretField>;
}

export function emptyChannelForm(kind: ChannelKind = 'webhook'): ChannelFormState {
  return {
    name: '',
    kind,
    enabled: true,
    email: { host: '', port: '587', security: 'starttls', from: '', to: '' },
    secrets: {},
  };
}

export function channelFormOf(channel: Channel): ChannelFormState {
  const form = emptyChannelForm(channel.kind);
  form.name = channel.name;
  form.enabled = channel.enabled;
  if (channel.kind === 'email') {
    const s = channel.settings;
    form.email = { host: s.host, port: String(s.port), security: s.security, from: s.from, to: s.to.join(', ') };
  }
  return form;
}

export function secretField(form: ChannelFormState, slot: string): SecretField {
  return form.secrets[slot] ?? { value: '', clear: false };
}

/** Recipients as typed: separated by commas, semicolons or whitespace. */
export function recipientsOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The draft to send, and the messages for what is plainly missing (main checks the rest). A
 * secret is only sent when typed (set) or when Clear is ticked on a stored one (null).
 */
export function channelDraftOf(
  form: ChannelFormState,
  channel?: Channel,
): { draft: ChannelDraftInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const secrets: Record<string, string | null> = {};
  for (const slot of CHANNEL_SECRET_SLOTS[form.kind]) {
    const field = secretField(form, slot);
    const stored = channel?.kind === form.kind && channel.secrets[slot]?.present;
    if (field.clear && stored) secrets[slot] = null;
    else if (!field.clear && field.value !== '') secrets[slot] = field.value;
    const required = (REQUIRED_CHANNEL_SECRETS[form.kind] as readonly string[]).includes(slot);
    if (required && secrets[slot] === undefined && !stored) errors[`secrets.${slot}`] = 'Paste the webhook URL.';
    if (required && secrets[slot] === null)
      errors[`secrets.${slot}`] = 'A webhook needs its URL; paste a new one instead.';
  }
  if (!form.name.trim()) errors.name = 'Give the channel a name.';
  const base = { name: form.name.trim(), enabled: form.enabled };
  const withSecrets = Object.keys(secrets).length ? { secrets } : {};
  if (form.kind === 'email') {
    const port = Number(form.email.port);
    if (!Number.isInteger(port)) errors['settings.port'] = 'The port is a whole number, like 587.';
    const draft = {
      ...base,
      kind: 'email',
      settings: {
        host: form.email.host.trim(),
        port,
        security: form.email.security,
        from: form.email.from.trim(),
        to: recipientsOf(form.email.to),
      },
      ...withSecrets,
    } as ChannelDraftInput;
    return { draft, errors };
  }
  return { draft: { ...base, kind: form.kind, settings: {}, ...withSecrets } as ChannelDraftInput, errors };
}

/** Error keys main may return that the dialog has a field for. */
export function isChannelFieldShown(key: string, form: ChannelFormState): boolean {
  if (key === 'name') return true;
  if (key.startsWith('settings.')) return form.kind === 'email';
  const slot = /^secrets\.(\w+)$/.exec(key)?.[1];
  return slot !== undefined && (CHANNEL_SECRET_SLOTS[form.kind] as readonly string[]).includes(slot);
}

/** `settings.to.0` → `settings.to`: one message per field. */
export function channelFieldKey(key: string): string {
  return key.replace(/^(settings\.to)\.\d+$/, '$1');
}

/** What a channel card says under its name. */
export function describeChannel(channel: Channel): string {
  switch (channel.kind) {
    case 'desktop':
      return 'A system notification on this machine; clicking it opens the probe.';
    case 'email': {
      const s = channel.settings;
      return `${s.host}:${s.port} · ${SECURITY_LABELS[s.security]} · from ${s.from} to ${s.to.join(', ')}`;
    }
    default: {
      const url = channel.secrets.url?.present ? 'URL set' : 'URL not set';
      const token = channel.secrets.token?.present ? 'token set' : 'no token';
      return `${url} · ${token} (both in the keychain)`;
    }
  }
}
