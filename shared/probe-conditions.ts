/**
 * Probe conditions: Gatus's condition language, read, checked and evaluated.
 *
 * A condition compares what a check saw with what it should be: `[STATUS] == 200`,
 * `[RESPONSE_TIME] < 500`, `[BODY].status == UP`, `[CERTIFICATE_EXPIRATION] > 72h`,
 * `len([BODY].items) > 0`, `[BODY] == pat(*ok*)`, `[STATUS] == any(200, 204)`,
 * `age([HEADERS].last-modified) < 1h`. Kinds report the
 * placeholder values (node/probes/probe-kind.ts); this module only judges them, so the same
 * rules apply in main, the agent and the editor's live validation.
 *
 * Where Gatus is loose this is stricter, on purpose: an expression is parsed once, with the
 * position of a mistake, so a typo is refused when the probe is saved rather than silently
 * comparing against 0 (Gatus turns a non-number into 0 for `<`); a missing value or a body that
 * is not JSON fails the condition with a reason instead of an "(INVALID)" marker. As in Gatus,
 * placeholder names may be written in any case and `[HEADER]` is `[HEADERS]`, so conditions
 * copied from a Gatus config read; `age()` takes no custom time layout.
 */
import type { ConditionOutcome, ProbeCondition, ResultStatus } from './model/probe';

/** What a check saw, by placeholder name without brackets (`STATUS`, `BODY`, `HEADERS` …). */
export type PlaceholderValues = Record<string, unknown>;

export const OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type Operator = (typeof OPERATORS)[number];

/** One step of a path into a placeholder's value: a field, an array index, or every element (`[*]`). */
export type PathStep = { key: string } | { index: number } | { each: true };

/** `[BODY].data[0].id`: a placeholder and a path into it. */
export interface PlaceholderRef {
  type: 'placeholder';
  name: string;
  path: PathStep[];
  /** The reference as written (header names lower-cased), for messages. */
  text: string;
}

export type Operand =
  | PlaceholderRef
  /** `age()`: ms since the timestamp the placeholder holds. */
  | { type: FunctionName; ref: PlaceholderRef; text: string }
  /** Plain text; `number` is set when it reads as a number or a duration (in ms). */
  | { type: 'literal'; value: string; number: number | null; text: string }
  | { type: 'pattern'; glob: string; text: string }
  | { type: 'any'; options: string[]; text: string };

export interface ParsedCondition {
  left: PlaceholderRef | Extract<Operand, { type: FunctionName }>;
  operator: Operator;
  right: Operand;
}

type FunctionName = 'len' | 'has' | 'age';

export type ParseResult = { ok: true; condition: ParsedCondition } | { ok: false; message: string; position: number };

/** Placeholders whose value is a single number, string or boolean: a path into them is a mistake. */
const SCALAR_PLACEHOLDERS = new Set([
  'STATUS',
  'RESPONSE_TIME',
  'CONNECTED',
  'IP',
  'CERTIFICATE_EXPIRATION',
  'DOMAIN_EXPIRATION',
  'DNS_RCODE',
]);
/** Placeholders whose value is a time span in ms, shown as a duration. */
const DURATION_PLACEHOLDERS = new Set(['CERTIFICATE_EXPIRATION', 'DOMAIN_EXPIRATION']);

const OPERATOR_LIST = '(== != < <= > >=)';
const OBSERVED_MAX = 200;

class ParseError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const NUMBER_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DURATION_RE = /^(-)?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A number written as text (`200`, `-1.5`), or null; empty and `0x` forms are not numbers. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!NUMBER_RE.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** `72h`, `30d`, `1h30m`, `500ms` in milliseconds, or null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return null;
  let total = 0;
  for (const part of match[2]!.matchAll(DURATION_PART_RE)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return match[1] ? -total : total;
}

/** A span in ms as `29d23h`, `1h30m`, `45s` (whole seconds; zero parts left out). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds === 0) return `${sign}${Math.round(Math.abs(ms))}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return sign + parts.join('');
}

/** Reads one expression; see the module comment for the language. Never throws. */
export function parseCondition(expression: string): ParseResult {
  try {
    return { ok: true, condition: new Parser(expression).parse() };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, message: error.message, position: error.position };
    throw error;
  }
}

