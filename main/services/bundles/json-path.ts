/**
 * The small JSON-path subset custom redaction rules use: `$` then dot keys, `[*]` (every element
 * or member) and `[n]` (one element) — `$.config.apiKey`, `$.containers[*].env.SECRET`. The
 * value at the path is replaced whatever it is (a string, a number, a whole object).
 */
import { ApiError } from '../../../shared/errors';

export type PathStep = { key: string } | { index: number } | { any: true };

/** The path's steps; throws one sentence for a path outside the subset. */
export function parseJsonPath(path: string): PathStep[] {
  const refuse = (why: string) =>
    new ApiError('invalid-request', `The JSON path "${path}" ${why} — write it like $.config.apiKey or $.containers[*].env.SECRET.`, { path: why });
  if (!path.startsWith('$')) throw refuse('does not start with $');
  const steps: PathStep[] = [];
  const step = /\.([^.[\]]+)|\[(\*|\d+)\]/y;
  let at = 1;
  while (at < path.length) {
    step.lastIndex = at;
    const match = step.exec(path);
    if (!match) throw refuse(`has something unexpected at character ${at + 1}`);
    if (match[1] !== undefined) steps.push({ key: match[1] });
    else if (match[2] === '*') steps.push({ any: true });
    else steps.push({ index: Number(match[2]) });
    at = step.lastIndex;
  }
  if (steps.length === 0) throw refuse('names the whole document');
  return steps;
}

/**
 * A copy of `value` with what is at `steps` replaced by `replacement`; `count` is how many
 * values were replaced (a value already equal to the replacement is not counted).
 */
export function replaceAtPath(value: unknown, steps: readonly PathStep[], replacement: unknown): { value: unknown; count: number } {
  if (steps.length === 0) return value === replacement ? { value, count: 0 } : { value: replacement, count: 1 };
  const [first, ...rest] = steps as [PathStep, ...PathStep[]];
  let count = 0;
  const visit = (inner: unknown) => {
    const replaced = replaceAtPath(inner, rest, replacement);
    count += replaced.count;
    return replaced.value;
  };
  if (Array.isArray(value)) {
    if ('any' in first) {
      const out = value.map(visit);
      return count ? { value: out, count } : { value, count };
    }
    if ('index' in first && first.index < value.length) {
      const out = [...value];
      out[first.index] = visit(value[first.index]);
      return count ? { value: out, count } : { value, count };
    }
    return { value, count: 0 };
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = 'any' in first ? Object.keys(record) : 'key' in first && Object.hasOwn(record, first.key) ? [first.key] : [];
    if (keys.length === 0) return { value, count: 0 };
    const out = { ...record };
    for (const key of keys) out[key] = visit(record[key]);
    return count ? { value: out, count } : { value, count };
  }
  return { value, count: 0 };
}
