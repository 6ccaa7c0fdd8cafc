/**
 * The desktop alert channel in the desktop app, end to end except for Electron itself: a desktop
 * channel's "Send test" → `channels:desktop` → the window's notice follower → its channel-backed
 * Platform → `platform:notify` over IPC → the bundled main process → the stand-in Electron's
 * Notification; clicking it focuses the window and sends `platform:navigate` to the probe.
 */
import { describe, expect, it } from 'vitest';
import { createRawTransport } from '../../../preload/raw-transport';
import { createChannelPlatform } from '../../../renderer/src/platform/channel-platform';
import { followDesktopNotices } from '../../../renderer/src/platform/desktop-notices';
import { APP_ENTRY_URL } from '../../../main/transport/app-protocol';
import { createClient } from '../../../shared/transport';
import { fakeIpcRenderer, FakeWebContents as FakePage } from '../transport/fake-electron-ipc';
import { waitFor } from '../../support/keyring';
import { useBundledMain } from './bundled-main';

const main = useBundledMain();

describe('desktop notifications in the desktop app', () => {
  it('shows a notice through Electron and a click focuses the window and opens the probe', async () => {
    const electron = main.launch();
    await electron.becomeReady();
    const api = createClient(createRawTransport(fakeIpcRenderer(electron.ipcMain, new FakePage(), APP_ENTRY_URL)));
    const platform = createChannelPlatform(api);
    expect(await platform.requestNotifications()).toBe('granted');
    const routes: string[] = [];
    const stop = followDesktopNotices(api, platform, (route) => routes.push(route));

    await platform.notify({ title: 'Alert: S3 is failing', body: 'Failed: [STATUS] == 200', probeId: 'probe-42' });
    expect(electron.notifications).toHaveLength(1);
    const [notification] = electron.notifications;
    expect(notification!.options).toEqual({ title: 'Alert: S3 is failing', body: 'Failed: [STATUS] == 200' });
    expect(notification!.shown).toBe(true);

    const window = electron.windows[0]!;
    const focusedBefore = window.focused;
    notification!.click();
    await waitFor(() => routes.length === 1, 5_000, 'the click sent no navigation');
    expect(routes).toEqual(['#/integrations/probe/probe-42']);
    expect(window.focused).toBe(focusedBefore + 1);
    stop();
  });

  it('a desktop channel test reaches the system notification, and one without a probe navigates nowhere', async () => {
    const electron = main.launch();
    await electron.becomeReady();
    const api = createClient(createRawTransport(fakeIpcRenderer(electron.ipcMain, new FakePage(), APP_ENTRY_URL)));
    const routes: string[] = [];
    const stop = followDesktopNotices(api, createChannelPlatform(api), (route) => routes.push(route));
    // The subscriptions are set up asynchronously; one round trip later they are in place.
    await api.invoke('channels:list', {});

    const channel = await api.invoke('channels:create', { name: 'This computer', kind: 'desktop', settings: {} });
    const outcome = await api.invoke('channels:test', { id: channel.id });
    expect(outcome).toEqual({ channelId: channel.id, ok: true, attempts: 1, status: null, error: null });
    await waitFor(() => electron.notifications.length === 1, 5_000, 'no notification was shown');
    expect(electron.notifications[0]!.options.title).toBe('Test: Test message from Control Room to "This computer"');

    electron.notifications[0]!.click();
    await api.invoke('channels:list', {});
    expect(routes).toEqual([]);
    stop();
  });
});
