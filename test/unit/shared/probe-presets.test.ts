/**
 * Probe presets: every shipped preset, filled in as the form would, is a probe the contract
 * accepts, with conditions that read; filling leaves only secrets as placeholders; the loader
 * refuses a preset that does not hold together.
 */
import { describe, expect, it } from 'vitest';
import { fieldErrorsOf } from '../../../shared/errors';
import { ProbeDraft, type ProbePreset } from '../../../shared/model/probe';
import { parseCondition } from '../../../shared/probe-conditions';
import { applyPreset, unfilledPlaceholders } from '../../../shared/probe-presets';
import { parseProbePresets, presetProblems, probePresets } from '../../../main/services/probes/probe-presets';
import { fillsFor, SAMPLE_FILLS } from '../../support/preset-fills';

const presets = probePresets();

describe('the shipped presets', () => {
  it('offer what the issue names', () => {
    expect(presets.map((preset) => preset.id)).toEqual([
      'gemini-ai-studio-text',
      'gemini-vertex-text',
      'gemini-ai-studio-image',
      'openai-compatible-chat',
      'github-token',
      'github-actions',
      'axiom-ingest',
      'spaces-upload',
      's3-upload',
      'website-https',
      'website-certificate',
    ]);
  });

  it.each(presets.map((preset) => [preset.id, preset] as const))('%s, filled in, is a valid probe whose conditions read', (_id, preset) => {
    expect(SAMPLE_FILLS).toMatchObject(Object.fromEntries(preset.fill.map((entry) => [entry.field, expect.any(String)])));
    const draft = applyPreset(preset, fillsFor(preset));
    const result = ProbeDraft.safeParse(draft);
    expect(result.success ? {} : fieldErrorsOf(result.error)).toEqual({});
    const probe = result.data!;
    expect(probe.conditions.length).toBeGreaterThan(0);
    for (const condition of probe.conditions) expect(parseCondition(condition.expression)).toMatchObject({ ok: true });
    expect(probe.check.startsWith(`${probe.scope}.`)).toBe(true);
    expect(unfilledPlaceholders(draft)).toEqual([]);
    expect(presetProblems(preset)).toEqual([]);
  });

  it('name scopes, providers and checks as the Integrations table groups them', () => {
    const byId = new Map(presets.map((preset) => [preset.id, ProbeDraft.parse(applyPreset(preset, fillsFor(preset)))]));
    expect(byId.get('gemini-ai-studio-text')).toMatchObject({ scope: 'gemini', provider: 'ai_studio', check: 'gemini.ai_studio.text', cheap: true });
    expect(byId.get('gemini-vertex-text')).toMatchObject({ scope: 'gemini', provider: 'vertex', check: 'gemini.vertex.text', cheap: true });
    expect(byId.get('gemini-ai-studio-image')).toMatchObject({ scope: 'gemini', provider: 'ai_studio', check: 'gemini.ai_studio.image', cheap: false });
    expect(byId.get('github-token')).toMatchObject({ kind: 'github', settings: { check: 'token' }, cheap: true });
    expect(byId.get('github-actions')).toMatchObject({
      kind: 'github',
      name: 'octo-org/shop Actions on main',
      settings: { check: 'workflow', owner: 'octo-org', repo: 'shop', branch: 'main' },
      conditions: expect.arrayContaining([{ expression: '[CONCLUSION] == success', severity: 'fail' }]),
    });
    expect(byId.get('axiom-ingest')).toMatchObject({
      settings: { method: 'POST', url: 'https://api.axiom.co/v1/datasets/control-room-probes/ingest', headers: { authorization: 'Bearer {{secret.apiToken}}' } },
      conditions: expect.arrayContaining([{ expression: '[STATUS] == 200', severity: 'fail' }]),
      cheap: true,
    });
    expect(byId.get('spaces-upload')).toMatchObject({ kind: 's3', settings: { endpoint: 'https://us-central1.digitaloceanspaces.com', bucket: 'shop-assets' }, cheap: true });
    expect(byId.get('s3-upload')).toMatchObject({ kind: 's3', provider: 'aws', settings: { endpoint: 'https://s3.us-central1.amazonaws.com' } });
    expect(byId.get('website-certificate')).toMatchObject({ kind: 'tls', settings: { host: 'www.example.com', port: 443 } });
    expect(byId.get('website-https')!.conditions).toContainEqual({ expression: '[CERTIFICATE_EXPIRATION] > 72h', severity: 'fail' });
  });

  it('send bodies that are JSON once filled in, and keep the Gemini image as an artifact', () => {
    for (const preset of presets) {
      const draft = ProbeDraft.parse(applyPreset(preset, fillsFor(preset)));
      if (draft.kind === 'http' && draft.settings.body !== undefined) expect(() => JSON.parse(draft.settings.body!) as unknown).not.toThrow();
    }
    const image = ProbeDraft.parse(applyPreset(presets.find((preset) => preset.id === 'gemini-ai-studio-image')!, {}));
    expect(image).toMatchObject({ kind: 'http', settings: { imageJsonPath: 'candidates[0].content.parts[0].inlineData.data' } });
    if (image.kind === 'http') expect(image.settings.bodyCap).toBeGreaterThanOrEqual(8 * 1024 * 1024);
  });

  it('warn rather than fail when only the response time is slow', () => {
    for (const preset of presets) {
      const draft = ProbeDraft.parse(applyPreset(preset, fillsFor(preset)));
      for (const condition of draft.conditions.filter((c) => c.expression.startsWith('[RESPONSE_TIME]'))) expect(condition.severity).toBe('warn');
    }
  });

  it('fill in the Vertex URL from the project and region, leaving the secret for run time', () => {
    const vertex = presets.find((preset) => preset.id === 'gemini-vertex-text')!;
    const draft = applyPreset(vertex, { project: ' shop-prod-4711 ', region: 'europe-west4' }) as { settings: { url: string; headers: Record<string, string> } };
    expect(draft.settings.url).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/shop-prod-4711/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(draft.settings.headers.authorization).toBe('Bearer {{secret.accessToken}}');
    expect(unfilledPlaceholders(draft)).toEqual([]);
  });
});

