/**
 * The Add/Edit probe form as plain data: what the user typed (every kind's settings kept, so
 * switching kind back and forth loses nothing), turned into a `ProbeDraft` checked by the same
 * zod schema main uses, with one message per field. Presets fill it in.
 */
import { fieldErrorsOf } from '../../../../shared/errors';
import {
  PROBE_KINDS,
  PROBE_SECRET_SLOTS,
  ProbeDraft,
  type ConditionSeverity,
  type Probe,
  type ProbeKind,
  type ProbePreset,
} from '../../../../shared/model/probe';
import type { TargetKind } from '../../../../shared/model/target';
import { unfilledPlaceholders } from '../../../../shared/probe-presets';

/** `{{name}}` (not `{{secret.…}}`), as preset drafts write what the user fills in. */
const FILL = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

function fillIn(value: unknown, fills: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(FILL, (whole, name: string) => {
      const text = Object.hasOwn(fills, name) ? fills[name]!.trim() : '';
      return text === '' ? whole : text;
    });
  }
  if (Array.isArray(value)) return value.map((item) => fillIn(item, fills));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillIn(item, fills)]));
  }
  return value;
}

export interface SecretFieldState {
  /** What the user typed; empty means "keep" (or "none" for a new probe). */
  value: string;
  /** Remove the stored secret. */
  clear: boolean;
}

export interface ConditionRow {
  /** A stable key for React while rows are added and removed. */
  key: number;
  expression: string;
  severity: ConditionSeverity;
}

type SettingValue = string | boolean;

export interface ProbeFormState {
  name: string;
  scope: string;
  provider: string;
  check: string;
  kind: ProbeKind;
  settings: Record<ProbeKind, Record<string, SettingValue>>;
  conditions: ConditionRow[];
  intervalSeconds: string;
  timeoutSeconds: string;
  retries: string;
  slaSeconds: string;
  cheap: boolean;
  paused: boolean;
  secrets: Record<string, SecretFieldState>;
  /** Secret slots the preset asked for, with what to paste. */
  secretHelp: Record<string, { label: string; help: string }>;
  /** What the preset's `{{name}}` placeholders stand for, asked for at the top of the form. */
  fill: { name: string; label: string; placeholder: string }[];
  fills: Record<string, string>;
}

/** `{ 'settings.url': 'Enter an http(s) URL…' }`: keys are paths into the draft. */
export type FieldErrors = Record<string, string>;

export const KIND_LABELS: Record<ProbeKind, string> = {
  http: 'HTTP request',
  tls: 'TLS certificate',
  tcp: 'TCP connect',
  dns: 'DNS lookup',
  docker: 'Docker container',
  ssh: 'SSH command',
  github: 'GitHub',
  s3: 'S3 object storage',
  'ops-api': 'Ops API section',
};

export type SettingInput =
  | {
      key: string;
      label: string;
      type: 'text' | 'textarea' | 'number';
      placeholder?: string;
      hint?: string;
      mono?: boolean;
      optional?: boolean;
    }
  | { key: string; label: string; type: 'select'; options: readonly string[]; hint?: string }
  | { key: string; label: string; type: 'checkbox'; hint?: string }
  | { key: string; label: string; type: 'target'; targetKinds: readonly TargetKind[]; hint?: string }
  /** `Name: value` per line. */
  | { key: string; label: string; type: 'headers'; hint?: string }
  /** Comma-separated words. */
  | { key: string; label: string; type: 'list'; placeholder?: string; hint?: string };

