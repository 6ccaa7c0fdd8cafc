/**
 * The Add/Edit probe form model (renderer/src/areas/integrations/probe-form.ts), in node with no
 * DOM: a saved probe of every kind survives probe → form → draft → form unchanged; every shipped
 * preset, filled in, builds the same draft the shared preset code does; a `{{name}}` left unfilled
 * is refused on its fill-in field; a kind switch swaps default conditions only while untouched.
 */
import { describe, expect, it } from 'vitest';
import { probePresets } from '../../../../main/services/probes/probe-presets';
import { PROBE_KINDS, Probe, ProbeDraft, type ProbeKind, type ProbePreset } from '../../../../shared/model/probe';
import { applyPreset } from '../../../../shared/probe-presets';
import {
  SETTING_INPUTS,
  buildDraft,
  conditionRow,
  formFieldErrors,
  initialFormState,
  isShownField,
  presetFormState,
  slotsOf,
  withKind,
  type ProbeFormState,
} from '../../../../renderer/src/areas/integrations/probe-form';
import { fillsFor } from '../../../support/preset-fills';

/** The shipped presets (resources/probe-presets.json), as main loads them. */
const presets = probePresets();

const SAVED = {
  id: 'p-1',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T00:00:00.000Z',
};

/** One saved probe per kind, with settings away from the defaults wherever a field allows. */
const PROBES: Record<ProbeKind, Record<string, unknown>> = {
  http: {
    name: 'Gemini text',
    scope: 'gemini',
    provider: 'ai_studio',
    check: 'gemini.ai_studio.text',
    kind: 'http',
    settings: {
      method: 'POST',
      url: 'https://generativelanguage.googleapis.com/v1beta/models/x:generateContent',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': '{{secret.apiKey}}' },
      body: '{"contents": []}',
      bodyCap: 1024,
      followRedirects: false,
      imageJsonPath: 'candidates[0].content.parts[0].inlineData.data',
    },
    conditions: [
      { expression: '[STATUS] == 200', severity: 'fail' },
      { expression: '[RESPONSE_TIME] < 30s', severity: 'warn' },
    ],
    intervalSeconds: 600,
    timeoutSeconds: 45,
    retries: 2,
    slaSeconds: 1800,
    cheap: true,
    paused: false,
    secrets: { apiKey: { ref: 'probe/p-1/apiKey', present: true } },
  },
  tls: {
    name: 'Shop certificate',
    scope: 'website',
    provider: null,
    check: 'website.tls',
    kind: 'tls',
    settings: { host: 'shop.example.com', port: 8443, serverName: 'www.example.com' },
    conditions: [{ expression: '[CERTIFICATE_EXPIRATION] > 72h', severity: 'warn' }],
    intervalSeconds: 3600,
    timeoutSeconds: 10,
    retries: 0,
    slaSeconds: null,
    cheap: false,
    paused: true,
    secrets: {},
  },
  tcp: {
    name: 'Database port',
    scope: 'shop',
    provider: 'db',
    check: '',
    kind: 'tcp',
    settings: { host: '10.0.0.5', port: 5432 },
    conditions: [{ expression: '[CONNECTED] == true', severity: 'fail' }],
    intervalSeconds: 60,
    timeoutSeconds: 5,
    retries: 1,
    slaSeconds: null,
    cheap: true,
    paused: false,
    secrets: {},
  },
  dns: {
    name: 'MX records',
    scope: 'mail',
    provider: null,
    check: 'mail.mx',
    kind: 'dns',
    settings: { name: 'example.com', type: 'MX', server: '127.0.0.1:5353' },
    conditions: [
      { expression: '[DNS_RCODE] == NOERROR', severity: 'fail' },
      { expression: 'len([BODY]) > 0', severity: 'warn' },
    ],
    intervalSeconds: 300,
    timeoutSeconds: 30,
    retries: 1,
    slaSeconds: null,
    cheap: false,
    paused: false,
    secrets: {},
  },
  docker: {
    name: 'Backend container',
    scope: 'shop',
    provider: 'api',
    check: 'shop.api.container',
    kind: 'docker',
    settings: { targetId: 'shop-prod', container: 'shop-backend-1' },
    conditions: [],
    intervalSeconds: 120,
    timeoutSeconds: 20,
    retries: 0,
    slaSeconds: 600,
    cheap: false,
    paused: false,
    secrets: {},
  },
  ssh: {
    name: 'Disk space',
    scope: 'host',
    provider: null,
    check: 'host.disk',
    kind: 'ssh',
    settings: { targetId: 'web-1', command: 'df -h / | tail -1', outputCap: 4096 },
    conditions: [{ expression: '[EXIT_CODE] == 0', severity: 'fail' }],
    intervalSeconds: 900,
    timeoutSeconds: 30,
    retries: 1,
    slaSeconds: null,
    cheap: false,
    paused: false,
    secrets: {},
  },
  github: {
    name: 'CI on main',
    scope: 'github',
    provider: 'actions',
    check: 'github.actions.main',
    kind: 'github',
    settings: {
      check: 'workflow',
      baseUrl: 'https://github.example.com/api/v3',
      owner: 'acme',
      repo: 'shop',
      branch: 'main',
      workflow: 'ci.yml',
      requiredScopes: ['repo', 'workflow'],
    },
    conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
    intervalSeconds: 300,
    timeoutSeconds: 30,
    retries: 1,
    slaSeconds: null,
    cheap: true,
    paused: false,
    secrets: { token: { ref: 'probe/p-1/token', present: true } },
  },
  s3: {
    name: 'Assets bucket',
    scope: 'spaces',
    provider: 'digitalocean',
    check: 'spaces.upload',
    kind: 's3',
    settings: {
      endpoint: 'http://127.0.0.1:9000',
      region: 'nyc3',
      bucket: 'shop-assets',
      keyPrefix: 'probes/',
      forcePathStyle: true,
    },
    conditions: [],
    intervalSeconds: 3600,
    timeoutSeconds: 60,
    retries: 1,
    slaSeconds: null,
    cheap: false,
    paused: false,
    secrets: {
      accessKeyId: { ref: 'probe/p-1/accessKeyId', present: true },
      secretAccessKey: { ref: 'probe/p-1/secretAccessKey', present: false },
    },
  },
  'ops-api': {
    name: 'Deploy health',
    scope: 'ops',
    provider: null,
    check: 'ops.deploy',
    kind: 'ops-api',
    settings: { targetId: 'ops-prod', section: 'alerts' },
    conditions: [],
    intervalSeconds: 300,
    timeoutSeconds: 30,
    retries: 1,
    slaSeconds: null,
    cheap: false,
    paused: false,
    secrets: {},
  },
};

