/**
 * A Gatus `config.yaml` (already parsed) mapped to probe drafts, with what changed or why not per
 * endpoint.
 *
 * Gatus's condition syntax is ours, so conditions are kept as written; each is still checked, and
 * one that does not read, or names a placeholder the kind does not report, is dropped and said
 * so. `${ENV}` (and `$ENV`) in a URL, header or body becomes `{{secret.ENV}}`: Gatus expands the
 * environment when it reads the file, Control Room keeps such values in the keychain, so the
 * user fills each before importing. Endpoint types without a matching kind are skipped with the
 * reason and what to do instead.
 */
import { parseDuration } from './probe-conditions';
import type { ImportedAlert, ProbeImportItem, ProbeImportPlan } from './model/probe-import';
import { conditionProblem, finishItem, isRecord, NameFitter, scopeOf, skippedItem } from './probe-import-common';

/** Gatus's defaults: an endpoint runs every 60 s, its client times out after 10 s. */
const GATUS_INTERVAL_SECONDS = 60;
const GATUS_TIMEOUT_SECONDS = 10;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'PTR', 'SOA'];

/** Endpoint types Control Room has no kind for, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  ssh: 'ssh checks run over a Docker-over-SSH target (its pinned host key and key in the keychain): add the host as a target, then an ssh probe on it.',
  icmp: 'ping (ICMP) needs raw-socket privileges the app does not take: a tcp probe on a port the host serves checks it is up.',
  udp: 'UDP has no handshake to tell a listening port from a silent one, so there is no udp kind: check the service with a dns or http probe if it speaks one.',
  sctp: 'SCTP is not a probe kind: a tcp probe on the same host checks it is reachable.',
  grpc: 'gRPC health checks are not a probe kind yet: an http probe on the service’s HTTP health endpoint is the nearest.',
  grpcs:
    'gRPC health checks are not a probe kind yet: an http probe on the service’s HTTP health endpoint is the nearest.',
  ws: 'WebSocket checks are not a probe kind: an http probe on the same server checks it answers.',
  wss: 'WebSocket checks are not a probe kind: an http probe (https) on the same server checks it answers and its certificate.',
  starttls:
    'STARTTLS is not a probe kind: a tcp probe checks the port, and a tls probe checks the certificate where the server also speaks implicit TLS (465, 993).',
};

export interface GatusImportOptions {
  /** Names of saved probes: an endpoint with one of them is imported under a new name. */
  existingNames: readonly string[];
}

/** Maps a parsed Gatus configuration to a plan; never throws on a malformed file. */
export function mapGatusConfig(config: unknown, options: GatusImportOptions): ProbeImportPlan {
  const notes: string[] = [];
  if (!isRecord(config))
    return {
      source: 'gatus',
      items: [],
      notes: ['This file is not a Gatus configuration (a YAML mapping with endpoints:).'],
    };
  const endpoints = Array.isArray(config.endpoints) ? config.endpoints : [];
  if (!endpoints.length) notes.push('The file has no endpoints: to import.');
  if (isRecord(config.alerting)) {
    const providers = Object.keys(config.alerting).join(', ');
    notes.push(
      `Alerting providers (${providers}) are not imported: their webhooks and passwords belong in alert channels, set up under Alerts.`,
    );
  }
  const names = new NameFitter(options.existingNames);
  const items: ProbeImportItem[] = endpoints.map((endpoint, index) => mapEndpoint(endpoint, String(index), names));
  const external = Array.isArray(config['external-endpoints']) ? config['external-endpoints'] : [];
  external.forEach((endpoint, index) => {
    const name =
      isRecord(endpoint) && typeof endpoint.name === 'string' ? endpoint.name : `external endpoint ${index + 1}`;
    items.push(
      skippedItem(
        `external-${index}`,
        name,
        'external',
        'External endpoints are pushed to Gatus by something else; Control Room records only checks it makes itself.',
      ),
    );
  });
  if (Array.isArray(config.suites) && config.suites.length)
    notes.push(
      `${config.suites.length} suite(s) not imported: multi-step suites have no probe equivalent; import their endpoints one by one.`,
    );
  return { source: 'gatus', items, notes };
}