export const SETTING_INPUTS: Record<ProbeKind, SettingInput[]> = {
  http: [
    { key: 'method', label: 'Method', type: 'select', options: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    {
      key: 'url',
      label: 'URL',
      type: 'text',
      mono: true,
      placeholder: 'https://api.example.com/health',
      hint: 'May use a secret as {{secret.NAME}}; it is put in at run time and never stored.',
    },
    {
      key: 'headers',
      label: 'Headers',
      type: 'headers',
      hint: 'One per line, like Authorization: Bearer {{secret.token}}.',
    },
    { key: 'body', label: 'Body', type: 'textarea', mono: true, optional: true, placeholder: '{"ping": true}' },
    {
      key: 'bodyCap',
      label: 'Keep up to (bytes)',
      type: 'number',
      hint: 'Of the response body, as an artifact; 262144 is 256 KB.',
    },
    { key: 'followRedirects', label: 'Follow redirects', type: 'checkbox' },
    {
      key: 'imageJsonPath',
      label: 'Image in the response (JSON path)',
      type: 'text',
      mono: true,
      optional: true,
      placeholder: 'candidates[0].content.parts[0].inlineData.data',
      hint: 'Base64 image data kept as an artifact.',
    },
  ],
  tls: [
    { key: 'host', label: 'Host', type: 'text', mono: true, placeholder: 'example.com' },
    { key: 'port', label: 'Port', type: 'number' },
    {
      key: 'serverName',
      label: 'Server name (SNI)',
      type: 'text',
      mono: true,
      optional: true,
      placeholder: 'Same as the host',
    },
  ],
  tcp: [
    { key: 'host', label: 'Host', type: 'text', mono: true, placeholder: 'db.internal' },
    { key: 'port', label: 'Port', type: 'number', placeholder: '5432' },
  ],
  dns: [
    { key: 'name', label: 'Name to look up', type: 'text', mono: true, placeholder: 'example.com' },
    {
      key: 'type',
      label: 'Record type',
      type: 'select',
      options: ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'PTR', 'SOA'],
    },
    {
      key: 'server',
      label: 'Server',
      type: 'text',
      mono: true,
      optional: true,
      placeholder: 'The system’s resolver',
      hint: 'host or host:port.',
    },
  ],
  docker: [
    { key: 'targetId', label: 'Docker target', type: 'target', targetKinds: ['docker-ssh', 'docker-local'] },
    { key: 'container', label: 'Container', type: 'text', mono: true, placeholder: 'shop-backend-1' },
  ],
  ssh: [
    { key: 'targetId', label: 'Host (Docker over SSH target)', type: 'target', targetKinds: ['docker-ssh'] },
    { key: 'command', label: 'Command', type: 'textarea', mono: true, placeholder: 'df -h / | tail -1' },
    { key: 'outputCap', label: 'Keep up to (bytes)', type: 'number', hint: 'Of the output, as an artifact.' },
  ],
  github: [
    { key: 'check', label: 'What to check', type: 'select', options: ['token', 'repository', 'workflow'] },
    { key: 'baseUrl', label: 'API root', type: 'text', mono: true, placeholder: 'https://api.github.com' },
    { key: 'owner', label: 'Owner', type: 'text', mono: true, optional: true, placeholder: 'acme' },
    { key: 'repo', label: 'Repository', type: 'text', mono: true, optional: true, placeholder: 'shop' },
    { key: 'branch', label: 'Branch', type: 'text', mono: true, optional: true, placeholder: 'main' },
    {
      key: 'workflow',
      label: 'Workflow',
      type: 'text',
      mono: true,
      optional: true,
      placeholder: 'ci.yml',
      hint: 'Empty: the latest run of any workflow.',
    },
    { key: 'requiredScopes', label: 'Required token scopes', type: 'list', placeholder: 'repo, workflow' },
  ],
  s3: [
    {
      key: 'endpoint',
      label: 'Endpoint',
      type: 'text',
      mono: true,
      placeholder: 'https://nyc3.digitaloceanspaces.com',
    },
    { key: 'region', label: 'Region', type: 'text', mono: true, placeholder: 'us-east-1' },
    { key: 'bucket', label: 'Bucket', type: 'text', mono: true, placeholder: 'my-bucket' },
    { key: 'keyPrefix', label: 'Key prefix', type: 'text', mono: true, placeholder: 'control-room-probe/' },
    { key: 'forcePathStyle', label: 'Path-style URLs (MinIO and most local servers)', type: 'checkbox' },
  ],
  'ops-api': [
    { key: 'targetId', label: 'Ops API target', type: 'target', targetKinds: ['ops-api'] },
    {
      key: 'section',
      label: 'Section',
      type: 'select',
      options: ['deploy', 'containers', 'host', 'migrations', 'frontend', 'alerts'],
    },
  ],
};

const DEFAULT_SETTINGS: Record<ProbeKind, Record<string, SettingValue>> = {
  http: { method: 'GET', url: '', headers: '', body: '', bodyCap: '262144', followRedirects: true, imageJsonPath: '' },
  tls: { host: '', port: '443', serverName: '' },
  tcp: { host: '', port: '' },
  dns: { name: '', type: 'A', server: '' },
  docker: { targetId: '', container: '' },
  ssh: { targetId: '', command: '', outputCap: '262144' },
  github: {
    check: 'token',
    baseUrl: 'https://api.github.com',
    owner: '',
    repo: '',
    branch: '',
    workflow: '',
    requiredScopes: '',
  },
  s3: { endpoint: '', region: 'us-east-1', bucket: '', keyPrefix: 'control-room-probe/', forcePathStyle: false },
  'ops-api': { targetId: '', section: 'deploy' },
};

