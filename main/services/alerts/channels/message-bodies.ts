/**
 * An AlertMessage in each channel's shape: generic JSON, Slack, Discord, email and the desktop notice.
 *
 * Pure functions, so the shapes are tested without a network. The generic webhook body is the
 * message itself under a version number (docs/alerts.md); Slack gets `text` (the fallback its
 * notifications show) plus Block Kit `blocks`; Discord gets `content` plus one embed whose colour
 * says the kind.
 */
import type { AlertMessage } from '../../../../shared/model/alert-message';
import type { DesktopNotice } from '../../../../shared/model/channels';

/** The generic webhook's schema version, bumped only on a change a receiver must know about. */
export const WEBHOOK_SCHEMA_VERSION = 1;

const KIND_WORDS: Record<AlertMessage['kind'], string> = {
  alert: 'Alert',
  resolved: 'Resolved',
  reminder: 'Still failing',
  stale: 'Stale',
  test: 'Test',
};

/** Discord embed colours: red, green, amber, grey, blue. */
const KIND_COLOURS: Record<AlertMessage['kind'], number> = {
  alert: 0xd92d20,
  resolved: 0x12b76a,
  reminder: 0xf79009,
  stale: 0x98a2b3,
  test: 0x2e90fa,
};

/** `Alert: GitHub API (github/api) is fail`, the one line every shape starts with. */
export function titleOf(message: AlertMessage): string {
  return `${KIND_WORDS[message.kind]}: ${message.summary}`;
}

/** The details as plain lines: the detail, the failed conditions, the target, the time. */
export function detailLines(message: AlertMessage): string[] {
  const lines: string[] = [];
  if (message.detail) lines.push(message.detail);
  if (message.probe) {
    const where = [message.probe.scope, message.probe.provider, message.probe.check].filter(Boolean).join(' / ');
    lines.push(`Probe: ${message.probe.name} (${where})${message.status ? ` — ${message.status}` : ''}`);
  }
  for (const condition of message.failedConditions) {
    lines.push(`Failed: ${condition.expression}${condition.observed === null ? '' : ` (observed ${condition.observed})`}`);
  }
  if (message.target) lines.push(`Target: ${message.target.name} (${message.target.environment})`);
  lines.push(`At: ${message.at}`);
  return lines;
}

export function webhookBody(message: AlertMessage): object {
  return { version: WEBHOOK_SCHEMA_VERSION, source: 'control-room', ...message };
}

export function slackBody(message: AlertMessage): object {
  const title = titleOf(message);
  const fields = detailLines(message).map((line) => ({ type: 'mrkdwn', text: escapeSlack(line) }));
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: fields.map((f) => f.text).join('\n').slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Control Room · ${message.kind}` }] },
    ],
  };
}

export function discordBody(message: AlertMessage): object {
  const fields = message.failedConditions.slice(0, 25).map((condition) => ({
    name: condition.expression.slice(0, 256),
    value: (condition.observed ?? 'not observed').slice(0, 1024),
    inline: false,
  }));
  return {
    content: titleOf(message).slice(0, 2000),
    embeds: [
      {
        title: message.summary.slice(0, 256),
        description: (message.detail || ' ').slice(0, 4096),
        color: KIND_COLOURS[message.kind],
        timestamp: message.at,
        fields,
        footer: { text: message.target ? `${message.target.name} (${message.target.environment})` : 'Control Room' },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export function emailSubject(message: AlertMessage): string {
  return `[Control Room] ${titleOf(message)}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

export function emailText(message: AlertMessage): string {
  return [titleOf(message), '', ...detailLines(message), '', '— Control Room'].join('\n');
}

export function desktopNotice(message: AlertMessage): DesktopNotice {
  const body = [message.detail, ...message.failedConditions.map((c) => `Failed: ${c.expression}`)].filter(Boolean).join('\n');
  return { title: titleOf(message).slice(0, 256), body: body.slice(0, 2000), probeId: message.probe?.id ?? null };
}

/** Slack's three control characters, escaped as its docs ask. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
