/**
 * Follows logs through the real API (`createApi` → `logs:follow`, every event checked against the
 * contract) and records what a renderer would see, acknowledging lines as it goes unless told not to.
 */
import { expect } from 'vitest';
import { createApi, type Api } from '../../../main/api';
import type { Services } from '../../../main/services';
import { batchEntries, type LogEntry, type LogFollowEvent } from '../../../shared/model/logs';
import { waitFor } from '../../support/keyring';

export interface Follow {
  events: LogFollowEvent[];
  lines: LogEntry[];
  followId: string;
  /** Acknowledge every line received so far that was not acknowledged yet. */
  ackAll(): Promise<void>;
  states(source: string): string[];
  waitForLines(match: (lines: LogEntry[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function apiFor(services: Services): Api {
  return createApi(services, { version: 'test', mode: 'browser' }, () => undefined);
}

export async function follow(
  api: Api,
  params: { targetId: string; sources: string[]; tail?: number; since?: string },
  options: { autoAck?: boolean } = {},
): Promise<Follow> {
  const events: LogFollowEvent[] = [];
  const lines: LogEntry[] = [];
  let acked = 0;
  let followId = '';
  const ackAll = async () => {
    const n = lines.length - acked;
    if (n <= 0) return;
    acked += n;
    expect(await api.invoke('logs:ack', { followId, lines: n })).toEqual({ ok: true, value: { ok: true } });
  };
  const reply = await api.subscribe('logs:follow', params, (event) => {
    const e = event as LogFollowEvent;
    events.push(e);
    if (e.type === 'started') followId = e.followId;
    if (e.type === 'lines') {
      for (const line of batchEntries(e)) lines.push(line);
      if (options.autoAck !== false) void ackAll();
    }
  });
  if (!reply.ok) throw new Error(`logs:follow refused: ${reply.error.message}`);
  expect(events[0]).toEqual({ type: 'started', followId: expect.any(String) });
  return {
    events,
    lines,
    get followId() {
      return followId;
    },
    ackAll,
    states: (source) => events.flatMap((e) => (e.type === 'source' && e.source === source ? [e.state] : [])),
    waitForLines: (match, what, timeoutMs = 20_000) => waitFor(() => match(lines), timeoutMs, what),
    stop: () => reply.value(),
  };
}

/** The numbers of lines like `n 12`, in order received. */
export function numbers(lines: LogEntry[], prefix = 'n '): number[] {
  return lines.filter((l) => l.message.startsWith(prefix)).map((l) => Number(l.message.slice(prefix.length)));
}