const DEFAULT_CONDITIONS: Partial<Record<ProbeKind, string[]>> = {
  http: ['[STATUS] == 200', '[RESPONSE_TIME] < 2000'],
  tls: ['[CERTIFICATE_EXPIRATION] > 168h'],
  tcp: ['[CONNECTED] == true'],
  dns: ['[DNS_RCODE] == NOERROR'],
};

/**
 * The state after choosing another kind: the settings of each kind are kept; conditions still
 * as the old kind's defaults (untouched) become the new kind's defaults.
 */
export function withKind(state: ProbeFormState, kind: ProbeKind): ProbeFormState {
  const defaults = DEFAULT_CONDITIONS[state.kind] ?? [];
  const untouched =
    state.conditions.length === defaults.length &&
    state.conditions.every((c, i) => c.expression === defaults[i] && c.severity === 'fail');
  return {
    ...state,
    kind,
    conditions: untouched
      ? (DEFAULT_CONDITIONS[kind] ?? []).map((expression) => conditionRow(expression))
      : state.conditions,
  };
}

let conditionKeys = 0;
export function conditionRow(expression = '', severity: ConditionSeverity = 'fail'): ConditionRow {
  conditionKeys += 1;
  return { key: conditionKeys, expression, severity };
}

function freshSettings(): Record<ProbeKind, Record<string, SettingValue>> {
  return Object.fromEntries(PROBE_KINDS.map((kind) => [kind, { ...DEFAULT_SETTINGS[kind] }])) as Record<
    ProbeKind,
    Record<string, SettingValue>
  >;
}

/** A saved value as the form shows it. */
function toFormValue(input: SettingInput, value: unknown): SettingValue {
  if (input.type === 'checkbox') return Boolean(value);
  if (value === undefined || value === null) return '';
  if (input.type === 'headers' && typeof value === 'object') {
    return Object.entries(value as Record<string, string>)
      .map(([name, text]) => `${name}: ${text}`)
      .join('\n');
  }
  if (input.type === 'list' && Array.isArray(value)) return value.join(', ');
  return String(value);
}

function loadSettings(state: ProbeFormState, kind: ProbeKind, settings: Record<string, unknown>) {
  for (const input of SETTING_INPUTS[kind]) {
    if (Object.hasOwn(settings, input.key)) state.settings[kind][input.key] = toFormValue(input, settings[input.key]);
  }
}

export function initialFormState(probe?: Probe): ProbeFormState {
  const state: ProbeFormState = {
    name: '',
    scope: '',
    provider: '',
    check: '',
    kind: 'http',
    settings: freshSettings(),
    conditions: (DEFAULT_CONDITIONS.http ?? []).map((expression) => conditionRow(expression)),
    intervalSeconds: '300',
    timeoutSeconds: '30',
    retries: '1',
    slaSeconds: '',
    cheap: false,
    paused: false,
    secrets: {},
    secretHelp: {},
    fill: [],
    fills: {},
  };
  if (!probe) return state;
  state.name = probe.name;
  state.scope = probe.scope;
  state.provider = probe.provider ?? '';
  state.check = probe.check;
  state.kind = probe.kind;
  loadSettings(state, probe.kind, probe.settings as Record<string, unknown>);
  state.conditions = probe.conditions.map((c) => conditionRow(c.expression, c.severity));
  state.intervalSeconds = String(probe.intervalSeconds);
  state.timeoutSeconds = String(probe.timeoutSeconds);
  state.retries = String(probe.retries);
  state.slaSeconds = probe.slaSeconds === null ? '' : String(probe.slaSeconds);
  state.cheap = probe.cheap;
  state.paused = probe.paused;
  for (const slot of Object.keys(probe.secrets)) state.secrets[slot] = { value: '', clear: false };
  return state;
}

