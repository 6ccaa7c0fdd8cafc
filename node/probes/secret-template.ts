/**
 * `{{secret.NAME}}` in a probe's settings: found, filled in at run time, and the forms a filled-in
 * value may come back in, for redaction.
 *
 * Settings are stored and shown with the placeholders; only the engine, in the process that runs
 * the check, sees them filled in. Whatever the run then produced (a body that echoes the URL, an
 * error quoting a header) is redacted of every value read, in each form a server or a library is
 * likely to print it: as is, URL-encoded (a token in a query string) and JSON-escaped (a body
 * that quotes the request).
 */

/** `{{secret.NAME}}`, with NAME as secret slots are named (model/probe.ts `SecretSlotName`). */
const PLACEHOLDER = /\{\{\s*secret\.([A-Za-z][A-Za-z0-9_]{0,63})\s*\}\}/g;

/** The secret slots `settings` refers to, in order of first mention, each once. */
export function secretSlotsIn(settings: unknown): string[] {
  const slots = new Set<string>();
  visitStrings(settings, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) slots.add(match[1]!);
  });
  return [...slots];
}

/**
 * A deep copy of `settings` with every `{{secret.NAME}}` in a string value replaced by
 * `values[NAME]`. Object keys are left as they are: a secret belongs in a value.
 */
export function fillSecrets<T>(settings: T, values: ReadonlyMap<string, string>): T {
  return mapStrings(settings, (text) =>
    text.replace(PLACEHOLDER, (whole, slot: string) => values.get(slot) ?? whole),
  ) as T;
}

/** The forms `value` may be printed in by whatever echoes a request back. */
export function secretForms(value: string): string[] {
  const forms = new Set([value]);
  forms.add(encodeURIComponent(value));
  forms.add(JSON.stringify(value).slice(1, -1));
  return [...forms];
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) visitStrings(item, visit);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = mapStrings(inner, map);
    return out;
  }
  return value;
}
