/**
 * Probe presets: turning a preset (resources/probe-presets.json) into a draft the user can save.
 *
 * A preset's draft holds `{{name}}` placeholders for what only the user knows (a bucket, a
 * region, a repository), listed in its `fill` entries; the form asks for them and fills them in
 * here. `{{secret.NAME}}` stays as it is: the engine puts the secret in at run time, in main.
 */
import type { ProbeDraftInput, ProbePreset } from './model/probe';

/** `{{name}}` (not `{{secret.…}}`), as written in preset drafts. */
const FILL = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    // Keys stay as written: a header name is not a place for a fill-in.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

/**
 * The preset's draft with each `{{name}}` replaced by `fills[name]` (trimmed). A name without a
 * fill stays as written, so the draft's validation points at the field still to fill in.
 */
export function applyPreset(preset: ProbePreset, fills: Record<string, string>): ProbeDraftInput {
  return mapStrings(preset.draft, (text) =>
    text.replace(FILL, (whole, name: string) => (Object.prototype.hasOwnProperty.call(fills, name) ? fills[name]!.trim() : whole)),
  ) as ProbeDraftInput;
}

/** The `{{name}}` placeholders a draft (or any value) still holds, each once; secrets excluded. */
export function unfilledPlaceholders(value: unknown): string[] {
  const names = new Set<string>();
  mapStrings(value, (text) => {
    for (const match of text.matchAll(FILL)) names.add(match[1]!);
    return text;
  });
  return [...names];
}
