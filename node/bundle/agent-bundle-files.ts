/**
 * The agent's support bundle (agent/bundle.ts, one gzipped JSON document) shown as the files a
 * Control Room bundle holds, so opening, viewing and diffing treat both alike:
 *
 *   context.json             ← `context` (the ops API context), pretty JSON
 *   logs/<service>.ndjson    ← `logs[service].entries`, one entry per line, as the agent wrote it
 *                              ({ ts, service, stream, level, message }); a service whose logs
 *                              could not be read (`{ error }`) has no file — its error stays in
 *                              the JSON (`OpenedBundle.agent`)
 *   frontend-errors.json     ← `frontendErrors`, pretty JSON
 *
 * A service name is used as is when it is a safe file name, otherwise its other characters become
 * `_` (compose service names always are safe).
 */

export const AGENT_BUNDLE_FORMAT = 'control-room-agent-bundle';

export interface AgentFile {
  text(): string;
  lines(): Iterable<string>;
}

function jsonFile(value: unknown): AgentFile {
  const text = () => `${JSON.stringify(value ?? null, null, 2)}\n`;
  return { text, lines: () => text().replace(/\n$/, '').split('\n') };
}

function ndjsonFile(entries: unknown[]): AgentFile {
  const lines = () => entries.map((entry) => JSON.stringify(entry));
  return { text: () => lines().map((line) => `${line}\n`).join(''), lines };
}

export function agentLogFileName(service: string): string {
  return `logs/${service.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`;
}

/** The virtual files of an agent bundle, by path, in a stable order. */
export function agentFiles(bundle: Record<string, unknown>): Map<string, AgentFile> {
  const files = new Map<string, AgentFile>();
  files.set('context.json', jsonFile(bundle.context));
  const logs = (bundle.logs ?? {}) as Record<string, unknown>;
  for (const service of Object.keys(logs).sort()) {
    const section = logs[service] as { entries?: unknown } | null;
    if (!section || !Array.isArray(section.entries)) continue;
    files.set(agentLogFileName(service), ndjsonFile(section.entries as unknown[]));
  }
  files.set('frontend-errors.json', jsonFile(Array.isArray(bundle.frontendErrors) ? bundle.frontendErrors : []));
  return files;
}
