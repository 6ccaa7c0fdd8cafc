/**
 * Alert channels: where alert messages go (desktop, webhook, Slack, Discord, email).
 *
 * Saved in SQLite with their secrets in the keychain (`channel/<id>/<slot>`), in the same order
 * as probes: on create and update the secrets are written first and the row after; on delete
 * the secrets go first. `deliver()` sends one message to one channel with retries and always
 * resolves with an outcome — a failed delivery is reported, never thrown and never dropped.
 * The desktop channel hands its notice to the windows listening on `channels:desktop`.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../../shared/errors';
import type { AlertMessage } from '../../../../shared/model/alert-message';
import {
  CHANNEL_SECRET_SLOTS,
  REQUIRED_CHANNEL_SECRETS,
  type Channel,
  type ChannelDraft,
  type DeliveryOutcome,
  type DesktopNotice,
} from '../../../../shared/model/channels';
import { isoNow, systemClock, type Clock } from '../../../../node/clock';
import type { CredentialBackend } from '../../credentials/credential-backend';
import type { Db } from '../../store/database';
import { ChannelStore, channelSecretRef } from './channel-store';
import { DEFAULT_RETRY, postJson, withRetries, type RetryOptions } from './deliver-http';
import { sendEmail } from './deliver-email';
import { desktopNotice, discordBody, emailSubject, emailText, slackBody, webhookBody } from './message-bodies';

export type { Channel, DeliveryOutcome };

export const CHANNEL_OFF_MESSAGE = 'The channel is turned off — turn it on under Alerts to have alerts delivered to it.';

export const NO_WINDOW_MESSAGE = 'No Control Room window is open to show the notification — open the app and send it again.';

export interface ChannelsServiceOptions {
  retry?: Partial<RetryOptions>;
}

export class ChannelsService {
  private readonly store: ChannelStore;
  private readonly retry: RetryOptions;
  private readonly desktopListeners = new Set<(notice: DesktopNotice) => void>();

  constructor(
    db: Db,
    private readonly credentials: CredentialBackend,
    private readonly clock: Clock = systemClock,
    options: ChannelsServiceOptions = {},
  ) {
    this.store = new ChannelStore(db);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  list(): Channel[] {
    return this.store.list();
  }

  get(id: string): Channel {
    return this.store.get(id);
  }

  /** By id, else by name (any case): what `opsctl alerts test CHANNEL` accepts. */
  resolve(idOrName: string): Channel {
    const channel = this.store.find(idOrName) ?? this.store.findByName(idOrName);
    if (!channel) throw new ApiError('not-found', `There is no channel "${idOrName}" — list them with opsctl alerts channels.`);
    return channel;
  }

  async create(draft: ChannelDraft): Promise<Channel> {
    this.store.assertNameFree(draft.name);
    const id = randomUUID();
    const written = await this.writeSecrets(id, draft, []);
    try {
      this.store.insert(id, draft, isoNow(this.clock), written.set);
    } catch (error) {
      await this.forgetSecrets(id, written.set).catch(() => undefined);
      throw error;
    }
    return this.store.get(id);
  }

  async update(id: string, draft: ChannelDraft): Promise<Channel> {
    const before = this.store.get(id);
    this.store.assertNameFree(draft.name, id);
    const present = Object.entries(before.secrets)
      .filter(([, status]) => status.present)
      .map(([slot]) => slot);
    const written = await this.writeSecrets(id, draft, before.kind === draft.kind ? present : []);
    // Slots the channel no longer has (its kind changed) are cleared.
    const slots = new Set<string>(CHANNEL_SECRET_SLOTS[draft.kind]);
    const dropped = present.filter((slot) => !slots.has(slot));
    await this.forgetSecrets(id, dropped);
    this.store.update(id, draft, isoNow(this.clock), written.set, [...written.cleared, ...dropped]);
    return this.store.get(id);
  }

  async delete(id: string): Promise<{ id: string }> {
    const channel = this.store.get(id);
    await this.forgetSecrets(id, Object.keys(channel.secrets));
    this.store.delete(id);
    return { id };
  }

  /** Sends a `test` message to the channel now: "Send test" in the UI and opsctl. */
  test(id: string, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const channel = this.store.get(id);
    // A test goes out even to a channel that is off: checking it before turning it on is the point.
    return this.attempt(channel, testMessage(channel, isoNow(this.clock)), signal);
  }

  /** Delivers `message`; resolves with how it went, whatever happened. */
  async deliver(channelId: string, message: AlertMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const channel = this.store.find(channelId);
    if (!channel) return { channelId, ok: false, attempts: 0, error: 'The channel no longer exists — pick another one.', status: null };
    if (!channel.enabled) return { channelId, ok: false, attempts: 0, error: CHANNEL_OFF_MESSAGE, status: null };
    return this.attempt(channel, message, signal);
  }

  private async attempt(channel: Channel, message: AlertMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const channelId = channel.id;
    try {
      return { channelId, ...(await this.send(channel, message, signal)) };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return { channelId, ok: false, attempts: 0, error: text, status: null };
    }
  }

  /** Each desktop notice, for the windows (`channels:desktop`); returns the unsubscribe. */
  onDesktop(listener: (notice: DesktopNotice) => void): () => void {
    this.desktopListeners.add(listener);
    return () => this.desktopListeners.delete(listener);
  }

  private async send(channel: Channel, message: AlertMessage, signal?: AbortSignal) {
    const secrets = await this.readSecrets(channel);
    for (const slot of REQUIRED_CHANNEL_SECRETS[channel.kind]) {
      if (!secrets[slot]) {
        return { ok: false, attempts: 0, status: null, error: `The channel's ${slot === 'url' ? 'webhook URL' : slot} is not set — enter it in the channel's settings.` };
      }
    }
    const values = Object.values(secrets).filter((v): v is string => !!v);
    // SMTP's AUTH sends them base64-encoded (PLAIN as one string, LOGIN one by one): an error
    // quoting the exchange must not carry them in that form either.
    if (secrets.password) {
      const plain = Buffer.from(`\u0000${secrets.username ?? ''}\u0000${secrets.password}`).toString('base64');
      values.push(plain, Buffer.from(secrets.password).toString('base64'));
    }
    const options = { clock: this.clock, retry: this.retry, signal, secrets: values };
    switch (channel.kind) {
      case 'desktop': {
        if (this.desktopListeners.size === 0) return { ok: false, attempts: 1, status: null, error: NO_WINDOW_MESSAGE };
        const notice = desktopNotice(message);
        for (const listener of this.desktopListeners) listener(notice);
        return { ok: true, attempts: 1, status: null, error: null };
      }
      case 'webhook':
        return withRetries(postJson(secrets.url!, webhookBody(message), secrets.token ?? null), options);
      case 'slack':
        return withRetries(postJson(secrets.url!, slackBody(message), secrets.token ?? null), options);
      case 'discord':
        return withRetries(postJson(secrets.url!, discordBody(message), secrets.token ?? null), options);
      case 'email': {
        const auth = secrets.username || secrets.password ? { user: secrets.username ?? '', pass: secrets.password ?? '' } : null;
        const content = { subject: emailSubject(message), text: emailText(message) };
        return withRetries(sendEmail(channel.settings, auth, content, this.retry.timeoutMs), options);
      }
    }
  }

  private async readSecrets(channel: Channel): Promise<Record<string, string | null>> {
    const values: Record<string, string | null> = {};
    for (const [slot, status] of Object.entries(channel.secrets)) {
      values[slot] = status.present ? await this.credentials.get(channelSecretRef(channel.id, slot)) : null;
    }
    return values;
  }

  /** Writes the draft's secrets; `kept` are slots already set that the draft leaves as they are. */
  private async writeSecrets(id: string, draft: ChannelDraft, kept: readonly string[]): Promise<{ set: string[]; cleared: string[] }> {
    const given: Record<string, string | null | undefined> = draft.secrets ?? {};
    const set: string[] = [];
    const cleared: string[] = [];
    if (typeof given.url === 'string' && !isHttpUrl(given.url)) {
      throw new ApiError('invalid-request', 'The webhook URL must start with https:// or http://.', { 'secrets.url': 'Enter an http(s) URL.' });
    }
    try {
      for (const [slot, value] of Object.entries(given)) {
        if (value === undefined) continue;
        if (value === null) {
          await this.credentials.delete(channelSecretRef(id, slot));
          cleared.push(slot);
        } else {
          await this.credentials.set(channelSecretRef(id, slot), value);
          set.push(slot);
        }
      }
    } catch (error) {
      if (kept.length === 0) await this.forgetSecrets(id, set).catch(() => undefined);
      throw error;
    }
    const missing = REQUIRED_CHANNEL_SECRETS[draft.kind].filter(
      (slot) => !set.includes(slot) && (!kept.includes(slot) || cleared.includes(slot)),
    );
    if (missing.length > 0) {
      if (kept.length === 0) await this.forgetSecrets(id, set).catch(() => undefined);
      throw new ApiError('invalid-request', 'Enter the webhook URL — the channel cannot deliver without it.', { 'secrets.url': 'Enter the webhook URL.' });
    }
    return { set, cleared };
  }

  private async forgetSecrets(id: string, slots: readonly string[]): Promise<void> {
    for (const slot of slots) await this.credentials.delete(channelSecretRef(id, slot));
  }
}

/** The message "Send test" delivers. */
export function testMessage(channel: Channel, at: string): AlertMessage {
  return {
    kind: 'test',
    probe: null,
    status: null,
    summary: `Test message from Control Room to "${channel.name}"`,
    detail: 'If you can read this, the channel works. Nothing is wrong.',
    failedConditions: [],
    at,
    target: null,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
