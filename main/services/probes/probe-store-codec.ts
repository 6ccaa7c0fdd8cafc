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

export function packFlags(f: Flags): number {
  return (
    STATUS_CODE[f.status] |
    (TRIGGER_CODE[f.trigger] << 2) |
    (f.maintenance ? MAINTENANCE : 0) |
    (f.interrupted ? INTERRUPTED : 0) |
    (f.hasArtifacts ? HAS_ARTIFACTS : 0)
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

/** A whole integer (no leading zeros, so it reads back the same) with an optional short unit. */
const NUMBER_WITH_UNIT = /^(-?(?:0|[1-9]\d{0,14}))([A-Za-z%]{0,3})$/;

/** Per condition: [expression, severity (0 fail, 1 warn), observed template, reason]. */
type TemplateEntry = [string, 0 | 1, string | null, string | null];

export interface EncodedConditions {
  /** JSON of the template; null when the probe has no conditions. */
  template: string | null;
  /** Bit i set when condition i failed: 0 (no bytes in SQLite) when all passed. */
  failMask: number;
  /** The observed numbers as zigzag varints; null when there are none. */
  numbers: Buffer | null;
}

/**
 * Splits outcomes into the parts stored apart. Observed values: null stays null, `=text` is a
 * literal, `#unit` takes the next number from `numbers`.
 */
export function encodeConditions(conditions: readonly ConditionOutcome[]): EncodedConditions {
  if (!conditions.length) return { template: null, failMask: 0, numbers: null };
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
  return { template: JSON.stringify(entries), failMask, numbers: nums.length ? Buffer.from(nums) : null };
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
