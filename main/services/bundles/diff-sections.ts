/**
 * The probe and frontend-error sections of a bundle, read for the diff: each probe's latest result,
 * and frontend errors grouped by normalised message. Like the context reader, forgiving about the
 * exact document shape (a list, `{ results }`, summaries with a `lastResult`, `{ groups, raw }`),
 * so app bundles and agent bundles read alike.
 */
import { isObject } from './diff-context';
import { normaliseMessage } from './diff-messages';

type Json = Record<string, unknown>;

const MAX_DEPTH = 12;

/** Calls `visit` on every object in the document; `visit` returning true stops descending into it. */
function walk(doc: unknown, visit: (value: Json) => boolean, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(doc)) {
    for (const item of doc) walk(item, visit, depth + 1);
    return;
  }
  if (!isObject(doc) || visit(doc)) return;
  for (const value of Object.values(doc)) walk(value, visit, depth + 1);
}

export interface ProbeStatusFacts {
  /** Probe id → its display name and the status of its latest result. */
  latest: Map<string, { name: string; status: string; at: number }>;
}

function timeOf(value: Json): number {
  for (const key of ['finishedAt', 'startedAt', 'at']) {
    const ms = typeof value[key] === 'string' ? Date.parse(value[key]) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return Number.NEGATIVE_INFINITY;
}

export function probeFacts(doc: unknown): ProbeStatusFacts {
  const names = new Map<string, string>();
  const latest = new Map<string, { name: string; status: string; at: number }>();
  const seeResult = (value: Json): void => {
    const probeId = value.probeId as string;
    const at = timeOf(value);
    const known = latest.get(probeId);
    if (known && known.at > at) return;
    const name = typeof value.probeName === 'string' ? value.probeName : probeId;
    latest.set(probeId, { name, status: value.status as string, at });
  };
  walk(doc, (value) => {
    // A definition (alone, or a summary's `probe`) names its id.
    const definition = isObject(value.probe) ? value.probe : value;
    if (
      typeof definition.id === 'string' &&
      typeof definition.name === 'string' &&
      ('kind' in definition || 'check' in definition)
    )
      names.set(definition.id, definition.name);
    if (typeof value.probeId === 'string' && typeof value.status === 'string') {
      seeResult(value);
      return true;
    }
    return false;
  });
  for (const [id, entry] of latest) entry.name = names.get(id) ?? entry.name;
  return { latest };
}

/** Frontend error groups: normalised message → how many errors (the reporter's folded counts included). */
export function frontendGroups(doc: unknown): Map<string, number> {
  const groups = new Map<string, number>();
  const add = (list: unknown[]): void => {
    for (const item of list) {
      if (!isObject(item) || typeof item.message !== 'string') continue;
      const count = typeof item.count === 'number' && item.count >= 1 ? Math.round(item.count) : 1;
      const key = normaliseMessage(item.message);
      groups.set(key, (groups.get(key) ?? 0) + count);
    }
  };
  if (Array.isArray(doc)) {
    add(doc);
    return groups;
  }
  if (!isObject(doc)) return groups;
  // Raw errors when the document has them (grouped copies of the same errors would count twice).
  for (const key of ['raw', 'errors', 'frontendErrors', 'groups', 'grouped']) {
    const list = doc[key];
    if (Array.isArray(list)) {
      add(list);
      return groups;
    }
    if (isObject(list) && Array.isArray(list.errors)) {
      add(list.errors);
      return groups;
    }
  }
  walk(doc, (value) => {
    if (typeof value.message === 'string') {
      add([value]);
      return true;
    }
    return false;
  });
  return groups;
}