function savedProbe(kind: ProbeKind): Probe {
  return Probe.parse({ ...PROBES[kind], ...SAVED });
}

/** The draft a saved probe stands for: everything but its id, timestamps and secret statuses. */
function draftOf(probe: Probe): ProbeDraft {
  const { id: _id, createdAt: _c, updatedAt: _u, secrets: _s, ...rest } = probe;
  return ProbeDraft.parse(rest);
}

/** The form without the condition rows' React keys, which differ by construction. */
function comparable(state: ProbeFormState) {
  return { ...state, conditions: state.conditions.map(({ expression, severity }) => ({ expression, severity })) };
}

function built(state: ProbeFormState, probe?: Probe): ProbeDraft {
  const result = buildDraft(state, probe);
  if (!result.ok) throw new Error(`the form was refused: ${JSON.stringify(result.errors)}`);
  return result.draft;
}

describe('probe form: a saved probe round-trips through the form', () => {
  it('covers every kind', () => {
    expect(Object.keys(PROBES).sort()).toEqual([...PROBE_KINDS].sort());
  });

  it.each(PROBE_KINDS)('%s: probe → form → draft is the probe, and the draft saved → form is the same form', (kind) => {
    const probe = savedProbe(kind);
    const form = initialFormState(probe);
    expect(form.kind).toBe(kind);
    const draft = built(form, probe);
    expect(draft).toEqual(draftOf(probe));
    // Secrets left empty mean "keep": none are sent.
    expect(draft.secrets).toBeUndefined();

    const again = initialFormState(Probe.parse({ ...draft, ...SAVED, secrets: probe.secrets }));
    expect(comparable(again)).toEqual(comparable(form));
  });

  it('shows settings as typed: headers one per line, lists comma-separated, numbers as text', () => {
    const http = initialFormState(savedProbe('http'));
    expect(http.settings.http.headers).toBe('content-type: application/json\nx-goog-api-key: {{secret.apiKey}}');
    expect(http.settings.http.bodyCap).toBe('1024');
    expect(http.settings.http.followRedirects).toBe(false);
    expect(http.slaSeconds).toBe('1800');
    const github = initialFormState(savedProbe('github'));
    expect(github.settings.github.requiredScopes).toBe('repo, workflow');
    expect(initialFormState(savedProbe('tls')).slaSeconds).toBe('');
  });

  it('keeps the other kinds at their defaults, so a switch starts from them', () => {
    const form = initialFormState(savedProbe('tcp'));
    expect(form.settings.http).toEqual(initialFormState().settings.http);
    expect(form.settings.s3.region).toBe('us-east-1');
  });

  it('sends a typed secret, a cleared stored one as null, and nothing for an untouched one', () => {
    const probe = savedProbe('s3');
    const form = initialFormState(probe);
    expect(slotsOf(form, probe)).toEqual(['accessKeyId', 'secretAccessKey']);
    form.secrets.accessKeyId = { value: '', clear: true };
    form.secrets.secretAccessKey = { value: 'new-secret', clear: false };
    expect(built(form, probe).secrets).toEqual({ accessKeyId: null, secretAccessKey: 'new-secret' });
    // Clearing a secret that is not stored sends nothing.
    form.secrets.secretAccessKey = { value: '', clear: true };
    const notStored = built(form, probe);
    expect(notStored.secrets).toEqual({ accessKeyId: null });
  });

  it('offers a slot for each {{secret.NAME}} an http probe refers to', () => {
    const form = initialFormState();
    form.settings.http.url = 'https://api.example.com/?key={{secret.queryKey}}';
    form.settings.http.headers = 'Authorization: Bearer {{ secret.bearer }}';
    expect(slotsOf(form)).toEqual(['queryKey', 'bearer']);
  });
});

