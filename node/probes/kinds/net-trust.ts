/**
 * Which certificate authorities the network kinds trust: Node's bundled roots, plus any added.
 *
 * Node's default store (its bundled roots and NODE_EXTRA_CA_CERTS) is fixed when the process
 * starts; a private CA (a company's, or the one a test makes with openssl) has to be added at run
 * time, so the `http` and `tls` kinds take their `ca` option from here.
 */
import { rootCertificates } from 'node:tls';

const added: string[] = [];
let cached: string[] | undefined;

/** Trusts `pem` (one or more PEM certificates) as a root for every later connection. */
export function addTrustedCertificates(pem: string): void {
  added.push(pem);
  cached = undefined;
}

/**
 * The `ca` option for tls.connect: undefined (Node's default store, cheapest) until something is
 * added, then the bundled roots with the additions, since `ca` replaces the store rather than
 * extending it.
 */
export function trustedCa(): string[] | undefined {
  if (added.length === 0) return undefined;
  cached ??= [...rootCertificates, ...added];
  return cached;
}
