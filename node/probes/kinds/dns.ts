/**
 * The `dns` kind: one query of one record type, to a chosen server or the system's resolver.
 *
 * Values: `DNS_RCODE` (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED` …, from c-ares's error codes;
 * a name with no record of that type is NOERROR with no answers, as on the wire), `ANSWERS` (each
 * record as text), `BODY` (for A and AAAA the first address, as Gatus has it, so
 * `[BODY] == 10.1.2.3` works; for other types the answers one per line), `RESPONSE_TIME`. An
 * NXDOMAIN is an answer, not an error: conditions on `DNS_RCODE` judge it. A server that does not
 * answer is the run's error. The answer is kept as `answer.json`.
 */
import { lookup } from 'node:dns/promises';
import { Resolver } from 'node:dns';
import { isIP } from 'node:net';
import type { z } from 'zod';
import { abortReason } from '../../abort';
import type { DnsSettings } from '../../../shared/model/probe';
import type { KindOutcome, ProbeKindModule, ProbeRunContext } from '../probe-kind';
import { errorCode } from './net-errors';

type Settings = z.output<typeof DnsSettings>;

/** c-ares's error codes for the response codes a server sent. */
const RCODES: Record<string, string> = {
  ENODATA: 'NOERROR',
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
};

/** Codes meaning no usable answer came back from the server at all. */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ETIMEOUT', 'ETIMEDOUT', 'EBADRESP', 'ECONNRESET']);

/** A server as `setServers` takes it (`1.2.3.4`, `1.2.3.4:53`, `[::1]:53`), names looked up first. */
async function serverAddress(server: string): Promise<string> {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return server;
  if (isIP(server)) return isIP(server) === 6 ? `[${server}]` : server;
  const [host, port] = server.split(':') as [string, string | undefined];
  const address = isIP(host) ? host : (await lookup(host)).address;
  const literal = isIP(address) === 6 ? `[${address}]` : address;
  return port ? `${literal}:${port}` : literal;
}

/** One record as text: an address, `10 mail.example.com`, `0 issue "letsencrypt.org"` … */
function recordText(type: string, record: unknown): string {
  if (typeof record === 'string') return record;
  if (Array.isArray(record)) return record.join('');
  const r = record as Record<string, unknown>;
  switch (type) {
    case 'MX':
      return `${String(r.priority)} ${String(r.exchange)}`;
    case 'SRV':
      return `${String(r.priority)} ${String(r.weight)} ${String(r.port)} ${String(r.name)}`;
    case 'CAA': {
      const tag = ['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone'].find((key) => key in r) ?? 'unknown';
      return `${String(r.critical ?? 0)} ${tag} "${String(r[tag] ?? '')}"`;
    }
    case 'SOA':
      return `${String(r.nsname)} ${String(r.hostmaster)} ${String(r.serial)} ${String(r.refresh)} ${String(r.retry)} ${String(r.expire)} ${String(r.minttl)}`;
    default:
      return JSON.stringify(record);
  }
}

/** Runs `resolver.resolve`, cancelling the query when `signal` aborts. */
function query(resolver: Resolver, name: string, type: string, signal: AbortSignal): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolver.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    resolver.resolve(name, type, (error: NodeJS.ErrnoException | null, records: unknown) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(abortReason(signal));
      else if (error) reject(error);
      else resolve(Array.isArray(records) ? records : [records]);
    });
  });
}

async function run(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  if (ctx.signal.aborted) throw abortReason(ctx.signal);
  const started = ctx.clock.now();
  const serverLabel = settings.server || 'the system resolver';
  const metadata = { name: settings.name, type: settings.type, server: serverLabel };
  // Two tries of 3 s each: long enough for a slow resolver, short of the probe's own timeout,
  // which (through the signal) still ends the query first when it is shorter.
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (settings.server) {
    try {
      resolver.setServers([await serverAddress(settings.server)]);
    } catch {
      return { values: {}, metadata, artifacts: [], error: `The DNS server ${settings.server} is not an address or a name that resolves.` };
    }
  }
  let records: unknown[] = [];
  let rcode = 'NOERROR';
  try {
    records = await query(resolver, settings.name, settings.type, ctx.signal);
  } catch (error) {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    const code = errorCode(error) ?? '';
    const mapped = RCODES[code];
    if (!mapped) {
      const elapsed = ctx.clock.now() - started;
      const sentence = NO_ANSWER.has(code)
        ? settings.server
          ? `The DNS server ${settings.server} did not answer.`
          : 'The system resolver did not answer.'
        : `The DNS query for ${settings.name} failed (${code || String(error)}).`;
      return { values: { RESPONSE_TIME: elapsed }, metadata, artifacts: [], error: sentence };
    }
    rcode = mapped;
  }
  const elapsed = ctx.clock.now() - started;
  const answers = records.map((record) => recordText(settings.type, record));
  const body = settings.type === 'A' || settings.type === 'AAAA' ? (answers[0] ?? '') : answers.join('\n');
  const answer = { name: settings.name, type: settings.type, server: serverLabel, rcode, answers: records };
  return {
    values: { DNS_RCODE: rcode, BODY: body, ANSWERS: answers, RESPONSE_TIME: elapsed },
    metadata: { ...metadata, rcode, answers: answers.length },
    artifacts: [{ name: 'answer.json', contentType: 'application/json', data: Buffer.from(`${JSON.stringify(answer, null, 2)}\n`), truncated: false }],
  };
}

export const dnsKind: ProbeKindModule<Settings> = { kind: 'dns', run };