export function presetFormState(preset: ProbePreset): ProbeFormState {
  const state = initialFormState();
  const draft = preset.draft;
  const kind = PROBE_KINDS.includes(draft.kind as ProbeKind) ? (draft.kind as ProbeKind) : 'http';
  state.kind = kind;
  if (typeof draft.name === 'string') state.name = draft.name;
  if (typeof draft.scope === 'string') state.scope = draft.scope;
  if (typeof draft.provider === 'string') state.provider = draft.provider;
  if (typeof draft.check === 'string') state.check = draft.check;
  if (draft.settings && typeof draft.settings === 'object')
    loadSettings(state, kind, draft.settings as Record<string, unknown>);
  state.conditions = Array.isArray(draft.conditions)
    ? draft.conditions.flatMap((c: unknown) => {
        if (typeof c === 'string') return [conditionRow(c)];
        if (c && typeof c === 'object' && typeof (c as { expression?: unknown }).expression === 'string') {
          const { expression, severity } = c as { expression: string; severity?: unknown };
          return [conditionRow(expression, severity === 'warn' ? 'warn' : 'fail')];
        }
        return [];
      })
    : (DEFAULT_CONDITIONS[kind] ?? []).map((expression) => conditionRow(expression));
  const numberOf = (key: string) => (typeof draft[key] === 'number' ? String(draft[key]) : undefined);
  state.intervalSeconds = numberOf('intervalSeconds') ?? state.intervalSeconds;
  state.timeoutSeconds = numberOf('timeoutSeconds') ?? state.timeoutSeconds;
  state.retries = numberOf('retries') ?? state.retries;
  state.slaSeconds = numberOf('slaSeconds') ?? state.slaSeconds;
  if (typeof draft.cheap === 'boolean') state.cheap = draft.cheap;
  if (typeof draft.paused === 'boolean') state.paused = draft.paused;
  for (const secret of preset.secrets) {
    state.secrets[secret.slot] = { value: '', clear: false };
    state.secretHelp[secret.slot] = { label: secret.label, help: secret.help };
  }
  state.fill = preset.fill.map((f) => ({ name: f.field, label: f.label, placeholder: f.placeholder }));
  state.fills = Object.fromEntries(preset.fill.map((f) => [f.field, '']));
  return state;
}

/** Names a kind's settings refer to as `{{secret.NAME}}`. */
function referencedSecrets(settings: Record<string, SettingValue>): string[] {
  const names = new Set<string>();
  for (const value of Object.values(settings)) {
    if (typeof value !== 'string') continue;
    for (const match of value.matchAll(/\{\{\s*secret\.([A-Za-z][A-Za-z0-9_]{0,63})\s*\}\}/g)) names.add(match[1]!);
  }
  return [...names];
}

/** The secret slots the form shows: the kind's own, the preset's, the saved probe's and any referenced. */
export function slotsOf(state: ProbeFormState, probe?: Probe): string[] {
  const slots = new Set<string>(PROBE_SECRET_SLOTS[state.kind]);
  for (const slot of Object.keys(state.secretHelp)) slots.add(slot);
  if (probe?.kind === state.kind) for (const slot of Object.keys(probe.secrets)) slots.add(slot);
  for (const slot of referencedSecrets(state.settings[state.kind])) slots.add(slot);
  return [...slots];
}

const WHOLE_NUMBER = /^\d+$/;

function settingsOf(state: ProbeFormState, errors: FieldErrors): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const input of SETTING_INPUTS[state.kind]) {
    const value = state.settings[state.kind][input.key];
    const path = `settings.${input.key}`;
    if (input.type === 'checkbox') {
      out[input.key] = Boolean(value);
      continue;
    }
    const text = typeof value === 'string' ? value : '';
    if (input.type === 'number') {
      const trimmed = text.trim();
      if (trimmed === '') continue; // the schema's default, or its "required" message
      if (!WHOLE_NUMBER.test(trimmed)) errors[path] = 'Enter a whole number.';
      else out[input.key] = Number(trimmed);
      continue;
    }
    if (input.type === 'headers') {
      const headers: Record<string, string> = {};
      for (const [index, line] of text.split('\n').entries()) {
        if (!line.trim()) continue;
        const colon = line.indexOf(':');
        if (colon <= 0) {
          errors[path] ??= `Line ${index + 1}: write a header as Name: value.`;
          continue;
        }
        headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      out[input.key] = headers;
      continue;
    }
    if (input.type === 'list') {
      out[input.key] = text
        .split(/[,\s]+/)
        .map((word) => word.trim())
        .filter(Boolean);
      continue;
    }
    if (text.trim() === '' && ('optional' in input ? input.optional : false)) continue;
    // Empty required text: let the schema say what is missing (a default fills it where there is one).
    if (
      text.trim() === '' &&
      input.type !== 'select' &&
      input.type !== 'target' &&
      DEFAULT_SETTINGS[state.kind][input.key]
    )
      continue;
    out[input.key] = text;
  }
  return out;
}

