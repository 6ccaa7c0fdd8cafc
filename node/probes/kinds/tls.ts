/**
 * The `tls` kind: a TLS handshake with host:port, and what its certificate says.
 *
 * The connection is not refused over a bad certificate: it is opened, judged and reported, so a
 * result can say "expired on 2020-02-01" or "for other.test, not api.test". Values:
 * `CONNECTED`, `CERTIFICATE_EXPIRATION` (ms left), `DAYS_LEFT` (whole days), `CHAIN_VALID`,
 * `HOSTNAME_MATCH`, `RESPONSE_TIME` (ms to the finished handshake), `IP`. A bad certificate is not
 * the run's error (the check was made): conditions on those values judge it, and the metadata's
 * `problem` says what is wrong. The chain the server sent is kept as `chain.pem`.
 */
import type { z } from 'zod';
import type { TlsSettings } from '../../../shared/model/probe';
import type { ArtifactData, KindOutcome, ProbeKindModule, ProbeRunContext } from '../probe-kind';
import { chainPem, daysLeft, judgeCertificate } from './net-certificate';
import { connectTls } from './net-connect';
import { networkErrorSentence } from './net-errors';
import { notConnected } from './not-connected';

type Settings = z.output<typeof TlsSettings>;

function distinguishedName(name: Record<string, unknown> | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

async function run(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  const started = ctx.clock.now();
  const name = settings.serverName || settings.host;
  const metadata = { host: settings.host, port: settings.port, serverName: name };
  let socket;
  try {
    socket = await connectTls(settings.host, settings.port, ctx.signal, settings.serverName);
  } catch (error) {
    return notConnected(error, ctx.signal, networkErrorSentence(error, settings.host, settings.port), {
      values: { RESPONSE_TIME: ctx.clock.now() - started },
      metadata,
    });
  }
  try {
    const elapsed = ctx.clock.now() - started;
    const verdict = judgeCertificate(socket, name, ctx.clock.now());
    const cert = verdict.certificate;
    const artifacts: ArtifactData[] = [];
    if (cert) {
      artifacts.push({ name: 'chain.pem', contentType: 'application/x-pem-file', data: Buffer.from(chainPem(cert)), truncated: false });
    }
    return {
      values: {
        CONNECTED: true,
        RESPONSE_TIME: elapsed,
        IP: socket.remoteAddress ?? null,
        CERTIFICATE_EXPIRATION: verdict.expiresInMs,
        DAYS_LEFT: verdict.expiresInMs === null ? null : daysLeft(verdict.expiresInMs),
        CHAIN_VALID: verdict.chainValid,
        HOSTNAME_MATCH: verdict.hostnameMatch,
      },
      metadata: {
        ...metadata,
        subject: distinguishedName(cert?.subject as Record<string, unknown> | undefined),
        issuer: distinguishedName(cert?.issuer as Record<string, unknown> | undefined),
        validTo: verdict.validTo,
        authorizationError: verdict.authorizationError,
        problem: verdict.problem,
        protocol: socket.getProtocol(),
      },
      artifacts,
    };
  } finally {
    socket.destroy();
  }
}

export const tlsKind: ProbeKindModule<Settings> = { kind: 'tls', run };
