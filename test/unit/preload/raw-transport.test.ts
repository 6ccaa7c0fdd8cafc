/**
 * The preload's logic with a stand-in `ipcRenderer`: only contract channels and streams get
 * through, everything else is refused without touching IPC; events reach the right listener.
 */
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import { createRawTransport, type IpcRendererLike } from '../../../preload/raw-transport';
import { CHANNEL_NAMES, STREAM_NAMES } from '../../../shared/contract';

type EventListener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc(answer: (channel: string, ...args: unknown[]) => unknown = () => ({ ok: true, value: null })) {
  const listeners = new Map<string, EventListener>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => answer(channel, ...args)),
    on: vi.fn((channel: string, listener: EventListener) => void listeners.set(channel, listener)),
    /** What main's `sender.send(channel, ...args)` looks like from here. */
    push: (channel: string, ...args: unknown[]) => listeners.get(channel)?.({}, ...args),
  };
  return ipc satisfies IpcRendererLike;
}

describe('preload raw transport', () => {
  it('exposes exactly invoke and subscribe', () => {
    expect(Object.keys(createRawTransport(fakeIpc())).sort()).toEqual(['invoke', 'subscribe']);
  });

  it.each(['shell:exec', 'targets:explode', '__proto__', 'constructor', 'control-room:invoke', '', 'TARGETS:LIST'])(
    'refuses the channel %j without calling IPC',
    async (channel) => {
      const ipc = fakeIpc();
      const reply = await createRawTransport(ipc).invoke(channel, {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      expect(ipc.invoke).not.toHaveBeenCalled();
    },
  );

  it('refuses a channel name that is not a string without calling IPC', async () => {
    const ipc = fakeIpc();
    for (const channel of [42, null, undefined, {}, ['targets:list']]) {
      await expect(createRawTransport(ipc).invoke(channel as never, {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'unknown-channel' },
      });
    }
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('forwards every contract channel, payload untouched, and returns main’s reply', async () => {
    const ipc = fakeIpc((_channel, name) => ({ ok: true, value: `answer to ${String(name)}` }));
    const transport = createRawTransport(ipc);
    for (const channel of CHANNEL_NAMES) {
      const payload = { any: ['thing', 1] };
      await expect(transport.invoke(channel, payload)).resolves.toEqual({ ok: true, value: `answer to ${channel}` });
      expect(ipc.invoke).toHaveBeenLastCalledWith(IPC_CHANNELS.invoke, channel, payload);
    }
  });

  it('passes main’s error replies through as they are', async () => {
    const error = { code: 'invalid-request', message: 'Fix it.', fieldErrors: { name: 'Give the target a name.' } };
    const transport = createRawTransport(fakeIpc(() => ({ ok: false, error })));
    await expect(transport.invoke('targets:create', {})).resolves.toEqual({ ok: false, error });
  });

  it('turns an IPC failure or a malformed answer into an error reply, never a rejection', async () => {
    const failing = createRawTransport(
      fakeIpc(() => {
        throw new Error('An object could not be cloned.');
      }),
    );
    await expect(failing.invoke('targets:list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('could not be cloned') },
    });
    for (const junk of [undefined, 'ok', { ok: 'yes' }, { ok: false }, { ok: false, error: { code: 1 } }]) {
      await expect(createRawTransport(fakeIpc(() => junk)).invoke('targets:list', {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'internal' },
      });
    }
  });

  it('refuses an unknown stream or a missing callback without calling IPC', async () => {
    const ipc = fakeIpc();
    const transport = createRawTransport(ipc);
    await expect(transport.subscribe('logs:everything', {}, () => undefined)).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    await expect(transport.subscribe(STREAM_NAMES[0]!, {}, 'not a function' as never)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('subscribes with a fresh id, delivers that id’s events, and unsubscribes once', async () => {
    const ipc = fakeIpc();
    const transport = createRawTransport(ipc);
    const first: unknown[] = [];
    const second: unknown[] = [];
    const a = await transport.subscribe('targets:changed', {}, (event) => first.push(event));
    const b = await transport.subscribe('targets:changed', {}, (event) => second.push(event));
    expect(ipc.invoke.mock.calls).toEqual([
      [IPC_CHANNELS.subscribe, 'targets:changed', {}, 1],
      [IPC_CHANNELS.subscribe, 'targets:changed', {}, 2],
    ]);
    expect(a.ok && typeof a.value).toBe('function');

    ipc.push(IPC_CHANNELS.event, 1, { targets: ['one'] });
    ipc.push(IPC_CHANNELS.event, 2, { targets: ['two'] });
    ipc.push(IPC_CHANNELS.event, 99, { targets: ['nobody'] });
    ipc.push(IPC_CHANNELS.event, '1', { targets: ['wrong id type'] });
    expect(first).toEqual([{ targets: ['one'] }]);
    expect(second).toEqual([{ targets: ['two'] }]);

    if (!a.ok || !b.ok) throw new Error('subscribe failed');
    a.value();
    a.value();
    expect(ipc.invoke.mock.calls.filter(([channel]) => channel === IPC_CHANNELS.unsubscribe)).toEqual([
      [IPC_CHANNELS.unsubscribe, 1],
    ]);
    ipc.push(IPC_CHANNELS.event, 1, { targets: ['late'] });
    expect(first).toHaveLength(1);
  });

  it('delivers an event that arrives before main’s subscribe reply', async () => {
    const seen: unknown[] = [];
    const ipc = fakeIpc((channel, _stream, _params, id) => {
      if (channel === IPC_CHANNELS.subscribe) ipc.push(IPC_CHANNELS.event, id, 'early');
      return { ok: true, value: null };
    });
    await createRawTransport(ipc).subscribe('targets:changed', {}, (event) => seen.push(event));
    expect(seen).toEqual(['early']);
  });

  it('forgets the listener of a subscription main refused', async () => {
    const seen: unknown[] = [];
    const ipc = fakeIpc(() => ({ ok: false, error: { code: 'invalid-request', message: 'Refused.' } }));
    const reply = await createRawTransport(ipc).subscribe('targets:changed', {}, (event) => seen.push(event));
    expect(reply).toEqual({ ok: false, error: { code: 'invalid-request', message: 'Refused.' } });
    ipc.push(IPC_CHANNELS.event, 1, 'stray');
    expect(seen).toEqual([]);
  });

  it('swallows a failing unsubscribe (main gone, window closing)', async () => {
    const ipc = fakeIpc((channel) => {
      if (channel === IPC_CHANNELS.unsubscribe) throw new Error('gone');
      return { ok: true, value: null };
    });
    const reply = await createRawTransport(ipc).subscribe('targets:changed', {}, () => undefined);
    if (!reply.ok) throw new Error('subscribe failed');
    expect(() => reply.value()).not.toThrow();
  });
});