function mapEndpoint(endpoint: unknown, key: string, names: NameFitter): ProbeImportItem {
  if (!isRecord(endpoint))
    return skippedItem(
      key,
      `endpoint ${Number(key) + 1}`,
      'unknown',
      'This entry is not an endpoint (a mapping with name and url).',
    );
  const sourceName = typeof endpoint.name === 'string' ? endpoint.name.trim() : '';
  if (!sourceName) return skippedItem(key, `endpoint ${Number(key) + 1}`, 'unknown', 'The endpoint has no name.');
  const url = typeof endpoint.url === 'string' ? endpoint.url.trim() : '';
  if (!url) return skippedItem(key, sourceName, 'unknown', 'The endpoint has no url.');

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const isDns = isRecord(endpoint.dns);
  const sourceType = isDns ? 'dns' : (scheme ?? 'unknown');
  if (!isDns && scheme && UNSUPPORTED[scheme]) return skippedItem(key, sourceName, sourceType, UNSUPPORTED[scheme]);

  const changes: string[] = [];
  const secrets = new Set<string>();
  const env = (text: string, where: string) => toSecretPlaceholders(text, where, secrets, changes);

  let kind: 'http' | 'tcp' | 'tls' | 'dns';
  let settings: Record<string, unknown>;
  // Only http settings may hold a secret: a host or a DNS name read from the environment must be written out.
  const envInAddress =
    (isDns || scheme === 'tcp' || scheme === 'tls') && /\$\{?[A-Za-z_]/.exec(url + JSON.stringify(endpoint.dns ?? ''));
  if (envInAddress)
    return skippedItem(
      key,
      sourceName,
      sourceType,
      `Its address comes from the environment (${url}): a ${sourceType} probe's host is not a secret, so write the host into the file and import it again.`,
    );
  if (isDns) {
    const dns = endpoint.dns as Record<string, unknown>;
    const type = String(dns['query-type'] ?? 'A').toUpperCase();
    if (!DNS_TYPES.includes(type))
      return skippedItem(
        key,
        sourceName,
        sourceType,
        `DNS query type ${type} is not one a dns probe makes (${DNS_TYPES.join(', ')}).`,
      );
    const queryName = typeof dns['query-name'] === 'string' ? dns['query-name'].trim() : '';
    if (!queryName) return skippedItem(key, sourceName, sourceType, 'The dns block has no query-name.');
    kind = 'dns';
    settings = { server: url.replace(/^[a-z]+:\/\//i, ''), name: queryName, type };
  } else if (scheme === 'http' || scheme === 'https') {
    kind = 'http';
    const method = String(endpoint.method ?? 'GET').toUpperCase();
    if (!HTTP_METHODS.includes(method))
      return skippedItem(
        key,
        sourceName,
        sourceType,
        `HTTP method ${method} is not one an http probe sends (${HTTP_METHODS.join(', ')}).`,
      );
    const httpUrl = env(url, 'the url');
    const headers: Record<string, string> = {};
    if (isRecord(endpoint.headers))
      for (const [name, value] of Object.entries(endpoint.headers))
        headers[name] = env(String(value), `header ${name}`);
    let body = typeof endpoint.body === 'string' && endpoint.body !== '' ? env(endpoint.body, 'the body') : undefined;
    if (endpoint.graphql === true && body !== undefined) {
      body = JSON.stringify({ query: body });
      headers['Content-Type'] ??= 'application/json';
      changes.push(
        'The GraphQL query is sent as Gatus sends it: a JSON body {"query": …} with Content-Type application/json.',
      );
    }
    settings = { method, url: httpUrl, headers, ...(body !== undefined ? { body } : {}) };
  } else if (scheme === 'tcp' || scheme === 'tls') {
    kind = scheme;
    const hostPort = /^[a-z]+:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/i.exec(url);
    if (!hostPort) return skippedItem(key, sourceName, sourceType, `The url ${url} is not ${scheme}://host:port.`);
    const host = hostPort[1]!.replace(/^\[|\]$/g, '');
    if (!hostPort[2] && scheme === 'tcp')
      return skippedItem(key, sourceName, sourceType, `The url ${url} names no port to connect to.`);
    settings = { host, port: hostPort[2] ? Number(hostPort[2]) : 443 };
  } else {
    return skippedItem(
      key,
      sourceName,
      sourceType,
      scheme
        ? `Endpoints of type ${scheme}:// have no probe kind.`
        : `The url ${url} has no scheme (https://, tcp://, tls://) and no dns block, so its type is unknown.`,
    );
  }

  const client = isRecord(endpoint.client) ? endpoint.client : {};
  if (client.insecure === true) changes.push('client.insecure is dropped: probes always check certificates.');
  for (const option of ['oauth2', 'identity-aware-proxy', 'tls', 'dns-resolver', 'network', 'proxy-url', 'ssh-tunnel'])
    if (client[option] !== undefined && client[option] !== false)
      changes.push(`client.${option} is not imported: probes have no such setting.`);
  if (client['ignore-redirect'] === true && kind === 'http') settings.followRedirects = false;

  const intervalSeconds = seconds(endpoint.interval, GATUS_INTERVAL_SECONDS, 'interval', 10, 7 * 24 * 3600, changes);
  const timeoutSeconds = seconds(client.timeout, GATUS_TIMEOUT_SECONDS, 'client.timeout', 1, 600, changes);

  const conditions: { expression: string; severity: 'fail' }[] = [];
  for (const raw of Array.isArray(endpoint.conditions) ? endpoint.conditions : []) {
    const expression = String(raw).trim();
    const problem = conditionProblem(expression, kind);
    if (problem) changes.push(`Condition "${expression}" dropped: it ${problem}.`);
    else conditions.push({ expression, severity: 'fail' });
  }

  const group = typeof endpoint.group === 'string' ? endpoint.group.trim() : '';
  const scope = scopeOf(group, 'gatus');
  if (group && scope !== group.toLowerCase()) changes.push(`Group "${group}" became scope ${scope}.`);
  const { name, clash } = names.fit(sourceName);
  if (clash) changes.push(`A probe named "${sourceName}" exists already: imported as "${name}".`);
  const paused = endpoint.enabled === false;
  if (paused) changes.push('Disabled in Gatus: imported paused.');

  const alert = alertOf(endpoint.alerts);
  if (alert)
    changes.push(
      `Alert after ${alert.failureThreshold} failures, resolve after ${alert.successThreshold} successes (via ${alert.channels.join(', ') || 'no provider'}): becomes its alert rule.`,
    );
  const draft = {
    name,
    scope,
    check: `gatus.${scope}.${scopeOf(sourceName, 'endpoint')}`.slice(0, 120),
    kind,
    settings,
    conditions,
    intervalSeconds,
    timeoutSeconds,
    retries: 0,
    paused,
  };
  return finishItem({ key, name: sourceName, sourceType, changes, secrets: [...secrets], alert }, draft);
}

/**
 * `${NAME}` and `$NAME` → `{{secret.NAME}}`, noting each secret once; `$$` is Gatus's escape for
 * a literal `$` (a GraphQL variable, say) and stays one.
 */
function toSecretPlaceholders(text: string, where: string, secrets: Set<string>, changes: string[]): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const env = (braced ?? bare)!;
      const slot = /^[A-Za-z]/.test(env) ? env.slice(0, 64) : `ENV${env}`.slice(0, 64);
      if (!secrets.has(slot)) {
        secrets.add(slot);
        changes.push(`\${${env}} in ${where} is read from the keychain as secret ${slot}: fill it in.`);
      }
      return `{{secret.${slot}}}`;
    },
  );
}

