/**
 * The one contract between the renderer and main.
 *
 * Every request channel (`domain:verb`, request → response) and every event stream is declared
 * here with a zod schema. Main validates every incoming payload against it and parses every
 * response through it (so a field the contract does not name — a secret, say — cannot leak);
 * the renderer is typed from it. Both transports (Electron IPC and the browser-mode WebSocket)
 * carry exactly these messages.
 */
import { z } from 'zod';
import { Target, TargetDraft, TargetId } from './model/target';

const Empty = z.strictObject({});

export const channels = {
  /** What this process is: version, transport mode and where it keeps its data. */
  'app:info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'browser']),
      dataDir: z.string(),
      platform: z.string(),
    }),
  },
  /** Whether the OS keychain can be used right now, and if not, what to do. */
  'credentials:status': {
    request: Empty,
    response: z.object({ available: z.boolean(), message: z.string().optional() }),
  },
  'targets:list': { request: Empty, response: z.array(Target) },
  'targets:get': { request: z.strictObject({ id: TargetId }), response: Target },
  'targets:create': { request: TargetDraft, response: Target },
  'targets:update': { request: z.strictObject({ id: TargetId, draft: TargetDraft }), response: Target },
  'targets:delete': { request: z.strictObject({ id: TargetId }), response: z.object({ id: TargetId }) },
} as const;

export const streams = {
  /** The whole target list, sent whenever a target is created, edited or deleted. */
  'targets:changed': { params: Empty, event: z.object({ targets: z.array(Target) }) },
} as const;

export type Channel = keyof typeof channels;
export type Stream = keyof typeof streams;
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<(typeof channels)[C]['response']>;
export type ParamsOf<S extends Stream> = z.input<(typeof streams)[S]['params']>;
export type ParsedParamsOf<S extends Stream> = z.output<(typeof streams)[S]['params']>;
export type EventOf<S extends Stream> = z.output<(typeof streams)[S]['event']>;

export const CHANNEL_NAMES = Object.keys(channels) as Channel[];
export const STREAM_NAMES = Object.keys(streams) as Stream[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export function isStream(name: unknown): name is Stream {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}
