/**
 * Docker's events stream, turned into `container` OpsEvents. It runs only while at least one
 * WebSocket client listens, and reconnects with backoff when the engine goes away (a Docker
 * upgrade restarts the daemon under the agent).
 */
import type Docker from 'dockerode';
import type { OpsEvent } from '../../shared/model/ops';
import { parseDockerTime } from '../../node/docker/docker-time';
import { SERVICE_LABEL } from '../docker';

type ContainerEvent = Extract<OpsEvent, { type: 'container' }>;

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

export class DockerEventsWatcher {
  private stream: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
  private running = false;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;

  constructor(
    private readonly docker: Docker,
    private readonly onEvent: (event: ContainerEvent) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retry);
    const stream = this.stream;
    this.stream = undefined;
    // Destroying inside the stream's own data handler leaked channels in our runs against podman over SSH: defer it.
    if (stream) setImmediate(() => stream.destroy?.());
  }

  private async connect(): Promise<void> {
    let stream: NodeJS.ReadableStream & { destroy?: () => void };
    try {
      stream = (await this.docker.getEvents({ filters: JSON.stringify({ type: ['container'] }) } as object)) as typeof stream;
    } catch {
      return this.scheduleRetry();
    }
    if (!this.running) return void setImmediate(() => stream.destroy?.());
    this.stream = stream;
    this.attempt = 0;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      // Newline-delimited JSON; an event may be split across chunks.
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (buffered.length > 1 << 20) buffered = '';
      for (const line of lines) {
        const event = parse(line);
        if (event) this.onEvent(event);
      }
    });
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (this.stream === stream) {
        this.stream = undefined;
        this.scheduleRetry();
      }
    });
    stream.on('end', () => stream.destroy?.());
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}

function parse(line: string): ContainerEvent | null {
  if (!line.trim()) return null;
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return null;
  }
  if ((raw.Type ?? 'container') !== 'container') return null;
  const action = raw.Action ?? raw.status ?? '';
  // exec_create / exec_start / exec_die come with every healthcheck: noise on a ticker.
  if (!action || action.startsWith('exec_')) return null;
  const attributes = raw.Actor?.Attributes ?? {};
  const at = raw.timeNano ? parseDockerTime(raw.timeNano / 1e9) : parseDockerTime(raw.time ?? null);
  return {
    type: 'container',
    at: at ?? new Date().toISOString(),
    action,
    container: attributes.name ?? (raw.Actor?.ID ?? raw.id ?? '').slice(0, 12),
    service: attributes[SERVICE_LABEL] ?? null,
  };
}
