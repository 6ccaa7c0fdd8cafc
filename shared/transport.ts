/**
 * What both transports carry: request envelopes, replies and stream events.
 *
 * The renderer's side of each transport is a `RawTransport`; `createClient` turns one into the
 * typed `ControlRoomApi` the UI uses, whichever transport is underneath.
 */
import { z } from 'zod';
import { ApiError, type ApiErrorBody } from './errors';
import type { Channel, EventOf, ParamsOf, RequestOf, ResponseOf, Stream } from './contract';

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** Frames the browser-mode client may send. Anything else closes the connection. */
export const ClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('invoke'), id: z.number().int().nonnegative(), channel: z.string().max(64), payload: z.unknown() }),
  z.strictObject({ type: z.literal('subscribe'), id: z.number().int().nonnegative(), stream: z.string().max(64), params: z.unknown() }),
  z.strictObject({ type: z.literal('unsubscribe'), id: z.number().int().nonnegative() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { type: 'reply'; id: number; reply: Reply }
  | { type: 'event'; id: number; event: unknown };

/** The untyped shape both transports expose to the renderer (preload's `window.controlRoom`). */
export interface RawTransport {
  invoke(channel: string, payload: unknown): Promise<Reply>;
  /** Resolves once main accepted the subscription; the returned function ends it. */
  subscribe(stream: string, params: unknown, onEvent: (event: unknown) => void): Promise<Reply<() => void>>;
}

/** The typed API the renderer programs against. Rejections are `ApiError`s. */
export interface ControlRoomApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  subscribe<S extends Stream>(stream: S, params: ParamsOf<S>, onEvent: (event: EventOf<S>) => void): Promise<() => void>;
}

export function createClient(transport: RawTransport): ControlRoomApi {
  return {
    async invoke(channel, request) {
      const reply = await transport.invoke(channel, request);
      if (!reply.ok) throw ApiError.fromBody(reply.error);
      return reply.value as never;
    },
    async subscribe(stream, params, onEvent) {
      const reply = await transport.subscribe(stream, params, onEvent as (event: unknown) => void);
      if (!reply.ok) throw ApiError.fromBody(reply.error);
      return reply.value;
    },
  };
}

/** Limits shared by both ends of the WebSocket transport. */
export const WS_MAX_FRAME_BYTES = 1 << 20;
export const WS_PATH = '/ws';
