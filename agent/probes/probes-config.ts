/**
 * The `probes` section of the agent's configuration: probes the host runs itself.
 *
 * Each entry is a probe in the shape the app saves (ProbeDraft) but with `secrets` naming where
 * the host keeps each value — `env:VAR` or `file:/path` — never the value: the configuration file
 * is often in a repository or a config-management tree. Values are read at run time, so a rotated
 * secret needs no restart, and the engine redacts them as it does the app's keychain values.
 *
 * Everything is checked at start with one sentence naming the probe and the field: a probe that
 * would only fail on its first run at 3 a.m. is better refused when the agent is deployed.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ProbeDraft, ProbeId, SecretSlotName, type ProbeKind } from '../../shared/model/probe';
import { conditionErrors } from '../../shared/probe-conditions';
import { PROBE_SECRET_SLOTS } from '../../shared/model/probe';
import { secretSlotsIn } from '../../node/probes/secret-template';

/** Where the host keeps one secret value. */
export const SecretSource = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/, 'Name where the value is kept: env:VARIABLE or file:/absolute/path.');
export type SecretSource = z.infer<typeof SecretSource>;

/** One configured probe, parsed: the draft's fields with their defaults, an id, and its secret sources. */
export type AgentProbe = Omit<ProbeDraft, 'secrets'> & { id: string; secrets: Record<string, SecretSource> };

/** The kinds that need something only Control Room has, with why they are refused here. */
const REFUSED: Partial<Record<ProbeKind, string>> = {
  ssh: 'An ssh probe runs from Control Room, not from the agent.',
  'ops-api': 'An ops-api probe runs from Control Room, not from the agent (the agent is the ops API).',
};

/** The docker kind's target on the agent: its own engine, whatever the entry says. */
export const HOST_DOCKER_TARGET = 'host';

/** A config problem in one probe; agent/config.ts turns it into a ConfigError. */
export class ProbeConfigError extends Error {
  override readonly name = 'ProbeConfigError';
}

/** The slots a probe asks for, as the app counts them (its kind's own plus `{{secret.NAME}}` in its settings). */
export function probeSecretSlots(kind: ProbeKind, settings: unknown): string[] {
  return [...new Set([...PROBE_SECRET_SLOTS[kind], ...secretSlotsIn(settings)])];
}

/** Parses the section; throws ProbeConfigError with one sentence naming the probe and what to fix. */
export function parseAgentProbes(entries: readonly unknown[]): AgentProbe[] {
  const out: AgentProbe[] = [];
  const ids = new Set<string>();
  entries.forEach((entry, index) => {
    const probe = parseOne(entry, `probes[${index}]`);
    if (ids.has(probe.id)) {
      throw new ProbeConfigError(`probes[${index}] has the id "${probe.id}" of an earlier probe; give each probe its own name or id.`);
    }
    ids.add(probe.id);
    out.push(probe);
  });
  return out;
}

function parseOne(entry: unknown, at: string): AgentProbe {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ProbeConfigError(`${at} is not an object; write each probe as { "name": …, "kind": …, "settings": … }.`);
  const { id: givenId, secrets: givenSecrets, ...rest } = entry as Record<string, unknown>;
  const label = typeof rest.name === 'string' && rest.name.trim() ? `${at} ("${rest.name.trim()}")` : at;
  const refused = typeof rest.kind === 'string' ? REFUSED[rest.kind as ProbeKind] : undefined;
  if (refused) throw new ProbeConfigError(`${label}: ${refused}`);
  // Conditions first, with the parser's own sentence and column.
  if (Array.isArray(rest.conditions)) {
    const expressions = rest.conditions.filter((c): c is { expression: string } => !!c && typeof (c as { expression?: unknown }).expression === 'string');
    const problems = Object.entries(conditionErrors(expressions));
    if (problems.length) {
      const [field, message] = problems[0]!;
      throw new ProbeConfigError(`${label}: ${field}: ${message.replace(/\.$/, '')} — fix the expression and restart the agent.`);
    }
  }
  // The agent's docker probes look at its own engine: the target is the host itself.
  if (rest.kind === 'docker' && rest.settings && typeof rest.settings === 'object' && !('targetId' in rest.settings)) {
    rest.settings = { ...rest.settings, targetId: HOST_DOCKER_TARGET };
  }
  const parsed = ProbeDraft.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') throw new ProbeConfigError(`${label}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}.`);
    throw new ProbeConfigError(`${label}: ${where || 'the probe'}: ${issue.message.replace(/\.$/, '')}.`);
  }
  const draft = parsed.data;
  const id = givenId === undefined ? slug(draft.name) : givenId;
  const idCheck = ProbeId.safeParse(id);
  if (!idCheck.success) throw new ProbeConfigError(`${label}: id: use 1–64 lower-case letters, digits or dashes.`);
  const secrets = parseSecrets(givenSecrets, label);
  for (const slot of probeSecretSlots(draft.kind, draft.settings)) {
    if (!secrets[slot]) {
      throw new ProbeConfigError(`${label} needs the secret ${slot}: add "secrets": { "${slot}": "env:VARIABLE" } (or "file:/path") naming where the host keeps it.`);
    }
  }
  const { secrets: _drop, ...fields } = draft;
  return { ...fields, id: idCheck.data, secrets };
}

function parseSecrets(given: unknown, label: string): Record<string, SecretSource> {
  if (given === undefined) return {};
  if (!given || typeof given !== 'object' || Array.isArray(given)) throw new ProbeConfigError(`${label}: secrets: write them as { "NAME": "env:VARIABLE" }.`);
  const out: Record<string, SecretSource> = {};
  for (const [name, source] of Object.entries(given)) {
    if (!SecretSlotName.safeParse(name).success) throw new ProbeConfigError(`${label}: secrets.${name}: name secrets with letters, digits and underscores.`);
    const parsed = SecretSource.safeParse(source);
    if (!parsed.success) {
      throw new ProbeConfigError(`${label}: secrets.${name}: give where the host keeps it, "env:VARIABLE" or "file:/absolute/path" — never the value itself.`);
    }
    out[name] = parsed.data;
  }
  return out;
}

/** `Shop API health` → `shop-api-health`. */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'probe';
}

/** Reads one secret from where the host keeps it; throws one sentence when it is not there. */
export function readSecretSource(source: SecretSource, env: NodeJS.ProcessEnv): string {
  if (source.startsWith('env:')) {
    const name = source.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`The environment variable ${name} is not set on the host — set it for the agent and run again.`);
    return value;
  }
  const path = source.slice(5);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`The secret file ${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}) — check it exists and the agent may read it.`, { cause: error });
  }
  // A trailing newline is an editor's, not the secret's.
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new Error(`The secret file ${path} is empty — write the value into it and run again.`);
  return value;
}

/** Whether the host has the value now (the listing says so, without reading it out). */
export function secretPresent(source: SecretSource, env: NodeJS.ProcessEnv): boolean {
  try {
    readSecretSource(source, env);
    return true;
  } catch {
    return false;
  }
}
