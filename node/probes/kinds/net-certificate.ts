/**
 * Judging a TLS peer's certificate: is the chain trusted, is it for this host, when does it end.
 *
 * Node folds a chain error and a host-name mismatch into one `authorizationError`; the `tls`
 * kind reports them separately (`CHAIN_VALID`, `HOSTNAME_MATCH`), and both kinds turn the
 * problem into a sentence a person can act on ("The certificate is for other.test, not api.test.").
 */
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';

const DAY_MS = 24 * 3600 * 1000;

export interface CertificateVerdict {
  /** The chain leads to a trusted root and every certificate in it is in date. */
  chainValid: boolean;
  hostnameMatch: boolean;
  /** Milliseconds until the leaf's notAfter (negative once expired); null without a certificate. */
  expiresInMs: number | null;
  validTo: string | null;
  /** Node's code for what is wrong (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID` …), or null. */
  authorizationError: string | null;
  /** What is wrong, as one sentence; null when the certificate is fine. */
  problem: string | null;
  certificate: DetailedPeerCertificate | null;
}

/** The names a certificate is for: its DNS and IP subject alternative names, else its CN. */
export function certificateNames(cert: PeerCertificate): string[] {
  const alt = (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/^(DNS|IP Address):/, ''))
    .filter((entry) => entry.length > 0);
  if (alt.length > 0) return alt;
  const cn = cert.subject?.CN;
  return cn ? [Array.isArray(cn) ? cn.join(', ') : cn] : [];
}

function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function chainProblem(code: string, host: string, cert: PeerCertificate): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `The certificate for ${host} expired on ${dateOnly(Date.parse(cert.valid_to))}.`;
    case 'CERT_NOT_YET_VALID':
      return `The certificate for ${host} is not valid until ${dateOnly(Date.parse(cert.valid_from))}.`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `The certificate for ${host} is self-signed and not trusted.`;
    // A chain ending in a root nobody here trusts (a private CA), or one with a missing link.
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': {
      const issuer = cert.issuer?.CN ? ` (issuer ${String(cert.issuer.CN)})` : '';
      return `The certificate for ${host} is not signed by a trusted authority${issuer}.`;
    }
    default:
      return `The certificate for ${host} was not accepted (${code}).`;
  }
}

/**
 * Judges the certificate `socket` was given, for `host` (the name the client asked for, the SNI
 * name when one was set). `now` is the clock's time, for the expiry.
 */
export function judgeCertificate(socket: TLSSocket, host: string, now: number): CertificateVerdict {
  const cert = socket.getPeerCertificate(true);
  if (!cert || Object.keys(cert).length === 0) {
    return {
      chainValid: false,
      hostnameMatch: false,
      expiresInMs: null,
      validTo: null,
      authorizationError: 'NO_CERTIFICATE',
      problem: `${host} sent no certificate.`,
      certificate: null,
    };
  }
  const nodeError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  // Node checks the host name only after the chain passed, and reports it in the same field.
  const chainValid = socket.authorized || nodeError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  const hostnameMatch = checkServerIdentity(host, cert) === undefined;
  const notAfter = Date.parse(cert.valid_to);
  let problem: string | null = null;
  if (!chainValid && nodeError) problem = chainProblem(nodeError, host, cert);
  else if (!hostnameMatch) problem = `The certificate is for ${certificateNames(cert).join(', ') || 'no name'}, not ${host}.`;
  return {
    chainValid,
    hostnameMatch,
    expiresInMs: Number.isNaN(notAfter) ? null : notAfter - now,
    validTo: Number.isNaN(notAfter) ? null : new Date(notAfter).toISOString(),
    authorizationError: nodeError ?? (hostnameMatch ? null : 'ERR_TLS_CERT_ALTNAME_INVALID'),
    problem,
    certificate: cert,
  };
}

/** Whole days left before `expiresInMs` runs out (4 for 4 days 23 hours), negative once expired. */
export function daysLeft(expiresInMs: number): number {
  return Math.floor(expiresInMs / DAY_MS);
}

/** The chain the peer sent, leaf first, as PEM; stops at a self-issued root or a loop. */
export function chainPem(cert: DetailedPeerCertificate): string {
  const blocks: string[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = cert;
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    const base64 = current.raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
    blocks.push(`-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`);
    current = current.issuerCertificate;
  }
  return blocks.join('');
}
