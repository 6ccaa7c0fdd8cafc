/**
 * `opsctl alerts channels | test CHANNEL`: the alert channels from a terminal, through the contract.
 *
 * `test` sends the channel's test message (`channels:test`, with its retries) and exits 0 when it
 * was delivered and 1 when it was not, with the outcome as JSON on stdout and one sentence on
 * stderr either way, so a script and a person both see what happened. CHANNEL is an id or a name.
 */
import { ApiError } from '../../shared/errors';
import type { Channel, DeliveryOutcome } from '../../shared/model/channels';
import type { ControlRoomApi } from '../../shared/transport';
import { UsageError } from './session';

export interface AlertsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs `opsctl alerts <sub> ...`; resolves with the exit code. */
export async function alertsCommand(api: ControlRoomApi, positionals: string[], options: { plain: boolean }, io: AlertsIo): Promise<number> {
  const [sub, ...rest] = positionals;
  switch (sub) {
    case 'channels':
    case undefined: {
      const channels = await api.invoke('channels:list', {});
      if (options.plain) {
        if (!channels.length) io.out('No alert channels yet — add one under Alerts in Control Room.');
        channels.forEach((channel) => io.out(plainChannel(channel)));
      } else {
        io.out(JSON.stringify(channels, null, 2));
      }
      return 0;
    }
    case 'test': {
      const wanted = rest[0];
      if (!wanted) throw new UsageError('Name the channel: opsctl alerts test <name or id>.');
      const channel = await findChannel(api, wanted);
      const outcome = await api.invoke('channels:test', { id: channel.id });
      if (options.plain) io.out(plainOutcome(channel, outcome));
      else io.out(JSON.stringify(outcome, null, 2));
      io.err(plainOutcome(channel, outcome));
      return outcome.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`Unknown alerts command "${sub}": use channels or test.`);
  }
}

async function findChannel(api: ControlRoomApi, wanted: string): Promise<Channel> {
  const channels = await api.invoke('channels:list', {});
  const found = channels.find((c) => c.id === wanted) ?? channels.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new ApiError('not-found', `No alert channel named "${wanted}" — opsctl alerts channels lists them.`);
  return found;
}

function plainChannel(channel: Channel): string {
  const noUrl = channel.secrets.url && !channel.secrets.url.present ? ' (no URL)' : '';
  return `${channel.name}\t${channel.kind}\t${channel.enabled ? 'on' : 'off'}${noUrl}\t${channel.id}`;
}

function plainOutcome(channel: Channel, outcome: DeliveryOutcome): string {
  const tries = outcome.attempts === 1 ? '1 attempt' : `${outcome.attempts} attempts`;
  if (outcome.ok) return `Delivered the test message to ${channel.name} (${channel.kind}) in ${tries}.`;
  return `The test message to ${channel.name} (${channel.kind}) was not delivered: ${outcome.error ?? 'no reason was given.'}`;
}
