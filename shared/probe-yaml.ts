/**
 * Control Room's own probe file: saved probes to a plain object (written out as YAML by main),
 * and such an object back to an import plan.
 *
 * Secret values are never in the file: each probe lists the keychain secrets it needs by slot
 * name (`secrets: [token]`), and the user fills them when importing. Ids and timestamps are left
 * out, so a file moves between machines. A docker, ssh or ops-api probe names its target by id;
 * on a machine without that target it is skipped, saying so.
 */
import type { Probe } from './model/probe';
import type { ProbeImportItem, ProbeImportPlan } from './model/probe-import';
import { conditionProblem, finishItem, isRecord, NameFitter, skippedItem } from './probe-import-common';

export const PROBE_FILE_FORMAT = 'control-room/probes';
export const PROBE_FILE_VERSION = 1;

/** One probe as written to the file. */
export interface ProbeFileEntry {
  name: string;
  scope: string;
  provider: string | null;
  check: string;
  kind: Probe['kind'];
  settings: Record<string, unknown>;
  conditions: { expression: string; severity: 'fail' | 'warn' }[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  cheap: boolean;
  paused: boolean;
  slaSeconds: number | null;
  /** Keychain secrets the probe needs, by slot name; never their values. */
  secrets: string[];
}

export interface ProbeFile {
  format: typeof PROBE_FILE_FORMAT;
  version: typeof PROBE_FILE_VERSION;
  probes: ProbeFileEntry[];
}

/** The file's object for these probes, in their order. */
export function toProbeFile(probes: readonly Probe[]): ProbeFile {
  return {
    format: PROBE_FILE_FORMAT,
    version: PROBE_FILE_VERSION,
    probes: probes.map((probe) => ({
      name: probe.name,
      scope: probe.scope,
      provider: probe.provider,
      check: probe.check,
      kind: probe.kind,
      settings: { ...probe.settings },
      conditions: probe.conditions.map(({ expression, severity }) => ({ expression, severity })),
      intervalSeconds: probe.intervalSeconds,
      timeoutSeconds: probe.timeoutSeconds,
      retries: probe.retries,
      cheap: probe.cheap,
      paused: probe.paused,
      slaSeconds: probe.slaSeconds,
      secrets: Object.keys(probe.secrets),
    })),
  };
}

export interface ProbeFileImportOptions {
  existingNames: readonly string[];
  /** Ids of targets on this machine, for probes that run over one. */
  targetIds: readonly string[];
}

const FILE_ONLY_FIELDS = ['secrets', 'id', 'createdAt', 'updatedAt'];

/** Maps a parsed probe file to a plan; never throws on a malformed file. */
export function mapProbeFile(file: unknown, options: ProbeFileImportOptions): ProbeImportPlan {
  const notes: string[] = [];
  if (!isRecord(file) || !Array.isArray(file.probes))
    return {
      source: 'control-room',
      items: [],
      notes: ['This file is not a Control Room probe file (a YAML mapping with probes:).'],
    };
  if (file.format !== undefined && file.format !== PROBE_FILE_FORMAT)
    notes.push(`The file says it is ${String(file.format)}, not ${PROBE_FILE_FORMAT}: read as probes anyway.`);
  if (typeof file.version === 'number' && file.version > PROBE_FILE_VERSION)
    notes.push(
      `The file is version ${file.version}, newer than this app reads (${PROBE_FILE_VERSION}): fields it does not know are reported.`,
    );
  if (!file.probes.length) notes.push('The file has no probes.');
  const names = new NameFitter(options.existingNames);
  const items = file.probes.map((entry, index) => mapEntry(entry, String(index), names, options));
  return { source: 'control-room', items, notes };
}

function mapEntry(entry: unknown, key: string, names: NameFitter, options: ProbeFileImportOptions): ProbeImportItem {
  if (!isRecord(entry))
    return skippedItem(
      key,
      `probe ${Number(key) + 1}`,
      'unknown',
      'This entry is not a probe (a mapping with name, kind and settings).',
    );
  const sourceName =
    typeof entry.name === 'string' && entry.name.trim() ? entry.name.trim() : `probe ${Number(key) + 1}`;
  const kind = typeof entry.kind === 'string' ? entry.kind : 'unknown';
  const changes: string[] = [];
  const draft: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(entry)) if (!FILE_ONLY_FIELDS.includes(field)) draft[field] = value;

  const settings = isRecord(entry.settings) ? entry.settings : {};
  const targetId = typeof settings.targetId === 'string' ? settings.targetId : undefined;
  if (targetId !== undefined && !options.targetIds.includes(targetId))
    return skippedItem(
      key,
      sourceName,
      kind,
      `It runs over target ${targetId}, which is not on this machine: add the target, then the probe.`,
    );

  if (Array.isArray(entry.conditions)) {
    draft.conditions = entry.conditions
      .filter((condition) => {
        const expression = isRecord(condition) ? String(condition.expression ?? '') : String(condition);
        const problem = conditionProblem(expression, kind as Probe['kind']);
        if (problem) changes.push(`Condition "${expression}" dropped: it ${problem}.`);
        return !problem;
      })
      .map((condition) => (isRecord(condition) ? condition : { expression: String(condition) }));
  }
  if (typeof entry.name === 'string' && entry.name.trim()) {
    const { name, clash } = names.fit(sourceName);
    if (clash) changes.push(`A probe named "${sourceName}" exists already: imported as "${name}".`);
    draft.name = name;
  }
  const secrets = Array.isArray(entry.secrets)
    ? entry.secrets.filter((slot): slot is string => typeof slot === 'string')
    : [];
  return finishItem({ key, name: sourceName, sourceType: kind, changes, secrets, alert: null }, draft);
}
