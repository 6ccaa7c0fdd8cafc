/**
 * The `opsapi:events` subscription across target edits, through the real API (`createApi`) and
 * against two REAL agents (agent/ `buildAgent`), whose event hubs say how many sockets they hold
 * and publish the events. Editing another target leaves the link alone and unsubscribing still
 * closes it at the agent; editing the watched target's address moves the link to the other agent
 * with the same listener, and unsubscribing then ends it there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { OpsEvent } from '../../../shared/model/ops';
import { waitFor } from '../../support/keyring';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { apiFor } from '../logs/follow-helper';

let one: AgentFixture;
let two: AgentFixture;
let services: Services;
let api: Api;
let dataDir: string;

beforeAll(async () => {
  [one, two] = await Promise.all([startAgentFixture(), startAgentFixture()]);
  dataDir = mkdtempSync(join(tmpdir(), 'cr-events-links-'));
  services = createServices({ dataDir, credentials: new MemoryCredentialBackend() });
  api = apiFor(services);
}, 60_000);

afterAll(async () => {
  services?.close();
  await Promise.all([one?.stop(), two?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const hub = (agent: AgentFixture) => agent.app.agent.hub;

const alert = (title: string): OpsEvent => ({
  type: 'alert',
  at: new Date().toISOString(),
  alert: { id: title, severity: 'warning', message: title, since: new Date().toISOString(), source: 'test' },
});

async function createTarget(name: string, agent: AgentFixture): Promise<string> {
  const reply = await api.invoke('targets:create', {
    name,
    environment: 'staging',
    kind: 'ops-api',
    settings: { baseUrl: agent.url },
    secrets: { apiToken: agent.read },
  });
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.value as { id: string }).id;
}

async function subscribe(targetId: string): Promise<{ got: string[]; off: () => void }> {
  const got: string[] = [];
  const reply = await api.subscribe('opsapi:events', { targetId }, (event) => {
    const parsed = OpsEvent.parse(event);
    got.push(parsed.type === 'alert' ? parsed.alert.message : parsed.type);
  });
  if (!reply.ok) throw new Error(reply.error.message);
  return { got, off: reply.value };
}

const connected = (targetId: string) =>
  waitFor(() => services.opsApi.state(targetId).status === 'connected', 10_000, 'the events link connected');

describe('opsapi:events across target edits (the real agent)', () => {
  it('keeps a link through an unrelated edit, and unsubscribing closes it at the agent', async () => {
    const a = await createTarget('events-a', one);
    const b = await createTarget('events-b', one);
    const w = await subscribe(a);
    await connected(a);
    expect(hub(one).size).toBe(1);

    const edit = await api.invoke('targets:update', {
      id: b,
      draft: { name: 'events-b renamed', environment: 'dev', kind: 'ops-api', settings: { baseUrl: two.url } },
    });
    expect(edit.ok).toBe(true);
    hub(one).publish(alert('after the edit'));
    await waitFor(() => w.got.length === 1, 10_000, 'the listener got the event');
    expect(hub(one).size).toBe(1);

    w.off();
    await waitFor(() => hub(one).size === 0, 10_000, 'the agent saw the socket close');
    hub(one).publish(alert('after the unsubscribe'));
    expect(w.got).toEqual(['after the edit']);
    expect(services.opsApi.linkCount).toBe(0);
  });

  it('renews an edited address with the same listener, and unsubscribing afterwards ends it', async () => {
    const a = await createTarget('moving', one);
    const w = await subscribe(a);
    await connected(a);
    expect([hub(one).size, hub(two).size]).toEqual([1, 0]);

    // Each agent knows only its own tokens: the target gets the other agent's with the address.
    const edit = await api.invoke('targets:update', {
      id: a,
      draft: { name: 'moving', environment: 'staging', kind: 'ops-api', settings: { baseUrl: two.url }, secrets: { apiToken: two.read } },
    });
    expect(edit.ok).toBe(true);
    await waitFor(() => hub(one).size === 0 && hub(two).size === 1, 10_000, 'the link moved to the other agent');
    await connected(a);
    hub(two).publish(alert('from the new address'));
    await waitFor(() => w.got.length === 1, 10_000, 'the same listener got the event');

    w.off();
    await waitFor(() => hub(two).size === 0, 10_000, 'the agent saw the renewed socket close');
    hub(two).publish(alert('after the unsubscribe'));
    expect(w.got).toEqual(['from the new address']);
    expect(services.opsApi.linkCount).toBe(0);
  });
});
