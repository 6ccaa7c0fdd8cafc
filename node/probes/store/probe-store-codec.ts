/**
 * Compact encodings for the probe store's rows: varints, the packed flags column and the split of
 * condition outcomes into a stable template and the numbers that change from run to run.
 *
 * A probe's conditions rarely change and what they observe mostly repeats (`200`, `"UP"`); the one
 * value that changes every run is usually a number (`412ms`). So a result's outcomes are stored as
 * a template — expressions, severities, literal observed values, reasons, and a `#` marker with the
 * unit for each number — which the store keeps once while it repeats, plus the numbers themselves
 * as a few varint bytes in the row. That is what keeps a result with three conditions under 100
 * bytes on disk.
 */
import {
  PROBE_TRIGGERS,
  RESULT_STATUSES,
  type ConditionOutcome,
  type ProbeTrigger,
  type ResultStatus,
} from '../../../shared/model/probe';

/** Appends `value` (a non-negative integer up to 2^53) as a LEB128 varint. */
export function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

export function readVarint(buf: Uint8Array, pos: { i: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = buf[pos.i++];
    if (byte === undefined) throw new Error('A stored probe record is cut short.');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
}

const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n);
const unzigzag = (n: number) => (n % 2 ? -(n + 1) / 2 : n / 2);

export const STATUS_CODE: Record<ResultStatus, number> = { ok: 0, warn: 1, fail: 2 };
export const TRIGGER_CODE = Object.fromEntries(PROBE_TRIGGERS.map((t, i) => [t, i])) as Record<ProbeTrigger, number>;

/** Bits of the flags column. Kept under 128 in the common case so SQLite stores it in one byte. */
const MAINTENANCE = 1 << 5;
const INTERRUPTED = 1 << 6;
const HAS_ARTIFACTS = 1 << 7;

export interface Flags {
  status: ResultStatus;
  trigger: ProbeTrigger;
  maintenance: boolean;
  interrupted: boolean;
  hasArtifacts: boolean;
}

/** The flags column of a result: status and trigger codes and the three booleans. */
export function packFlags(
  status: number,
  trigger: number,
  maintenance: boolean,
  interrupted: boolean,
  hasArtifacts: boolean,
): number {
  return (
    status |
    (trigger << 2) |
    (maintenance ? MAINTENANCE : 0) |
    (interrupted ? INTERRUPTED : 0) |
    (hasArtifacts ? HAS_ARTIFACTS : 0)
  );
}

export function unpackFlags(flags: number): Flags {
  return {
    status: RESULT_STATUSES[flags & 3]!,
    trigger: PROBE_TRIGGERS[(flags >> 2) & 7]!,
    maintenance: (flags & MAINTENANCE) !== 0,
    interrupted: (flags & INTERRUPTED) !== 0,
    hasArtifacts: (flags & HAS_ARTIFACTS) !== 0,
  };
}

/**
 * A whole integer (no leading zeros and no `-0`, so it reads back the same) with an optional
 * short unit.
 */
const NUMBER_WITH_UNIT = /^(0|-?[1-9]\d{0,14})([A-Za-z%]{0,3})$/;

/** Per condition: [expression, severity (0 fail, 1 warn), observed template, reason]. */
type TemplateEntry = [string, 0 | 1, string | null, string | null];

export interface EncodedConditions {
  /** JSON of the template; null when the probe has no conditions. */
  template: string | null;
  /** Bit i set when condition i failed: 0 (no bytes in SQLite) when all passed. */
  failMask: number;
  /** The observed numbers as zigzag varints; null when there are none. */
  numbers: Buffer | null;
  /** The template itself, for encodeLike on the probe's next run; null with the template. */
  entries: ConditionTemplate | null;
}

/**
 * Splits outcomes into the parts stored apart. Observed values: null stays null, `=text` is a
 * literal, `#unit` takes the next number from `numbers`.
 */
export function encodeConditions(conditions: readonly ConditionOutcome[]): EncodedConditions {
  if (!conditions.length) return { template: null, failMask: 0, numbers: null, entries: null };
  const nums: number[] = [];
  let failMask = 0;
  const entries: TemplateEntry[] = conditions.map((c, i) => {
    // Conditions past 52 would not fit a float's exact integers; probes allow 50.
    if (!c.passed) failMask += 2 ** i;
    let observed: string | null = null;
    if (c.observed !== null) {
      const match = NUMBER_WITH_UNIT.exec(c.observed);
      if (match) {
        writeVarint(nums, zigzag(Number(match[1])));
        observed = `#${match[2]}`;
      } else {
        observed = `=${c.observed}`;
      }
    }
    return [c.expression, c.severity === 'warn' ? 1 : 0, observed, c.reason ?? null];
  });
  return {
    template: JSON.stringify(entries),
    failMask,
    numbers: nums.length ? Buffer.from(nums) : null,
    entries,
  };
}

