/**
 * A log source's key within a target: `container:<name>` (a Docker target's container) or
 * `service:<name>` (an ops-API target's compose service, every replica). The contract checks its
 * shape (`LogSourceKey` in model/logs.ts); these read and write it, for main and the renderer.
 */

export type LogSourceKind = 'container' | 'service';

/** `container:web-1` → `{ kind: 'container', name: 'web-1' }`. */
export function parseSourceKey(key: string): { kind: LogSourceKind; name: string } {
  const colon = key.indexOf(':');
  return { kind: key.slice(0, colon) as LogSourceKind, name: key.slice(colon + 1) };
}

/** `service:backend` → `backend`: the name a person knows the source by. */
export function sourceKeyName(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

/** `{ container, web-1 }` → `container:web-1`. */
export function sourceKey(kind: LogSourceKind, name: string): string {
  return `${kind}:${name}`;
}
