import { describe, expect, it } from 'vitest';
import { httpRequestOf, httpStep } from '../../../main/services/runbooks/steps/http-step';
import { HttpStepParams } from '../../../shared/model/runbook-steps';

const params = (input: Record<string, unknown>) => HttpStepParams.parse(input);

describe('the http step kind', () => {
  it('changes something unless it only reads, and is safe to repeat for GET, HEAD, PUT and DELETE', () => {
    expect(httpStep.changes(params({ url: 'http://x', method: 'GET' }))).toBe(false);
    expect(httpStep.changes(params({ url: 'http://x', method: 'POST' }))).toBe(true);
    expect(httpStep.repeatable(params({ url: 'http://x', method: 'PUT' }))).toBe(true);
    expect(httpStep.repeatable(params({ url: 'http://x', method: 'PATCH' }))).toBe(false);
  });

  it('builds the presets’ requests, with `url` replacing the base', () => {
    expect(httpRequestOf(params({ preset: 'vercel-deployments', project: 'prj 1' })).url).toBe('https://api.vercel.com/v6/deployments?projectId=prj%201&limit=5');
    expect(httpRequestOf(params({ preset: 'digitalocean-droplets', project: 'shop' }))).toMatchObject({
      url: 'https://api.digitalocean.com/v2/droplets?tag_name=shop',
      secret: 'digitalocean-token',
    });
    expect(httpRequestOf(params({ preset: 'supabase-health', project: 'https://abc.supabase.co/' }))).toMatchObject({
      url: 'https://abc.supabase.co/auth/v1/health',
      secret: 'supabase-key',
      auth: 'supabase',
    });
    expect(httpRequestOf(params({ preset: 'vercel-deployments', project: 'p', url: 'http://127.0.0.1:9/' })).url).toBe('http://127.0.0.1:9/v6/deployments?projectId=p&limit=5');
    expect(httpStep.describe(params({ preset: 'digitalocean-droplets', project: 'shop' }), null)).toBe(
      'GET https://api.digitalocean.com/v2/droplets?tag_name=shop (DigitalOcean droplets)',
    );
  });

  it('says what is missing in one sentence', () => {
    expect(() => httpRequestOf(params({ preset: 'vercel-deployments' }))).toThrow('The vercel-deployments preset needs `project` (the Vercel project id).');
    expect(() => httpRequestOf(params({}))).toThrow('An http step needs `url` or a `preset`.');
  });
});
