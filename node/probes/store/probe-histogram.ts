/**
 * A small fixed log-scale latency histogram, stored sparse in aggregate rows.
 *
 * Bin 0 holds runs under 1 ms; bin b ≥ 1 holds [R^(b-1), R^b) ms with R = 1.12, so 127 bins
 * reach past 25 minutes (longer than any probe's timeout). A percentile is read as the bin's
 * geometric middle, so it is within ±6 % of the true value — enough for a p50/p95 chart, and
 * merging buckets (a day from its hours, 30 days from their days) is adding counts, which exact
 * percentiles could not do without keeping every duration.
 */
import { readVarint, writeVarint } from './probe-store-codec';

export const HISTOGRAM_BINS = 128;
const R = 1.12;
const LOG_R = Math.log(R);

/** Sparse counts by bin. */
export type Histogram = Map<number, number>;

export function binOf(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(HISTOGRAM_BINS - 1, 1 + Math.floor(Math.log(ms) / LOG_R));
}

/** The value a bin stands for: its geometric middle (bin 0: half a millisecond). */
export function binValue(bin: number): number {
  return bin === 0 ? 0.5 : Math.exp((bin - 0.5) * LOG_R);
}

/** The largest relative error of a percentile read from the histogram. */
export const HISTOGRAM_RELATIVE_ERROR = Math.sqrt(R) - 1;

export function addTo(target: Histogram, source: Histogram): void {
  for (const [bin, count] of source) target.set(bin, (target.get(bin) ?? 0) + count);
}

/** Encodes as varint pairs (bin, count) in bin order: a bucket of one run is 2 bytes. */
export function encodeHistogram(hist: Histogram, out: number[] = []): number[] {
  const bins = [...hist.keys()].sort((a, b) => a - b);
  writeVarint(out, bins.length);
  for (const bin of bins) {
    writeVarint(out, bin);
    writeVarint(out, hist.get(bin)!);
  }
  return out;
}

/** Decodes what encodeHistogram wrote at `pos.i`, moving it on; adds into `into` when given. */
export function decodeHistogram(buf: Uint8Array, pos: { i: number }, into: Histogram = new Map()): Histogram {
  const n = readVarint(buf, pos);
  for (let k = 0; k < n; k++) {
    const bin = readVarint(buf, pos);
    const count = readVarint(buf, pos);
    into.set(bin, (into.get(bin) ?? 0) + count);
  }
  return into;
}

/** The q-quantile (0–1) of the durations counted; null for an empty histogram. */
export function percentile(hist: Histogram, q: number): number | null {
  let total = 0;
  for (const count of hist.values()) total += count;
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bin of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(bin)!;
    if (seen >= rank) return Math.round(binValue(bin) * 10) / 10;
  }
  return null;
}