function secretsOf(state: ProbeFormState, probe?: Probe): Record<string, string | null> {
  const secrets: Record<string, string | null> = {};
  for (const slot of slotsOf(state, probe)) {
    const field = state.secrets[slot];
    if (!field) continue;
    const stored = probe?.kind === state.kind && probe.secrets[slot]?.present;
    if (field.clear && stored) secrets[slot] = null;
    else if (!field.clear && field.value !== '') secrets[slot] = field.value;
  }
  return secrets;
}

function wholeNumber(text: string, path: string, errors: FieldErrors, nullable = false): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return nullable ? null : undefined;
  if (!WHOLE_NUMBER.test(trimmed)) {
    errors[path] = 'Enter a whole number of seconds.';
    return undefined;
  }
  return Number(trimmed);
}

export function buildDraft(
  state: ProbeFormState,
  probe?: Probe,
): { ok: true; draft: ProbeDraft } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const settings = settingsOf(state, errors);
  const secrets = secretsOf(state, probe);
  const numbers = {
    intervalSeconds: wholeNumber(state.intervalSeconds, 'intervalSeconds', errors),
    timeoutSeconds: wholeNumber(state.timeoutSeconds, 'timeoutSeconds', errors),
    retries: wholeNumber(state.retries, 'retries', errors),
    slaSeconds: wholeNumber(state.slaSeconds, 'slaSeconds', errors, true),
  };
  const candidate = {
    name: state.name,
    scope: state.scope,
    provider: state.provider.trim() === '' ? null : state.provider,
    check: state.check,
    kind: state.kind,
    settings,
    conditions: state.conditions
      .filter((c) => c.expression.trim() !== '')
      .map((c) => ({ expression: c.expression, severity: c.severity })),
    ...Object.fromEntries(Object.entries(numbers).filter(([, value]) => value !== undefined)),
    cheap: state.cheap,
    paused: state.paused,
    ...(Object.keys(secrets).length ? { secrets } : {}),
  };
  // A preset's `{{name}}` placeholders take what was typed for them (secrets are left alone).
  const filled = {
    ...(fillIn(candidate, state.fills) as typeof candidate),
    ...(Object.keys(secrets).length ? { secrets } : {}),
  };
  for (const name of unfilledPlaceholders({ ...filled, secrets: undefined })) {
    if (Object.hasOwn(state.fills, name)) errors[`fill.${name}`] = 'Fill this in.';
  }
  const parsed = ProbeDraft.safeParse(filled);
  if (!parsed.success) {
    const fromSchema = formFieldErrors(fieldErrorsOf(parsed.error), state);
    for (const [key, message] of Object.entries(fromSchema)) errors[key] ??= message;
  }
  if (Object.keys(errors).length || !parsed.success) return { ok: false, errors };
  return { ok: true, draft: parsed.data };
}

/**
 * Errors keyed by the draft's paths, folded onto the fields the form shows: a header's error on
 * Headers, a condition's on its row (the conditions sent skip empty rows, so indexes are mapped
 * back), a list item's on its list.
 */
export function formFieldErrors(fieldErrors: Record<string, string> | undefined, state: ProbeFormState): FieldErrors {
  const out: FieldErrors = {};
  if (!fieldErrors) return out;
  const sentRows = state.conditions.map((c, index) => ({ c, index })).filter(({ c }) => c.expression.trim() !== '');
  for (const [key, message] of Object.entries(fieldErrors)) {
    let mapped = key;
    const condition = /^conditions\.(\d+)(?:\.(\w+))?/.exec(key);
    if (condition) {
      const row = sentRows[Number(condition[1])];
      mapped = `conditions.${row ? row.index : condition[1]}.${condition[2] ?? 'expression'}`;
    }
    const setting = /^settings\.(headers|requiredScopes)\./.exec(key);
    if (setting) mapped = `settings.${setting[1]}`;
    out[mapped] ??= message;
  }
  return out;
}

/** Whether the form shows a field for this error key (else it goes in the footer). */
export function isShownField(key: string, state: ProbeFormState, slots: string[]): boolean {
  if (
    ['name', 'scope', 'provider', 'check', 'intervalSeconds', 'timeoutSeconds', 'retries', 'slaSeconds'].includes(key)
  )
    return true;
  if (/^conditions\.\d+\.(expression|severity)$/.test(key)) return true;
  const setting = /^settings\.(\w+)$/.exec(key);
  if (setting) return SETTING_INPUTS[state.kind].some((input) => input.key === setting[1]);
  const secret = /^secrets\.(\w+)$/.exec(key);
  if (secret) return slots.includes(secret[1]!);
  return false;
}