describe('probe form: its own messages', () => {
  it('refuses what is not a whole number, on its field', () => {
    const form = initialFormState(savedProbe('tcp'));
    form.settings.tcp.port = '54.3';
    form.intervalSeconds = 'often';
    const result = buildDraft(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['settings.port']).toBe('Enter a whole number.');
    expect(result.errors.intervalSeconds).toBe('Enter a whole number of seconds.');
  });

  it('refuses a header line without a colon, naming the line', () => {
    const form = initialFormState(savedProbe('http'));
    form.settings.http.headers = 'accept: */*\nnot a header';
    const result = buildDraft(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors['settings.headers']).toBe('Line 2: write a header as Name: value.');
  });

  it('lets the schema say what a required field needs', () => {
    const form = initialFormState();
    form.name = 'x';
    form.scope = 'web';
    const result = buildDraft(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['settings.url']).toBe('Enter an http(s) URL, like https://api.example.com/health.');
    expect(isShownField('settings.url', form, [])).toBe(true);
  });

  it('maps a condition error back to its row when empty rows were skipped', () => {
    const form = initialFormState();
    form.conditions = [conditionRow(''), conditionRow('[STATUS] == 200'), conditionRow('[BODY].x = 1')];
    const errors = formFieldErrors({ 'conditions.1.expression': 'Column 10: expected ==' }, form);
    expect(errors).toEqual({ 'conditions.2.expression': 'Column 10: expected ==' });
  });
});

function preset(id: string): ProbePreset {
  const found = presets.find((p) => p.id === id);
  if (!found) throw new Error(`no preset ${id}`);
  return found;
}

