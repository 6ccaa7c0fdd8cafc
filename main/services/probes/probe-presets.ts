/**
 * The probe presets the empty Integrations screen offers, read from resources/probe-presets.json.
 *
 * The file is imported, so esbuild inlines it into the main bundle: the packaged app needs no
 * resources path and cannot ship without it. It is checked once, on first use, against the
 * preset schema and against itself (every `{{name}}` in a draft is one of its fill fields, every
 * `{{secret.NAME}}` one of its secret slots), so a broken preset fails loudly in development
 * rather than as a form the user cannot complete.
 */
import { z } from 'zod';
import presetsFile from '../../../resources/probe-presets.json';
import { PROBE_KINDS, PROBE_SECRET_SLOTS, ProbePreset, type ProbeKind } from '../../../shared/model/probe';
import { unfilledPlaceholders } from '../../../shared/probe-presets';
import { secretSlotsIn } from '../../../node/probes/secret-template';

let cached: ProbePreset[] | null = null;

/** Problems with one preset's own consistency, as sentences; empty when it is sound. */
export function presetProblems(preset: ProbePreset): string[] {
  const problems: string[] = [];
  const fields = new Set(preset.fill.map((entry) => entry.field));
  for (const name of unfilledPlaceholders(preset.draft)) {
    if (!fields.has(name)) problems.push(`Preset ${preset.id} uses {{${name}}} but has no fill field for it.`);
  }
  const kind = preset.draft.kind;
  if (typeof kind !== 'string' || !(PROBE_KINDS as readonly string[]).includes(kind)) {
    problems.push(`Preset ${preset.id} has no known kind.`);
    return problems;
  }
  // What the run will ask the keychain for: the kind's own slots and those the settings name.
  const used = new Set([...PROBE_SECRET_SLOTS[kind as ProbeKind], ...secretSlotsIn(preset.draft)]);
  const listed = new Set(preset.secrets.map((secret) => secret.slot));
  for (const slot of used) {
    if (!listed.has(slot)) problems.push(`Preset ${preset.id} needs the ${slot} secret but does not list it.`);
  }
  for (const slot of listed) {
    if (!used.has(slot)) problems.push(`Preset ${preset.id} lists the ${slot} secret but never uses it.`);
  }
  return problems;
}

/** Reads and checks the presets; throws a sentence naming the broken preset when one is wrong. */
export function parseProbePresets(data: unknown): ProbePreset[] {
  const result = z.array(ProbePreset).safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`resources/probe-presets.json is not valid at ${issue.path.join('.')}: ${issue.message} Fix the file and rebuild.`);
  }
  const ids = new Set<string>();
  for (const preset of result.data) {
    if (ids.has(preset.id)) throw new Error(`resources/probe-presets.json has two presets with the id ${preset.id}; give each its own.`);
    ids.add(preset.id);
    const problems = presetProblems(preset);
    if (problems.length > 0) throw new Error(`${problems[0]} Fix resources/probe-presets.json and rebuild.`);
  }
  return result.data;
}

/** The shipped presets, checked on first use. */
export function probePresets(): ProbePreset[] {
  cached ??= parseProbePresets(presetsFile);
  return cached;
}
