/**
 * The four Electron IPC channel names that carry the contract between preload and main.
 *
 * Every contract channel and stream travels inside these, so main registers exactly three
 * handlers and the renderer never names an IPC channel itself. In shared/ so that main and
 * preload import one definition.
 */
export const IPC_CHANNELS = {
  /** (channel, payload) → Reply. */
  invoke: 'control-room:invoke',
  /** (stream, params, subscriptionId) → Reply<null>; events follow on `event`. */
  subscribe: 'control-room:subscribe',
  /** (subscriptionId) → Reply<null>. */
  unsubscribe: 'control-room:unsubscribe',
  /** main → preload: (subscriptionId, event). */
  event: 'control-room:event',
} as const;
