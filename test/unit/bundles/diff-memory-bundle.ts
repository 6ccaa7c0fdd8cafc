/**
 * An OpenedBundle over a map of file contents, for the diff's unit tests: the reader's interface
 * without a tar file, so each test states exactly what its two bundles hold.
 */
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';
import type { BundleManifest } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';

export interface MemoryBundleInput {
  created?: string;
  /** The window the manifest records; default one hour before `created`. */
  window?: { from: string; to: string };
  context?: unknown;
  logs?: Record<string, (Partial<LogEntry> & { message: string })[]>;
  probes?: unknown;
  frontendErrors?: unknown;
}

export function memoryBundle(input: MemoryBundleInput): OpenedBundle {
  const created = input.created ?? '2026-11-26T12:00:00.000Z';
  const window = input.window ?? { from: new Date(Date.parse(created) - 3_600_000).toISOString(), to: created };
  const files = new Map<string, string>();
  if (input.context !== undefined) files.set('context.json', JSON.stringify(input.context));
  if (input.probes !== undefined) files.set('probes.json', JSON.stringify(input.probes));
  if (input.frontendErrors !== undefined) files.set('frontend-errors.json', JSON.stringify(input.frontendErrors));
  for (const [source, entries] of Object.entries(input.logs ?? {})) {
    const lines = entries.map((e) =>
      JSON.stringify({
        ts: created,
        target: 't1',
        service: null,
        container: source,
        stream: 'stdout',
        level: null,
        ...e,
      }),
    );
    files.set(`logs/${source}.ndjson`, lines.map((l) => `${l}\n`).join(''));
  }
  const manifest = {
    format: 'control-room-bundle',
    formatVersion: 1,
    created,
    app: { version: '0.0.0-test', platform: 'linux', arch: 'x64' },
    target: { id: 't1', name: 'staging-1', environment: 'staging', kind: 'docker-ssh' },
    window: { ...window, description: 'the test window' },
    sections: [],
    files: [],
    notes: [],
    cut: [],
    redaction: { rules: [], counts: [], total: 0 },
    redactedFrom: null,
  } as unknown as BundleManifest;
  files.set('manifest.json', JSON.stringify(manifest));
  return memoryOpenedBundle('control-room', manifest, null, files);
}

/** An agent bundle as the reader opens it: its JSON, and no virtual files unless given. */
export function memoryAgentBundle(agent: Record<string, unknown>, files = new Map<string, string>()): OpenedBundle {
  return memoryOpenedBundle('agent', null, agent, files);
}

function memoryOpenedBundle(
  kind: OpenedBundle['kind'],
  manifest: BundleManifest | null,
  agent: Record<string, unknown> | null,
  files: Map<string, string>,
): OpenedBundle {
  const text = (path: string): string => {
    const content = files.get(path);
    if (content === undefined) throw new Error(`no ${path} in the test bundle`);
    return content;
  };
  return {
    kind,
    manifest,
    agent,
    paths: () => [...files.keys()],
    readText: (path) => Promise.resolve(text(path)),
    readJson: (path) => Promise.resolve(JSON.parse(text(path)) as unknown),
    readBytes: (path) => Promise.resolve(Buffer.from(text(path))),
    lines: async function* (path) {
      for (const line of text(path).split('\n')) if (line !== '') yield line;
    },
  };
}
