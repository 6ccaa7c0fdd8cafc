/**
 * Certificates for TLS tests, made with the `openssl` command at test time: a private CA and leaf
 * certificates signed by it, valid, expired, expiring soon or for another host name.
 *
 * OpenSSL here is 3.0, whose `x509` has no `-not_before` (3.4+) and whose `-days` cannot go
 * negative, and faketime is not installed; `openssl ca` takes `-startdate`/`-enddate`, so every
 * leaf is issued through it with explicit dates (an expired one wholly in the past). The CA is
 * not trusted by Node until a test adds it (node/probes/kinds/net-trust.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const DAY_MS = 24 * 3600 * 1000;

export interface LeafCertificate {
  /** PEM of the leaf certificate. */
  cert: string;
  key: string;
  notBefore: Date;
  notAfter: Date;
}

export interface LeafOptions {
  /** Host names (DNS SANs; IP addresses become IP SANs). The first is also the CN. */
  hosts: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface TestCa {
  dir: string;
  /** PEM of the CA certificate, to trust. */
  cert: string;
  issue(options: LeafOptions): Promise<LeafCertificate>;
  dispose(): void;
}

/** `YYYYMMDDHHMMSSZ`, the form `openssl ca -startdate/-enddate` takes. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A new CA (valid a year either side of now) in a temporary folder. */
export async function createTestCa(): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), 'cr-tls-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await exec('openssl', [
    'req', '-x509', ...KEY_ARGS, '-keyout', caKey, '-out', caCert, '-days', '730', '-subj', '/CN=Control Room Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]', 'default_ca = test_ca',
      '[test_ca]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${dir}`, 'rand_serial = yes',
      'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
      '[any]', 'commonName = supplied', '',
    ].join('\n'),
  );
  let serial = 0;
  return {
    dir,
    cert: readFileSync(caCert, 'utf8'),
    async issue({ hosts, notBefore, notAfter }) {
      serial += 1;
      const base = join(dir, `leaf-${serial}`);
      const sans = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
      writeFileSync(`${base}.ext`, `basicConstraints = CA:FALSE\nsubjectAltName = ${sans}\nextendedKeyUsage = serverAuth\n`);
      await exec('openssl', ['req', '-new', ...KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${hosts[0]}`]);
      await exec('openssl', [
        'ca', '-batch', '-config', join(dir, 'ca.cnf'), '-cert', caCert, '-keyfile', caKey, '-in', `${base}.csr`,
        '-out', `${base}.crt`, '-startdate', opensslDate(notBefore), '-enddate', opensslDate(notAfter),
        '-extfile', `${base}.ext`, '-notext',
      ]);
      return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8'), notBefore, notAfter };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `days` from now (negative: in the past), for LeafOptions dates. */
export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}
