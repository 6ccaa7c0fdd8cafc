/**
 * Alert channels: where alert messages go (desktop, webhook, Slack, Discord, email).
 *
 * First cut: the shape alert rules code against. `list()` names the channels; `deliver()`
 * sends one message to one channel and always resolves with an outcome, never throws.
 */
import type { AlertMessage } from '../../../../shared/model/alert-message';

/** A configured channel as the services see it. */
export interface Channel {
  id: string;
  name: string;
  kind: 'desktop' | 'webhook' | 'slack' | 'discord' | 'email';
  enabled: boolean;
}

/** What one delivery came to: `ok`, how many attempts, the last HTTP status, the error sentence. */
export interface DeliveryOutcome {
  channelId: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  status?: number | null;
}

export class ChannelsService {
  list(): Channel[] {
    return [];
  }

  deliver(channelId: string, _message: AlertMessage, _signal?: AbortSignal): Promise<DeliveryOutcome> {
    return Promise.resolve({ channelId, ok: false, attempts: 0, error: `There is no channel ${channelId}; pick one from the list.`, status: null });
  }
}
