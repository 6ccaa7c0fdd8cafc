/**
 * Targets: the places Control Room reaches, and how their secrets are described.
 *
 * A target's secrets never appear here as values. The renderer sees each secret slot as
 * `{ ref, present }`; only a draft (renderer → main) may carry a value, once, on its way to the
 * keychain.
 */
import { z } from 'zod';

export const ENVIRONMENTS = ['prod', 'staging', 'dev'] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

export const TARGET_KINDS = ['ops-api', 'docker-ssh', 'docker-local'] as const;
export const TargetKind = z.enum(TARGET_KINDS);
export type TargetKind = z.infer<typeof TargetKind>;

/** Which secrets each kind of target keeps in the keychain. */
export const SECRET_SLOTS = {
  'ops-api': ['apiToken'],
  'docker-ssh': ['privateKey', 'passphrase'],
  'docker-local': [],
} as const satisfies Record<TargetKind, readonly string[]>;
export type SecretSlot = (typeof SECRET_SLOTS)[TargetKind][number];

export const SECRET_LABELS: Record<SecretSlot, string> = {
  apiToken: 'API token',
  privateKey: 'SSH private key',
  passphrase: 'Key passphrase',
};

const TargetName = z
  .string()
  .trim()
  .min(1, 'Give the target a name.')
  .max(64, 'Keep the name under 64 characters.')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'Use letters, digits, spaces, dots, dashes or underscores.');

const UnixSocketPath = z
  .string()
  .trim()
  .max(1024)
  .regex(/^\/[^\0]*$/, 'Use an absolute path, like /var/run/docker.sock.');

export const OpsApiSettings = z.strictObject({
  baseUrl: z
    .string()
    .trim()
    .max(2048)
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'Enter the base URL, like https://ops.example.com.')
    // Settings are stored as plain data and sent to the renderer: credentials have no place here.
    .refine((value) => {
      try {
        const url = new URL(value);
        return !url.username && !url.password;
      } catch {
        return true;
      }
    }, 'Leave the user name and password out of the URL — the token goes in "API token".'),
});

export const DockerSshSettings = z.strictObject({
  host: z
    .string()
    .trim()
    .min(1, 'Enter the host name or address.')
    .max(255)
    .regex(/^[A-Za-z0-9.:_[\]-]+$/, 'Enter a host name or IP address, without user@ or a port.')
    // Colons are allowed for IPv6 (two or more), so a single one, or one after "]", is a port.
    .refine(
      (host) => host.split(':').length !== 2 && !host.includes(']:'),
      'Enter a host name or IP address, without user@ or a port.',
    ),
  port: z.number().int('The port is a whole number.').min(1, 'Ports run 1–65535.').max(65535, 'Ports run 1–65535.'),
  username: z
    .string()
    .trim()
    .min(1, 'Enter the SSH user name.')
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'Use the plain user name, like deploy.'),
  socketPath: UnixSocketPath,
});

export const DockerLocalSettings = z.strictObject({
  /** Empty means DOCKER_HOST, else /var/run/docker.sock. */
  socketPath: z.union([UnixSocketPath, z.literal('')]),
});

export const DEFAULT_SETTINGS = {
  'ops-api': { baseUrl: '' },
  'docker-ssh': { host: '', port: 22, username: '', socketPath: '/var/run/docker.sock' },
  'docker-local': { socketPath: '' },
} as const;

/** A secret in a draft: a string sets it, null clears it, absent leaves it as it is. */
export const SecretInput = z.union([
  z.string().min(1, 'Leave it empty to keep the current value.').max(65_536, 'A secret is at most 64 KB.'),
  z.null(),
]);

const draftBase = { name: TargetName, environment: Environment };

export const TargetDraft = z.discriminatedUnion('kind', [
  z.strictObject({
    ...draftBase,
    kind: z.literal('ops-api'),
    settings: OpsApiSettings,
    secrets: z.strictObject({ apiToken: SecretInput.optional() }).optional(),
  }),
  z.strictObject({
    ...draftBase,
    kind: z.literal('docker-ssh'),
    settings: DockerSshSettings,
    secrets: z.strictObject({ privateKey: SecretInput.optional(), passphrase: SecretInput.optional() }).optional(),
  }),
  z.strictObject({
    ...draftBase,
    kind: z.literal('docker-local'),
    settings: DockerLocalSettings,
    secrets: z.strictObject({}).optional(),
  }),
]);
export type TargetDraft = z.infer<typeof TargetDraft>;

export const SecretStatus = z.strictObject({ ref: z.string(), present: z.boolean() });
export type SecretStatus = z.infer<typeof SecretStatus>;

export const TargetId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a target id.');

/** The SSH host key the user trusted (docker-ssh only); null until the first connection. */
const HostKey = z.strictObject({ fingerprint: z.string(), pinnedAt: z.string() }).nullable();

const targetBase = {
  id: TargetId,
  name: z.string(),
  environment: Environment,
  secrets: z.record(z.string(), SecretStatus),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/**
 * A target as main sends it out, one shape per kind: `target.kind` tells the compiler which
 * settings it has, so no reader casts them. Strict, so a field the contract does not name (a
 * secret, say) cannot leak on the way out.
 */
export const Target = z.discriminatedUnion('kind', [
  z.strictObject({ ...targetBase, kind: z.literal('ops-api'), settings: OpsApiSettings, hostKey: z.null() }),
  z.strictObject({ ...targetBase, kind: z.literal('docker-ssh'), settings: DockerSshSettings, hostKey: HostKey }),
  z.strictObject({ ...targetBase, kind: z.literal('docker-local'), settings: DockerLocalSettings, hostKey: z.null() }),
]);
export type Target = z.infer<typeof Target>;
export type TargetOfKind<K extends TargetKind> = Extract<Target, { kind: K }>;

export type OpsApiSettings = z.infer<typeof OpsApiSettings>;
export type DockerSshSettings = z.infer<typeof DockerSshSettings>;
export type DockerLocalSettings = z.infer<typeof DockerLocalSettings>;

/** How a target is reached, whether saved (`Target`) or being written (`TargetDraft`). */
export type TargetEndpoint =
  | { kind: 'ops-api'; settings: OpsApiSettings }
  | { kind: 'docker-ssh'; settings: DockerSshSettings }
  | { kind: 'docker-local'; settings: DockerLocalSettings };

/** What a docker-local target with no socket path uses, in words. */
export const DEFAULT_LOCAL_DOCKER = 'DOCKER_HOST or /var/run/docker.sock';

/**
 * A target's connection in one line — the base URL, `deploy@db1.example.com:22`, or the socket —
 * as the target list, the Overview header, dialogs and opsctl all show it.
 */
export function describeTarget(target: TargetEndpoint): string {
  switch (target.kind) {
    case 'ops-api':
      return target.settings.baseUrl;
    case 'docker-ssh': {
      const { username, host, port } = target.settings;
      // An IPv6 address is bracketed, so its colons do not read as the port's.
      return `${username}@${host.includes(':') ? `[${host}]` : host}:${port}`;
    }
    case 'docker-local':
      return target.settings.socketPath || DEFAULT_LOCAL_DOCKER;
  }
}