/** A Gatus duration (`30s`, `5m`, `1h30m`) in whole seconds within bounds, noting any change. */
function seconds(value: unknown, fallback: number, field: string, min: number, max: number, changes: string[]): number {
  if (value === undefined || value === null || value === '') return fallback;
  const ms = typeof value === 'number' ? value / 1e6 : parseDuration(String(value).trim());
  if (ms === null || !Number.isFinite(ms)) {
    changes.push(`${field} "${String(value)}" does not read as a duration: ${fallback}s is used.`);
    return fallback;
  }
  const whole = Math.ceil(ms / 1000);
  const bounded = Math.min(max, Math.max(min, whole));
  if (bounded !== whole || whole * 1000 !== ms)
    changes.push(`${field} ${String(value)} became ${bounded}s (probes take whole seconds, ${min}s to ${max}s).`);
  return bounded;
}

/** The thresholds of the endpoint's enabled alerts (the most patient of them), or null. */
function alertOf(alerts: unknown): ImportedAlert | null {
  if (!Array.isArray(alerts)) return null;
  const enabled = alerts.filter(
    (alert): alert is Record<string, unknown> => isRecord(alert) && alert.enabled !== false,
  );
  if (!enabled.length) return null;
  const threshold = (alert: Record<string, unknown>, field: string, fallback: number) => {
    const value = Number(alert[field] ?? fallback);
    return Number.isInteger(value) && value >= 1 ? value : fallback;
  };
  return {
    failureThreshold: Math.max(...enabled.map((alert) => threshold(alert, 'failure-threshold', 3))),
    successThreshold: Math.max(...enabled.map((alert) => threshold(alert, 'success-threshold', 2))),
    channels: [...new Set(enabled.map((alert) => String(alert.type ?? 'unknown')))],
  };
}