describe('applyPreset', () => {
  const preset: ProbePreset = {
    id: 'demo',
    title: 'Demo',
    description: 'A demo.',
    secrets: [{ slot: 'token', label: 'Token', help: 'Paste it.' }],
    fill: [{ field: 'host', label: 'Host', placeholder: 'example.com' }],
    draft: {
      name: 'Demo {{host}}',
      scope: 'demo',
      kind: 'http',
      settings: { url: 'https://{{ host }}/{{path}}', headers: { '{{host}}': 'Bearer {{secret.token}}' } },
      conditions: [{ expression: '[STATUS] == 200' }],
    },
  };

  it('fills what it is given, leaves the rest and the secrets, and never changes the preset', () => {
    const draft = applyPreset(preset, { host: 'api.example.com' });
    expect(draft).toEqual({
      name: 'Demo api.example.com',
      scope: 'demo',
      kind: 'http',
      settings: { url: 'https://api.example.com/{{path}}', headers: { '{{host}}': 'Bearer {{secret.token}}' } },
      conditions: [{ expression: '[STATUS] == 200' }],
    });
    expect(unfilledPlaceholders(draft)).toEqual(['path']);
    expect((preset.draft as { name: string }).name).toBe('Demo {{host}}');
  });

  it('leaves an unfilled field as written, for the form to point at', () => {
    const draft = applyPreset({ ...preset, draft: { ...preset.draft, kind: 'tls', settings: { host: '{{host}}' } } }, { path: 'x' });
    expect(unfilledPlaceholders(draft)).toEqual(['host']);
    const result = ProbeDraft.safeParse(draft);
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)).toEqual({ 'settings.host': 'Enter a host name or IP address, without a scheme or a port.' });
  });
});

describe('the presets loader', () => {
  const good = probePresets()[0]!;

  it('refuses a file that is not a list of presets, naming where', () => {
    expect(() => parseProbePresets([{ ...good, title: 3 }])).toThrow('resources/probe-presets.json is not valid at 0.title:');
  });

  it('refuses two presets with one id', () => {
    expect(() => parseProbePresets([good, good])).toThrow(`resources/probe-presets.json has two presets with the id ${good.id}; give each its own.`);
  });

  it('refuses a placeholder without a fill field, and secrets used but not listed or listed but not used', () => {
    const draft = { ...good.draft, name: 'Gemini {{model}}' };
    expect(() => parseProbePresets([{ ...good, draft }])).toThrow(`Preset ${good.id} uses {{model}} but has no fill field for it. Fix resources/probe-presets.json and rebuild.`);
    expect(presetProblems({ ...good, secrets: [] })).toEqual([`Preset ${good.id} needs the apiKey secret but does not list it.`]);
    expect(presetProblems({ ...good, secrets: [...good.secrets, { slot: 'spare', label: 'Spare', help: '' }] })).toEqual([
      `Preset ${good.id} lists the spare secret but never uses it.`,
    ]);
    const github = probePresets().find((preset) => preset.id === 'github-token')!;
    expect(presetProblems({ ...github, secrets: [] })).toEqual(['Preset github-token needs the token secret but does not list it.']);
  });
});