/** Bit i set when condition i failed (what encodeConditions puts in failMask). */
export function failMaskOf(conditions: readonly ConditionOutcome[]): number {
  let mask = 0;
  for (let i = 0; i < conditions.length; i++) if (!conditions[i]!.passed) mask += 2 ** i;
  return mask;
}

/** The most bytes encodeLike writes for `count` conditions (a zigzag varint of 15 digits: 8). */
export const MAX_NUMBER_BYTES = 8;

/**
 * The write path's shortcut for a probe's next run: when `conditions` fit `template` — the one
 * its previous run stored, so the same expressions, severities, reasons and literal observed
 * values, and a whole number with the same unit wherever it has `#` — writes their numbers into
 * `out` from `at`, exactly as encodeConditions would, and returns where they end; -1 when they do
 * not fit (encodeConditions then makes a new template). Nothing is allocated. `out` must have
 * conditions.length × MAX_NUMBER_BYTES bytes free from `at`.
 */
export function encodeLike(
  conditions: readonly ConditionOutcome[],
  template: ConditionTemplate,
  out: Uint8Array,
  at: number,
): number {
  if (conditions.length !== template.length) return -1;
  let end = at;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    const [expression, severity, observed, reason] = template[i]!;
    if (c.expression !== expression || (c.severity === 'warn' ? 1 : 0) !== severity || (c.reason ?? null) !== reason)
      return -1;
    const value = c.observed;
    if (observed === null) {
      if (value !== null) return -1;
    } else if (value === null) {
      return -1;
    } else if (observed.charCodeAt(0) === 61 /* = */) {
      // A literal never matches NUMBER_WITH_UNIT (it would have been stored as a number).
      if (value.length !== observed.length - 1 || !observed.endsWith(value)) return -1;
    } else {
      end = writeNumberWithUnit(value, observed, out, end);
      if (end < 0) return -1;
    }
  }
  return end;
}

/**
 * When `text` matches NUMBER_WITH_UNIT with the unit of `marker` (`#ms`), writes its number as a
 * zigzag varint at `at` and returns where it ends; else -1.
 */
function writeNumberWithUnit(text: string, marker: string, out: Uint8Array, at: number): number {
  const negative = text.charCodeAt(0) === 45; /* - */
  let i = negative ? 1 : 0;
  const first = text.charCodeAt(i) - 48;
  if (!(first >= 0 && first <= 9) || (negative && first === 0)) return -1;
  let n = first;
  i++;
  if (first !== 0) {
    // [1-9]\d{0,14}: up to 15 digits, so exact in a double.
    const last = Math.min(text.length, i + 14);
    for (; i < last; i++) {
      const d = text.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      n = n * 10 + d;
    }
  }
  // The rest is the unit: [A-Za-z%]{0,3}, equal to the marker's.
  const unitLength = marker.length - 1;
  if (text.length - i !== unitLength) return -1;
  for (let k = 0; k < unitLength; k++) if (text.charCodeAt(i + k) !== marker.charCodeAt(1 + k)) return -1;
  let v = zigzag(negative ? -n : n);
  let pos = at;
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

/** A parsed template, kept in the store's cache. */
export type ConditionTemplate = TemplateEntry[];

export function parseTemplate(text: string): ConditionTemplate {
  return JSON.parse(text) as ConditionTemplate;
}

export function decodeConditions(
  template: ConditionTemplate | null,
  failMask: number,
  numbers: Uint8Array | null,
): ConditionOutcome[] {
  if (!template) return [];
  const pos = { i: 0 };
  return template.map(([expression, severity, observed, reason], i) => {
    let value: string | null = null;
    if (observed !== null) {
      value = observed.startsWith('#')
        ? `${unzigzag(readVarint(numbers!, pos))}${observed.slice(1)}`
        : observed.slice(1);
    }
    return {
      expression,
      severity: severity === 1 ? 'warn' : 'fail',
      passed: Math.floor(failMask / 2 ** i) % 2 === 0,
      observed: value,
      reason,
    };
  });
}