/** Characters that end a field name in a path (besides whitespace). */
const PATH_STOP = new Set(['.', '[', ']', '(', ')', ',', '=', '!', '<', '>', '"']);

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): ParsedCondition {
    this.skipSpace();
    if (this.i >= this.s.length) throw new ParseError('Write a condition, like [STATUS] == 200.', this.i);
    const left = this.leftOperand();
    this.skipSpace();
    const operatorAt = this.i;
    const operator = this.operator();
    if (left.type === 'has' && operator !== '==' && operator !== '!=') {
      throw new ParseError(`${left.text} is true or false: compare it with == or !=.`, operatorAt);
    }
    this.skipSpace();
    if (this.i >= this.s.length) throw new ParseError(`Expected a value after ${operator}, like 200.`, this.i);
    const right = this.rightOperand(operator);
    return { left, operator, right };
  }

  private skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private startsWithWord(word: string): boolean {
    return this.s.startsWith(word, this.i);
  }

  private leftOperand(): ParsedCondition['left'] {
    if (this.s[this.i] === '[') return this.placeholder();
    if (this.startsFunction()) return this.function();
    if (this.startsWithWord('pat(') || this.startsWithWord('any(')) {
      throw new ParseError(`Put ${this.s.slice(this.i, this.i + 3)}(…) on the right of == or !=, like [BODY] == pat(*ok*).`, this.i);
    }
    throw new ParseError('Start with a placeholder like [STATUS] or a function like len([BODY]).', this.i);
  }

  private startsFunction(): boolean {
    return this.startsWithWord('len(') || this.startsWithWord('has(') || this.startsWithWord('age(');
  }

  private function(): Extract<Operand, { type: FunctionName }> {
    const start = this.i;
    const type = this.s.slice(this.i, this.i + 3) as FunctionName;
    this.i += 4;
    this.skipSpace();
    if (this.s[this.i] !== '[') throw new ParseError(`Expected a placeholder inside ${type}(), like ${type}([BODY].items).`, this.i);
    const ref = this.placeholder();
    this.skipSpace();
    if (type === 'age' && this.s[this.i] === ',') {
      throw new ParseError('age() takes only a placeholder: it reads RFC 3339 and HTTP dates and Unix times, not custom layouts.', this.i);
    }
    if (this.s[this.i] !== ')') throw new ParseError(`Expected ) to close ${type}(.`, this.i);
    this.i++;
    return { type, ref, text: this.s.slice(start, this.i) };
  }

  private placeholder(): PlaceholderRef {
    const start = this.i;
    const close = this.s.indexOf(']', start);
    const nameMatch = /^\[([A-Za-z0-9_]*)\]/.exec(this.s.slice(start));
    if (!nameMatch) {
      if (close === -1) throw new ParseError('The placeholder opened here is missing its closing ].', start);
      throw new ParseError('Placeholder names use letters, digits and underscores, like [STATUS].', start + 1);
    }
    const written = nameMatch[1]!;
    if (written === '') throw new ParseError('Name the placeholder, like [STATUS].', start + 1);
    if (!/^[A-Za-z]/.test(written)) throw new ParseError('Placeholder names start with a letter, like [STATUS].', start + 1);
    // Gatus reads names in any case and calls the headers [HEADER]; both read here too.
    const upper = written.toUpperCase();
    const name = upper === 'HEADER' ? 'HEADERS' : upper;
    this.i = start + nameMatch[0].length;
    const path: PathStep[] = [];
    const pathStart = this.i;
    for (;;) {
      const c = this.s[this.i];
      if (c === '.') {
        const keyStart = ++this.i;
        while (this.i < this.s.length && !PATH_STOP.has(this.s[this.i]!) && !/\s/.test(this.s[this.i]!)) this.i++;
        if (this.i === keyStart) throw new ParseError('Expected a field name after the dot.', keyStart);
        const key = this.s.slice(keyStart, this.i);
        path.push({ key: name === 'HEADERS' ? key.toLowerCase() : key });
      } else if (c === '[') {
        const match = /^\[(\d+|\*)\]/.exec(this.s.slice(this.i));
        if (!match) throw new ParseError('Expected an array index like [0] or [*].', this.i + 1);
        path.push(match[1] === '*' ? { each: true } : { index: Number(match[1]) });
        this.i += match[0].length;
      } else break;
    }
    if (path.length > 0 && SCALAR_PLACEHOLDERS.has(name)) {
      throw new ParseError(`[${name}] is a single value: only [BODY] and [HEADERS] take a path.`, pathStart);
    }
    if (name === 'HEADERS' && path.length === 0) {
      throw new ParseError('Name the header, like [HEADERS].content-type.', this.i);
    }
    const text = `[${name}]` + path.map((step) => ('key' in step ? `.${step.key}` : 'index' in step ? `[${step.index}]` : '[*]')).join('');
    return { type: 'placeholder', name, path, text };
  }

  private operator(): Operator {
    const two = this.s.slice(this.i, this.i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      this.i += 2;
      return two;
    }
    const one = this.s[this.i];
    if (one === '<' || one === '>') {
      this.i += 1;
      return one;
    }
    if (one === '=') throw new ParseError('Use == to compare, not =.', this.i);
    throw new ParseError(`Expected an operator ${OPERATOR_LIST}.`, this.i);
  }

  private rightOperand(operator: Operator): Operand {
    const start = this.i;
    const numeric = operator !== '==' && operator !== '!=';
    let operand: Operand;
    if (/^\[[A-Za-z_]/.test(this.s.slice(this.i))) {
      operand = this.placeholder();
    } else if (this.startsFunction()) {
      operand = this.function();
      if (operand.type === 'has' && numeric) throw new ParseError(`${operand.text} is true or false: compare it with == or !=.`, start);
    } else if (this.startsWithWord('pat(') || this.startsWithWord('any(')) {
      const type = this.s.slice(start, start + 3);
      if (numeric) throw new ParseError(`${type}() works only with == or !=.`, start);
      const end = this.s.trimEnd().length;
      if (this.s[end - 1] !== ')' || end - 1 < start + 4) throw new ParseError(`Expected ) to close ${type}(.`, end);
      const inner = this.s.slice(start + 4, end - 1);
      this.i = end;
      if (type === 'pat') {
        if (inner.trim() === '') throw new ParseError('Give pat() a pattern, like pat(*ok*).', start + 4);
        return { type: 'pattern', glob: inner, text: this.s.slice(start, end) };
      }
      const options = inner.split(',').map((option) => unquote(option.trim()));
      let offset = start + 4;
      for (const raw of inner.split(',')) {
        if (raw.trim() === '') throw new ParseError('An any() value is empty: list values separated by commas, like any(200, 204).', offset + raw.length - raw.trimStart().length);
        offset += raw.length + 1;
      }
      return { type: 'any', options, text: this.s.slice(start, end) };
    } else {
      return this.literal(operator);
    }
    if (numeric && operand.type === 'placeholder' && operand.name === 'BODY' && operand.path.length === 0) {
      // A whole body is text, never a number: almost certainly a missing path.
      throw new ParseError('[BODY] is text: compare a field of it, like [BODY].count.', start);
    }
    this.skipSpace();
    if (this.i < this.s.length) throw new ParseError('Unexpected text after the value: write one comparison per condition.', this.i);
    return operand;
  }

  private literal(operator: Operator): Operand {
    const start = this.i;
    const raw = this.s.slice(start).trimEnd();
    this.i = start + raw.length;
    if (/^[=!<>]/.test(raw)) throw new ParseError(`Expected a value after ${operator}, not another operator.`, start);
    // Two comparisons in one condition (`[STATUS] == 200 && …`) would otherwise be compared as text.
    const second = /\s(==|!=|<=|>=|&&|\|\||<|>)\s/.exec(raw);
    if (second && !raw.startsWith('"')) {
      throw new ParseError('Write one comparison per condition; add another condition for the next one.', start + second.index + 1);
    }
    if (raw.startsWith('"') && (raw.length < 2 || !raw.endsWith('"'))) {
      throw new ParseError('The quoted value is missing its closing ".', start + raw.length);
    }
    const value = unquote(raw);
    const number = raw.startsWith('"') ? null : (parseNumber(value) ?? parseDuration(value));
    if (operator !== '==' && operator !== '!=' && number === null) {
      throw new ParseError(`Expected a number or a duration (like 72h) after ${operator}.`, start);
    }
    return { type: 'literal', value, number, text: raw };
  }
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** Field errors for a probe form: `conditions.N.expression` → `Column 14: expected an operator …`. */
export function conditionErrors(conditions: readonly { expression: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  conditions.forEach((condition, index) => {
    const message = conditionError(condition.expression);
    if (message) errors[`conditions.${index}.expression`] = message;
  });
  return errors;
}

/** `Column 14: expected an operator …` for a bad expression, or null when it reads. */
export function conditionError(expression: string): string | null {
  const result = parseCondition(expression);
  if (result.ok) return null;
  return `Column ${result.position + 1}: ${result.message.charAt(0).toLowerCase()}${result.message.slice(1)}`;
}

// --- Evaluation -------------------------------------------------------------------------------

/** A resolved operand; a `[*]` path yields one value per element. */
type ResolvedMany = { ok: true; values: { value: unknown; label: string }[]; each: boolean } | { ok: false; reason: string };

/** Values parsed as JSON once per evaluation (a body read by ten conditions is parsed once). */
type JsonCache = Map<string, { ok: true; value: unknown } | { ok: false }>;

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

function subject(name: string): string {
  return name === 'BODY' ? 'The body' : `[${name}]`;
}

function resolveRef(ref: PlaceholderRef, values: PlaceholderValues, cache: JsonCache): ResolvedMany {
  const base = values[ref.name];
  if (base === undefined) return { ok: false, reason: `This check does not report [${ref.name}].` };
  if (ref.path.length === 0) return { ok: true, values: [{ value: base, label: ref.text }], each: false };
  let root: unknown = base;
  if (typeof base === 'string') {
    let parsed = cache.get(ref.name);
    if (!parsed) {
      try {
        parsed = { ok: true, value: JSON.parse(base) as unknown };
      } catch {
        parsed = { ok: false };
      }
      cache.set(ref.name, parsed);
    }
    if (!parsed.ok) {
      const why = base.trim() === '' ? 'is empty' : 'is not JSON';
      return { ok: false, reason: `${subject(ref.name)} ${why}, so ${ref.text} has no value.` };
    }
    root = parsed.value;
  }
  let current: { value: unknown; label: string }[] = [{ value: root, label: `[${ref.name}]` }];
  let each = false;
  for (const step of ref.path) {
    const next: { value: unknown; label: string }[] = [];
    for (const { value, label } of current) {
      if ('key' in step) {
        const nextLabel = `${label}.${step.key}`;
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return { ok: false, reason: `${label} is ${describeType(value)}, not an object, so ${nextLabel} has no value.` };
        }
        const record = value as Record<string, unknown>;
        const key = ref.name === 'HEADERS' ? Object.keys(record).find((k) => k.toLowerCase() === step.key) : step.key;
        if (key === undefined || !Object.prototype.hasOwnProperty.call(record, key)) {
          return {
            ok: false,
            reason: ref.name === 'HEADERS' ? `The response has no ${step.key} header.` : `${label} has no field ${step.key}, so ${nextLabel} has no value.`,
          };
        }
        next.push({ value: record[key], label: nextLabel });
      } else {
        if (!Array.isArray(value)) {
          return { ok: false, reason: `${label} is ${describeType(value)}, not an array, so ${ref.text} has no value.` };
        }
        if ('index' in step) {
          if (step.index >= value.length) {
            return { ok: false, reason: `${label} has ${value.length} ${value.length === 1 ? 'item' : 'items'}, so ${label}[${step.index}] has no value.` };
          }
          next.push({ value: value[step.index], label: `${label}[${step.index}]` });
        } else {
          each = true;
          value.forEach((element, index) => next.push({ value: element, label: `${label}[${index}]` }));
        }
      }
    }
    current = next;
  }
  if (each && current.length === 0) return { ok: false, reason: `${ref.text} matched no elements: the array is empty.` };
  return { ok: true, values: current, each };
}

/** What one evaluation shares: parsed JSON, and the time `age()` measures from. */
interface EvalContext {
  cache: JsonCache;
  now: number;
}

/** A timestamp as ms since the epoch: RFC 3339, an HTTP date, or Unix seconds or milliseconds. */
function timestampOf(value: unknown): number | null {
  const numeric = typeof value === 'number' ? value : typeof value === 'string' ? parseNumber(value) : null;
  if (numeric !== null) {
    if (!(numeric > 0)) return null;
    // Below 1e12 it is seconds (1e12 s is the year 33658; 1e12 ms is 2001), as Gatus reads it.
    return numeric >= 1e12 ? numeric : numeric * 1000;
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Date.parse(value.trim());
  return Number.isNaN(parsed) ? null : parsed;
}

function resolveOperand(operand: Operand, values: PlaceholderValues, context: EvalContext): ResolvedMany {
  const { cache } = context;
  if (operand.type === 'placeholder') return resolveRef(operand, values, cache);
  if (operand.type === 'has') {
    const inner = resolveRef(operand.ref, values, cache);
    // Present and not empty: a null field, an empty header or an empty body is not "there".
    const present = inner.ok && inner.values.every(({ value }) => value !== null && (typeof value !== 'string' || value.trim() !== ''));
    return { ok: true, values: [{ value: present, label: operand.text }], each: false };
  }
  if (operand.type === 'len' || operand.type === 'age') {
    const inner = resolveRef(operand.ref, values, cache);
    if (!inner.ok) return inner;
    const out: { value: unknown; label: string }[] = [];
    for (const { value, label } of inner.values) {
      if (operand.type === 'age') {
        const at = timestampOf(value);
        if (at === null) return { ok: false, reason: `${label} is ${observedValue(value)}, which is not a time age() can read.` };
        out.push({ value: context.now - at, label: `age(${label})` });
        continue;
      }
      const length = isWholeBody(operand.ref) ? bodyLength(value, cache) : lengthOf(value);
      if (length === null) return { ok: false, reason: `${label} is ${describeType(value)}, which has no length.` };
      out.push({ value: length, label: `len(${label})` });
    }
    return { ok: true, values: out, each: inner.each };
  }
  return { ok: true, values: [{ value: operand.type === 'literal' ? (operand.number ?? operand.value) : operand.text, label: operand.text }], each: false };
}

function isWholeBody(ref: PlaceholderRef): boolean {
  return ref.name === 'BODY' && ref.path.length === 0;
}

/** `len([BODY])`: the count of a JSON array body, else the length of the (trimmed) text, as Gatus. */
function bodyLength(value: unknown, cache: JsonCache): number | null {
  if (typeof value !== 'string') return lengthOf(value);
  let parsed = cache.get('BODY');
  if (!parsed) {
    try {
      parsed = { ok: true, value: JSON.parse(value) as unknown };
    } catch {
      parsed = { ok: false };
    }
    cache.set('BODY', parsed);
  }
  return parsed.ok && Array.isArray(parsed.value) ? parsed.value.length : value.trim().length;
}

function observedValue(value: unknown): string {
  return truncate(typeof value === 'string' ? JSON.stringify(value) : textOf(value));
}

function lengthOf(value: unknown): number | null {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  return null;
}

/** A value as the text Gatus compares (strings as they are, the rest as JSON). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseNumber(value) ?? parseDuration(value);
  return null;
}

function truncate(text: string): string {
  return text.length > OBSERVED_MAX ? `${text.slice(0, OBSERVED_MAX - 1)}…` : text;
}

/** The left value as short text for the result: `503`, `"DOWN"`, `412ms`, `29d23h`. */
function observedText(left: ParsedCondition['left'], value: unknown): string {
  if (left.type === 'age' && typeof value === 'number') return formatDuration(value);
  if (left.type === 'placeholder' && left.path.length === 0 && typeof value === 'number') {
    if (left.name === 'RESPONSE_TIME') return `${Math.round(value)}ms`;
    if (DURATION_PLACEHOLDERS.has(left.name)) return formatDuration(value);
  }
  // A whole body is shown as it came (quoting would escape every quote in a JSON body).
  if (typeof value === 'string' && left.type === 'placeholder' && left.name === 'BODY' && left.path.length === 0) return truncate(value);
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  return truncate(textOf(value));
}

/** `*` matches any run of characters, `?` one; everything else literally (as Gatus's pat). */
function globMatch(glob: string, text: string): boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`).test(text);
}

function equalValues(left: unknown, right: unknown): boolean {
  const a = numberOf(left);
  const b = numberOf(right);
  // Numbers compare as numbers (`200` == `200.0`); a duration on only one side is text.
  if (typeof left !== 'boolean' && typeof right !== 'boolean' && a !== null && b !== null) {
    const leftIsDuration = typeof left === 'string' && parseNumber(left) === null;
    const rightIsDuration = typeof right === 'string' && parseNumber(right) === null;
    if (leftIsDuration === rightIsDuration || typeof left === 'number' || typeof right === 'number') return a === b;
  }
  return textOf(left) === textOf(right);
}

function compare(operator: Operator, left: unknown, leftLabel: string, right: Operand, rightValue: unknown): { passed: boolean; reason: string | null } {
  if (right.type === 'pattern') {
    const passed = globMatch(right.glob, textOf(left));
    return { passed: operator === '==' ? passed : !passed, reason: null };
  }
  if (right.type === 'any') {
    const passed = right.options.some((option) => equalValues(left, option));
    return { passed: operator === '==' ? passed : !passed, reason: null };
  }
  if (operator === '==') return { passed: equalValues(left, rightValue), reason: null };
  if (operator === '!=') return { passed: !equalValues(left, rightValue), reason: null };
  const a = typeof left === 'boolean' ? null : numberOf(left);
  const b = typeof rightValue === 'boolean' ? null : numberOf(rightValue);
  if (a === null) return { passed: false, reason: `${leftLabel} is ${describeType(left)}, not a number, so ${operator} cannot compare it.` };
  if (b === null) return { passed: false, reason: `${right.text} is ${describeType(rightValue)}, not a number, so ${operator} cannot compare it.` };
  const passed = operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
  return { passed, reason: null };
}

function evaluateOne(condition: ProbeCondition, values: PlaceholderValues, context: EvalContext): ConditionOutcome {
  const base = { expression: condition.expression, severity: condition.severity ?? 'fail' };
  const parsed = parseCondition(condition.expression);
  if (!parsed.ok) {
    return { ...base, passed: false, observed: null, reason: `The condition cannot be read: ${conditionError(condition.expression)}` };
  }
  const { left, operator, right } = parsed.condition;
  const leftResolved = resolveOperand(left, values, context);
  if (!leftResolved.ok) return { ...base, passed: false, observed: null, reason: leftResolved.reason };
  let rightValue: unknown = null;
  if (right.type === 'placeholder' || right.type === 'len' || right.type === 'has' || right.type === 'age') {
    const rightResolved = resolveOperand(right, values, context);
    if (!rightResolved.ok) {
      return { ...base, passed: false, observed: observedText(left, leftResolved.values[0]!.value), reason: rightResolved.reason };
    }
    if (rightResolved.values.length !== 1) {
      return { ...base, passed: false, observed: observedText(left, leftResolved.values[0]!.value), reason: `${right.text} is a list of values; [*] goes on the left.` };
    }
    rightValue = rightResolved.values[0]!.value;
  } else if (right.type === 'literal') {
    rightValue = right.number ?? right.value;
  }
  for (const { value, label } of leftResolved.values) {
    const { passed, reason } = compare(operator, value, label, right, rightValue);
    if (!passed) {
      const where = leftResolved.each ? `${label} is ${observedText(left, value)}.` : null;
      return { ...base, passed: false, observed: observedText(left, value), reason: reason ?? where };
    }
  }
  const first = leftResolved.values[0]!.value;
  const observed = leftResolved.each ? truncate(`${leftResolved.values.length} elements, the first ${observedText(left, first)}`) : observedText(left, first);
  return { ...base, passed: true, observed, reason: null };
}

/**
 * Judges every condition against what a check saw (`options.now`: the time `age()` measures from). A condition that cannot be judged (a missing
 * value, a body that is not JSON) fails with a reason; this never throws.
 */
export function evaluateConditions(
  conditions: readonly ProbeCondition[],
  values: PlaceholderValues,
  options: { now?: number } = {},
): ConditionOutcome[] {
  // `now` is the run's clock (the fake one in tests); only age() reads it.
  const context: EvalContext = { cache: new Map(), now: options.now ?? Date.now() };
  return conditions.map((condition) => evaluateOne(condition, values, context));
}

/** `fail` on an error or a failed `fail` condition, `warn` when only `warn` ones failed, else `ok`. */
export function resultStatus(outcomes: readonly ConditionOutcome[], error?: string | null): ResultStatus {
  if (error) return 'fail';
  let status: ResultStatus = 'ok';
  for (const outcome of outcomes) {
    if (outcome.passed) continue;
    if (outcome.severity === 'fail') return 'fail';
    status = 'warn';
  }
  return status;
}
