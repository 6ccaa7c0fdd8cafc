/**
 * The `tcp` kind: can a TCP connection to host:port be opened, and how long it took.
 *
 * Values: `CONNECTED`, `RESPONSE_TIME` (ms to connect), `IP` (the address connected to). A refused
 * or unreachable port is the run's error, with `CONNECTED` false for conditions that expect it.
 */
import type { z } from 'zod';
import type { TcpSettings } from '../../../shared/model/probe';
import type { KindOutcome, ProbeKindModule, ProbeRunContext } from '../probe-kind';
import { connectTcp } from './net-connect';
import { networkErrorSentence } from './net-errors';
import { notConnected } from './not-connected';

type Settings = z.output<typeof TcpSettings>;

async function run(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  const started = ctx.clock.now();
  const metadata = { host: settings.host, port: settings.port };
  try {
    const socket = await connectTcp(settings.host, settings.port, ctx.signal);
    const elapsed = ctx.clock.now() - started;
    const ip = socket.remoteAddress ?? null;
    socket.destroy();
    return { values: { CONNECTED: true, RESPONSE_TIME: elapsed, IP: ip }, metadata: { ...metadata, ip }, artifacts: [] };
  } catch (error) {
    return notConnected(error, ctx.signal, networkErrorSentence(error, settings.host, settings.port), {
      values: { RESPONSE_TIME: ctx.clock.now() - started },
      metadata,
    });
  }
}

export const tcpKind: ProbeKindModule<Settings> = { kind: 'tcp', run };
