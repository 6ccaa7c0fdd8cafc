/**
 * The Add/Edit target form as plain data: what the user typed, turned into a `TargetDraft`
 * checked by the same zod schema main uses, with one message per field.
 */
import { fieldErrorsOf } from '../../../../shared/errors';
import {
  DEFAULT_SETTINGS,
  SECRET_SLOTS,
  TargetDraft,
  type Environment,
  type SecretSlot,
  type Target,
  type TargetKind,
} from '../../../../shared/model/target';
import type { z } from 'zod';

export interface SecretField {
  /** What the user typed; empty means "keep" (or "none" for a new target). */
  value: string;
  /** Remove the stored secret. */
  clear: boolean;
}

export interface TargetFormState {
  name: string;
  environment: Environment;
  kind: TargetKind;
  /** Every kind's settings are kept, so switching kind back and forth loses nothing. */
  opsApi: { baseUrl: string };
  dockerSsh: { host: string; port: string; username: string; socketPath: string };
  dockerLocal: { socketPath: string };
  secrets: Record<SecretSlot, SecretField>;
}

/** `{ 'settings.port': 'Ports run 1–65535.' }`: keys are paths into the draft. */
export type FieldErrors = Record<string, string>;

export const KIND_LABELS: Record<TargetKind, string> = {
  'ops-api': 'Ops API (HTTPS + token)',
  'docker-ssh': 'Docker over SSH',
  'docker-local': 'Docker on this machine',
};

export const SHORT_KIND_LABELS: Record<TargetKind, string> = {
  'ops-api': 'Ops API',
  'docker-ssh': 'Docker · SSH',
  'docker-local': 'Docker · local',
};

export function slotsOf(kind: TargetKind): readonly SecretSlot[] {
  return SECRET_SLOTS[kind];
}

export function initialFormState(target?: Target): TargetFormState {
  const ssh = DEFAULT_SETTINGS['docker-ssh'];
  const state: TargetFormState = {
    name: target?.name ?? '',
    environment: target?.environment ?? 'prod',
    kind: target?.kind ?? 'docker-ssh',
    opsApi: { baseUrl: '' },
    dockerSsh: { host: ssh.host, port: String(ssh.port), username: ssh.username, socketPath: ssh.socketPath },
    dockerLocal: { socketPath: DEFAULT_SETTINGS['docker-local'].socketPath },
    secrets: {
      apiToken: { value: '', clear: false },
      privateKey: { value: '', clear: false },
      passphrase: { value: '', clear: false },
    },
  };
  if (!target) return state;
  if (target.kind === 'ops-api') state.opsApi = { baseUrl: target.settings.baseUrl };
  if (target.kind === 'docker-ssh') {
    const s = target.settings;
    state.dockerSsh = { host: s.host, port: String(s.port), username: s.username, socketPath: s.socketPath };
  }
  if (target.kind === 'docker-local') state.dockerLocal = { socketPath: target.settings.socketPath };
  return state;
}

function settingsOf(state: TargetFormState): unknown {
  switch (state.kind) {
    case 'ops-api':
      return { baseUrl: state.opsApi.baseUrl };
    case 'docker-ssh': {
      const port = state.dockerSsh.port.trim();
      return {
        host: state.dockerSsh.host,
        port: /^\d+$/.test(port) ? Number(port) : Number.NaN,
        username: state.dockerSsh.username,
        socketPath: state.dockerSsh.socketPath,
      };
    }
    case 'docker-local':
      return { socketPath: state.dockerLocal.socketPath };
  }
}

/** Only what the user asked for: typed → set, "Clear" → null, untouched → absent (keep). */
function secretsOf(state: TargetFormState, existing?: Target): Record<string, string | null> {
  const secrets: Record<string, string | null> = {};
  for (const slot of slotsOf(state.kind)) {
    const field = state.secrets[slot];
    const stored = existing?.kind === state.kind && existing.secrets[slot]?.present;
    if (field.clear && stored) secrets[slot] = null;
    else if (!field.clear && field.value !== '') secrets[slot] = field.value;
  }
  return secrets;
}

export function buildDraft(
  state: TargetFormState,
  existing?: Target,
): { ok: true; draft: TargetDraft } | { ok: false; errors: FieldErrors } {
  const secrets = secretsOf(state, existing);
  const candidate = {
    name: state.name,
    environment: state.environment,
    kind: state.kind,
    settings: settingsOf(state),
    ...(Object.keys(secrets).length ? { secrets } : {}),
  };
  const result = TargetDraft.safeParse(candidate);
  const errors: FieldErrors = result.success ? {} : fieldErrorsOf(result.error as z.ZodError);
  if (state.kind === 'docker-ssh') {
    const port = state.dockerSsh.port.trim();
    if (port === '') errors['settings.port'] = 'Enter the SSH port — usually 22.';
    else if (!/^\d+$/.test(port)) errors['settings.port'] = 'The port is a whole number, like 22.';
  }
  if (result.success && Object.keys(errors).length === 0) return { ok: true, draft: result.data };
  return { ok: false, errors };
}

/**
 * Server field errors keyed to this form. `targets:update` wraps the draft as `{ id, draft }`,
 * so its paths start with `draft.`.
 */
export function formFieldErrors(fieldErrors: Record<string, string> | undefined): FieldErrors {
  const errors: FieldErrors = {};
  for (const [key, message] of Object.entries(fieldErrors ?? {})) errors[key.replace(/^draft\./, '')] = message;
  return errors;
}
