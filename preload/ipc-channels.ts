/**
 * The Electron IPC channel names preload talks to main on.
 *
 * A copy of `main/transport/ipc-channels.ts`, because preload may not import main/; the unit
 * test `test/unit/preload/ipc-channels.test.ts` fails if the two drift apart.
 */
export const IPC_CHANNELS = {
  invoke: 'control-room:invoke',
  subscribe: 'control-room:subscribe',
  unsubscribe: 'control-room:unsubscribe',
  event: 'control-room:event',
} as const;
