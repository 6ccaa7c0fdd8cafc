/**
 * Channels: where alert messages go. Each card says its kind and how it is set up (secrets only
 * as set / not set), with Send test — whose delivery result stays on the card: delivered after
 * N attempts, or the error sentence — Edit and Delete (asked first).
 */
import { useCallback, useEffect, useState } from 'react';
import type { Channel, DeliveryOutcome } from '../../../../shared/model/channels';
import { useApi, useConnectionStatus, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { Icon, PencilIcon, PlusIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { useNotice, Notice } from '../../components/notice';
import { ChannelDialog } from './channel-dialog';
import { describeChannel, KIND_LABELS } from './channel-form';

type TestState =
  { state: 'sending' } | { state: 'done'; outcome: DeliveryOutcome } | { state: 'failed'; message: string };

type Open = { dialog: 'edit'; channel?: Channel } | { dialog: 'delete'; channel: Channel } | null;

export function ChannelsView() {
  const api = useApi();
  const platform = usePlatform();
  const { state: link, epoch } = useConnectionStatus();
  const [channels, setChannels] = useState<Channel[]>();
  const [error, setError] = useState<string>();
  const [tests, setTests] = useState<Map<string, TestState>>(new Map());
  const [open, setOpen] = useState<Open>(null);
  const [generation, setGeneration] = useState(0);
  const [notice, showNotice] = useNotice();

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('channels:list', {}).then(
      (list) => {
        if (!current) return;
        setChannels(list);
        setError(undefined);
      },
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [api, link, epoch, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  async function sendTest(channel: Channel) {
    const setTest = (state: TestState) => setTests((map) => new Map(map).set(channel.id, state));
    setTest({ state: 'sending' });
    // A desktop channel in the browser needs the page's permission, asked on this click.
    if (channel.kind === 'desktop') {
      const permission = await platform.requestNotifications();
      if (permission !== 'granted') {
        setTest({
          state: 'failed',
          message:
            permission === 'denied'
              ? 'Notifications are blocked for this page; allow them in the browser’s site settings, then try again.'
              : permission === 'unsupported'
                ? 'This browser cannot show notifications; use the desktop app or another channel.'
                : 'Notifications were not allowed; click Send test again and allow them.',
        });
        return;
      }
    }
    try {
      setTest({ state: 'done', outcome: await api.invoke('channels:test', { id: channel.id }) });
    } catch (caught) {
      setTest({ state: 'failed', message: toApiError(caught).message });
    }
  }

  return (
    <div className="alerts-view" data-testid="channels-view">
      <div className="alerts-toolbar">
        <p className="muted">Where alert messages go. Rules send to every enabled channel unless they name some.</p>
        <span className="spacer" />
        <button type="button" className="button button-primary" onClick={() => setOpen({ dialog: 'edit' })}>
          <PlusIcon /> Add channel
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      {!channels && !error ? <p className="loading">Loading channels…</p> : null}
      {channels && channels.length === 0 ? (
        <EmptyState icon={<BellIcon size={28} />} title="No channels yet">
          <p>
            Add a desktop notification, a webhook (generic JSON, Slack or Discord) or email through SMTP. Alerts are
            still decided and kept in the history without one, but nobody hears of them.
          </p>
        </EmptyState>
      ) : null}
      {channels?.length ? (
        <ul className="alert-cards" aria-label="Channels">
          {channels.map((channel) => (
            <li key={channel.id} className="alert-card" data-testid={`channel-${channel.id}`} aria-label={channel.name}>
              <div className="alert-card-title">
                <span>{channel.name}</span>
                <span className="kind-tag">{KIND_LABELS[channel.kind]}</span>
                {channel.enabled ? null : <span className="kind-tag">disabled</span>}
              </div>
              <div className="alert-card-facts mono">{describeChannel(channel)}</div>
              <div className="alert-card-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void sendTest(channel)}
                  disabled={tests.get(channel.id)?.state === 'sending'}
                  aria-label={`Send test to ${channel.name}`}
                >
                  Send test
                </button>
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label={`Edit ${channel.name}`}
                  onClick={() => setOpen({ dialog: 'edit', channel })}
                >
                  <PencilIcon size={14} />
                </button>
                <button
                  type="button"
                  className="button button-small button-quiet button-quiet-danger"
                  aria-label={`Delete ${channel.name}`}
                  onClick={() => setOpen({ dialog: 'delete', channel })}
                >
                  <TrashIcon size={14} />
                </button>
              </div>
              <TestResult test={tests.get(channel.id)} />
            </li>
          ))}
        </ul>
      ) : null}

      <Notice notice={notice} />
      {open?.dialog === 'edit' ? (
        <ChannelDialog
          channel={open.channel}
          onClose={() => setOpen(null)}
          onSaved={(saved, created) => {
            setOpen(null);
            reload();
            showNotice(created ? `Added ${saved.name}. Send test to check it.` : `Saved ${saved.name}.`);
          }}
        />
      ) : null}
      {open?.dialog === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${open.channel.name}?`}
          description="It stops receiving alert messages, and its secrets are removed from the keychain. Rules that name it send to their other channels."
          confirmLabel="Delete channel"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.invoke('channels:delete', { id: open.channel.id });
            setOpen(null);
            reload();
            showNotice(`Deleted ${open.channel.name}.`);
          }}
        />
      ) : null}
    </div>
  );
}

/** What the last Send test came to, in words. */
function TestResult({ test }: { test: TestState | undefined }) {
  if (!test) return null;
  const attempts = (n: number) => `${n} ${n === 1 ? 'attempt' : 'attempts'}`;
  return (
    <p className="alert-card-result channel-test-result" role="status" data-testid="test-result">
      {test.state === 'sending' ? (
        <>
          <span className="spinner" aria-hidden="true" /> Sending a test message…
        </>
      ) : test.state === 'failed' ? (
        <span className="result-failed">
          <WarningIcon size={13} /> {test.message}
        </span>
      ) : test.outcome.ok ? (
        <span className="result-ok">✓ Test delivered ({attempts(test.outcome.attempts)}).</span>
      ) : (
        <span className="result-failed">
          ✕ Test not delivered after {attempts(test.outcome.attempts)}: {test.outcome.error ?? 'no reason given.'}
        </span>
      )}
    </p>
  );
}

/** A bell: where alerts ring. */
export function BellIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
      <path d="M10 20.5a2 2 0 0 0 4 0" />
    </Icon>
  );
}
