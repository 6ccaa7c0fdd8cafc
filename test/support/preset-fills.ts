/**
 * What a user might type into each fill field of the shipped probe presets, for tests that fill
 * a preset in as the Add probe form would.
 */
import type { ProbePreset } from '../../shared/model/probe';

export const SAMPLE_FILLS: Record<string, string> = {
  project: 'shop-prod-4711',
  region: 'us-central1',
  baseUrl: 'https://api.openai.com',
  model: 'gpt-4o-mini',
  owner: 'octo-org',
  repo: 'shop',
  branch: 'main',
  dataset: 'control-room-probes',
  bucket: 'shop-assets',
  url: 'https://www.example.com/',
  host: 'www.example.com',
};

/** A sample value for every fill field `preset` asks for (`x` for one not in SAMPLE_FILLS). */
export function fillsFor(preset: ProbePreset): Record<string, string> {
  return Object.fromEntries(preset.fill.map((entry) => [entry.field, SAMPLE_FILLS[entry.field] ?? 'x']));
}
