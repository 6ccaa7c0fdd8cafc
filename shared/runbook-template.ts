/**
 * `{{ path }}` templates in runbook steps: `inputs.tag`, `target.name`, `steps.record.image`,
 * `run.id`. A field that is one template alone takes the value as it is (a number, a list); a
 * template inside text is written as text (objects as JSON). A path that names nothing is an
 * error naming it, never an empty string that would run a different command than the one planned.
 *
 * `{{ inputs.at - inputs.window }}` moves a time by a duration (an incident's scan window).
 */
import { durationMs } from './model/runbook-steps';

export type TemplateScope = Record<string, unknown>;

const TEMPLATE = /\{\{\s*([^{}]+?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
/** `inputs.at - inputs.window`, `inputs.at + 15m`: a time moved by a duration (spaces required). */
const OFFSET = /^(\S+)\s+([+-])\s+(\S+)$/;

export class TemplateError extends Error {}

export interface FillOptions {
  /**
   * Plans fill templates before the run: a path that names nothing yet (a later step's output)
   * is written as `‹path›` instead of failing.
   */
  lenient?: boolean;
  /** With `lenient`: collects the expressions that named nothing. */
  missing?: string[];
}

export function hasTemplate(text: string): boolean {
  TEMPLATE.lastIndex = 0;
  return TEMPLATE.test(text);
}

/** The value at a dotted path; `undefined` when a part is missing. */
export function lookup(scope: TemplateScope, path: string): unknown {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * `expression` is a path, optionally with a fallback: `inputs.ref || inputs.tag`, or a quoted
 * literal `inputs.note || 'none'`.
 */
function evaluate(expression: string, scope: TemplateScope, options: FillOptions = {}): unknown {
  const alternatives = expression.split('||').map((part) => part.trim());
  for (const alternative of alternatives) {
    const literal = /^'([^']*)'$|^"([^"]*)"$/.exec(alternative);
    if (literal) return literal[1] ?? literal[2];
    const offset = OFFSET.exec(alternative);
    if (offset) {
      const moved = shiftTime(offset[1]!, offset[2] as '+' | '-', offset[3]!, scope, expression);
      if (moved !== undefined) return moved;
      continue;
    }
    if (!PATH.test(alternative)) throw new TemplateError(`"{{ ${expression} }}" is not a path like inputs.tag or steps.record.image.`);
    const value = lookup(scope, alternative);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  if (alternatives.length > 1) return '';
  if (options.lenient) {
    options.missing?.push(expression.trim());
    return `‹${expression.trim()}›`;
  }
  throw new TemplateError(`"{{ ${expression} }}" names nothing: no input, target field or earlier step output is called that.`);
}

/** A time moved by a duration, as ISO; undefined when either part names nothing (yet). */
function shiftTime(basePath: string, sign: '+' | '-', amountText: string, scope: TemplateScope, expression: string): string | undefined {
  if (!PATH.test(basePath)) throw new TemplateError(`"{{ ${expression} }}" is not a path like inputs.tag or steps.record.image.`);
  const base = lookup(scope, basePath);
  const amount = /^\d+(ms|s|m|h)$/.test(amountText) ? amountText : PATH.test(amountText) ? lookup(scope, amountText) : undefined;
  if (base === undefined || base === null || base === '' || amount === undefined || amount === null || amount === '') return undefined;
  const time = Date.parse(asText(base));
  const ms = durationMs(asText(amount));
  if (Number.isNaN(time) || Number.isNaN(ms)) {
    throw new TemplateError(`"{{ ${expression} }}" needs a time and a duration like 15m (got "${asText(base)}" and "${asText(amount)}").`);
  }
  return new Date(sign === '+' ? time + ms : time - ms).toISOString();
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Fills one string. */
export function fillText(text: string, scope: TemplateScope, options: FillOptions = {}): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return evaluate(whole[1]!, scope, options);
  return text.replace(TEMPLATE, (_match, expression: string) => asText(evaluate(expression, scope, options)));
}

/** Fills every string inside a value (objects and arrays walked). */
export function fillTemplates<T>(value: T, scope: TemplateScope, options: FillOptions = {}): T {
  if (typeof value === 'string') return fillText(value, scope, options) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => fillTemplates(item, scope, options)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillTemplates(item, scope, options)])) as T;
  }
  return value;
}

/** How an `if:` reads: empty, `false`, `0`, `no` and `off` are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  const text = asText(value).trim().toLowerCase();
  return text !== '' && text !== 'false' && text !== '0' && text !== 'no' && text !== 'off';
}

/** The paths a text refers to (for plans and checks before a run). */
export function templatePaths(text: string): string[] {
  const paths: string[] = [];
  for (const match of text.matchAll(TEMPLATE)) {
    for (const part of match[1]!.split('||')) {
      const path = part.trim();
      const offset = OFFSET.exec(path);
      if (offset) paths.push(...[offset[1]!, offset[3]!].filter((operand) => PATH.test(operand) && !/^\d+(ms|s|m|h)$/.test(operand)));
      else if (PATH.test(path)) paths.push(path);
    }
  }
  return paths;
}
