/**
 * The probe store's aggregate buckets: counts by status, the duration sum and a latency histogram
 * per probe per minute, hour and day.
 *
 * Minutes are not rows of their own: they are packed into their hour's row (`minutes`), so a
 * flush writes two rows per probe and hour (its hour and its day), not three, however many results
 * of that probe it holds. Minute detail is dropped from hours older than two days — only
 * the 1-hour chart and the edge of the 24-hour window read it.
 */
import { addTo, decodeHistogram, encodeHistogram, type Histogram } from './probe-histogram';
import { readVarint, writeVarint } from './probe-store-codec';

export interface Agg {
  ok: number;
  warn: number;
  fail: number;
  /** Sum of durations, ms. */
  dur: number;
  hist: Histogram;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function emptyAgg(): Agg {
  return { ok: 0, warn: 0, fail: 0, dur: 0, hist: new Map() };
}

export function mergeAgg(into: Agg, from: Agg): void {
  into.ok += from.ok;
  into.warn += from.warn;
  into.fail += from.fail;
  into.dur += from.dur;
  addTo(into.hist, from.hist);
}

/** Counts one result (status code 0 ok, 1 warn, 2 fail) into `agg`. */
export function countInto(agg: Agg, status: number, bin: number, durationMs: number): void {
  if (status === 0) agg.ok++;
  else if (status === 1) agg.warn++;
  else agg.fail++;
  agg.dur += durationMs;
  agg.hist.set(bin, (agg.hist.get(bin) ?? 0) + 1);
}

/** The minutes of an hour row, by minute of the hour (0–59); null once dropped. */
export type Minutes = Map<number, Agg> | null;

export function encodeMinutes(minutes: Minutes): Buffer | null {
  if (!minutes) return null;
  const out: number[] = [];
  writeVarint(out, minutes.size);
  for (const [minute, agg] of minutes) {
    writeVarint(out, minute);
    writeVarint(out, agg.ok);
    writeVarint(out, agg.warn);
    writeVarint(out, agg.fail);
    writeVarint(out, Math.round(agg.dur));
    encodeHistogram(agg.hist, out);
  }
  return Buffer.from(out);
}

export function decodeMinutes(buf: Uint8Array | null): Minutes {
  if (!buf) return null;
  const pos = { i: 0 };
  const minutes = new Map<number, Agg>();
  const n = readVarint(buf, pos);
  for (let k = 0; k < n; k++) {
    const minute = readVarint(buf, pos);
    const ok = readVarint(buf, pos);
    const warn = readVarint(buf, pos);
    const fail = readVarint(buf, pos);
    const dur = readVarint(buf, pos);
    minutes.set(minute, { ok, warn, fail, dur, hist: decodeHistogram(buf, pos) });
  }
  return minutes;
}

export function histBlob(hist: Histogram): Buffer {
  return Buffer.from(encodeHistogram(hist));
}

export function histFromBlob(buf: Uint8Array): Histogram {
  return decodeHistogram(buf, { i: 0 });
}