describe('probe form: presets', () => {
  it('has presets with fill-ins to test', () => {
    expect(presets.length).toBeGreaterThanOrEqual(10);
    expect(presets.filter((p) => p.fill.length).length).toBeGreaterThanOrEqual(5);
  });

  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: filled in, builds the draft the shared preset code makes, asking for its secrets',
    (_id, p) => {
      const form = presetFormState(p);
      expect(form.fill.map((f) => f.name)).toEqual(p.fill.map((f) => f.field));
      expect(Object.keys(form.secretHelp)).toEqual(p.secrets.map((s) => s.slot));
      for (const slot of p.secrets.map((s) => s.slot)) expect(slotsOf(form)).toContain(slot);
      form.fills = fillsFor(p);
      const draft = built(form);
      const { secrets: _s, ...expected } = ProbeDraft.parse(applyPreset(p, fillsFor(p)));
      expect(draft).toEqual(expected);
      // Nothing left to fill in but the secrets, which main puts in at run time.
      expect(JSON.stringify(draft)).not.toMatch(/\{\{\s*(?!secret\.)[A-Za-z]/);
    },
  );

  it('puts the fill-ins where the preset writes {{name}}, trimmed', () => {
    const p = preset('gemini-vertex-text');
    const form = presetFormState(p);
    form.fills = { project: '  shop-prod-4711 ', region: 'europe-west4' };
    const draft = built(form);
    if (draft.kind !== 'http') throw new Error('the Vertex preset is an http probe');
    expect(draft.settings.url).toContain('shop-prod-4711');
    expect(draft.settings.url).not.toContain(' shop-prod-4711');
    expect(draft.settings.url).toContain('europe-west4');
    expect(draft.settings.url).not.toContain('{{');
  });

  it('sends a secret typed for a preset slot', () => {
    const form = presetFormState(preset('gemini-ai-studio-image'));
    form.secrets.apiKey = { value: 'AIza-test', clear: false };
    expect(built(form).secrets).toEqual({ apiKey: 'AIza-test' });
  });

  it('refuses a placeholder left unfilled, on its fill-in field, and only that one', () => {
    const p = preset('gemini-vertex-text');
    const form = presetFormState(p);
    form.fills = { project: 'shop-prod-4711', region: '' };
    const result = buildDraft(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['fill.region']).toBe('Fill this in.');
    expect(result.errors['fill.project']).toBeUndefined();
  });

  it('counts blanks as unfilled', () => {
    const form = presetFormState(preset('website-https'));
    form.fills = { url: '   ' };
    const result = buildDraft(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors['fill.url']).toBe('Fill this in.');
  });

  it('refuses every fill-in of a preset left as it came', () => {
    for (const p of presets.filter((candidate) => candidate.fill.length)) {
      const result = buildDraft(presetFormState(p));
      expect(result.ok, p.id).toBe(false);
      if (result.ok) continue;
      for (const f of p.fill) expect(result.errors[`fill.${f.field}`], `${p.id} ${f.field}`).toBe('Fill this in.');
    }
  });
});

describe('probe form: switching kind', () => {
  const expressions = (state: ProbeFormState) => state.conditions.map((c) => c.expression);

  it("replaces the old kind's untouched default conditions with the new kind's", () => {
    let form = initialFormState();
    expect(expressions(form)).toEqual(['[STATUS] == 200', '[RESPONSE_TIME] < 2000']);
    form = withKind(form, 'tcp');
    expect(form.kind).toBe('tcp');
    expect(expressions(form)).toEqual(['[CONNECTED] == true']);
    form = withKind(form, 'tls');
    expect(expressions(form)).toEqual(['[CERTIFICATE_EXPIRATION] > 168h']);
    form = withKind(form, 'dns');
    expect(expressions(form)).toEqual(['[DNS_RCODE] == NOERROR']);
    // A kind without defaults has none; from none, the next kind's defaults come in.
    form = withKind(form, 'docker');
    expect(form.conditions).toEqual([]);
    form = withKind(form, 'http');
    expect(expressions(form)).toEqual(['[STATUS] == 200', '[RESPONSE_TIME] < 2000']);
    expect(form.conditions.every((c) => c.severity === 'fail')).toBe(true);
  });

  it('keeps conditions the user edited, added, removed or re-graded', () => {
    const edited = initialFormState();
    edited.conditions[1] = { ...edited.conditions[1]!, expression: '[RESPONSE_TIME] < 900' };
    expect(expressions(withKind(edited, 'tcp'))).toEqual(['[STATUS] == 200', '[RESPONSE_TIME] < 900']);

    const added = initialFormState();
    added.conditions.push(conditionRow('[BODY].ok == true'));
    expect(withKind(added, 'tcp').conditions).toHaveLength(3);

    const removed = initialFormState();
    removed.conditions.pop();
    expect(expressions(withKind(removed, 'tcp'))).toEqual(['[STATUS] == 200']);

    const regraded = initialFormState();
    regraded.conditions[1] = { ...regraded.conditions[1]!, severity: 'warn' };
    const switched = withKind(regraded, 'tcp');
    expect(expressions(switched)).toEqual(['[STATUS] == 200', '[RESPONSE_TIME] < 2000']);
    expect(switched.conditions[1]!.severity).toBe('warn');
  });

  it("keeps a preset's own conditions", () => {
    const form = presetFormState(preset('website-https'));
    const before = expressions(form);
    expect(expressions(withKind(form, 'tls'))).toEqual(before);
  });

  it("keeps each kind's settings, so switching back loses nothing, and builds only the chosen kind's", () => {
    let form = initialFormState();
    form.name = 'Shop';
    form.scope = 'shop';
    form.settings.http.url = 'https://shop.example.com/health';
    form = withKind(form, 'tcp');
    form.settings.tcp.host = 'db.internal';
    form.settings.tcp.port = '5432';
    const tcp = built(form);
    expect(tcp).toMatchObject({ kind: 'tcp', settings: { host: 'db.internal', port: 5432 } });
    expect(tcp.conditions).toEqual([{ expression: '[CONNECTED] == true', severity: 'fail' }]);
    form = withKind(form, 'http');
    expect(form.settings.http.url).toBe('https://shop.example.com/health');
    expect(form.settings.tcp.host).toBe('db.internal');
    expect(built(form)).toMatchObject({ kind: 'http', settings: { url: 'https://shop.example.com/health' } });
  });

  it('leaves the inputs of each kind covering its settings', () => {
    // Every key the form shows is one the kind's schema takes (nothing sent that main refuses).
    for (const kind of PROBE_KINDS) {
      const form = initialFormState(savedProbe(kind));
      const keys = Object.keys(form.settings[kind]);
      expect(SETTING_INPUTS[kind].map((input) => input.key).sort()).toEqual(keys.sort());
    }
  });
});
