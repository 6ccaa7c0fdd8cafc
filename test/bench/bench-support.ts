/**
 * What the benchmarks share: medians and percentiles, readable numbers, and insert rounds that
 * alternate ours with a plain baseline so both see the same machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export interface AlternatingRounds {
  /** A folder for temporary databases; each round gets its own, removed after it. */
  root: string;
  rounds: number;
  /** Rows per second into a fresh folder: our path, and the plain baseline. */
  ours(dir: string, warmUp: boolean): number;
  plain(dir: string, warmUp: boolean): number;
  /** "lines", "results": what a rate counts, for the per-round line. */
  unit: string;
}

/**
 * One unmeasured round each (so neither side pays for the JIT warming up), then `rounds` rounds
 * alternating which side goes first. Each round's two runs are next to each other in time: their
 * ratio cancels slow drifts in machine load, and the median of those ratios ignores a round a
 * neighbour disturbed.
 */
export function alternatingRounds({ root, rounds, ours, plain, unit }: AlternatingRounds): {
  oursRates: number[];
  plainRates: number[];
  ratio: number;
} {
  const warm = mkdtempSync(join(root, 'warm-'));
  ours(warm, true);
  plain(warm, true);
  rmSync(warm, { recursive: true, force: true });
  const oursRates: number[] = [];
  const plainRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const dir = mkdtempSync(join(root, `round-${round}-`));
    if (round % 2 === 0) {
      oursRates.push(ours(dir, false));
      plainRates.push(plain(dir, false));
    } else {
      plainRates.push(plain(dir, false));
      oursRates.push(ours(dir, false));
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`round ${round + 1}: ours ${fmt(oursRates.at(-1)!)} ${unit}/s, plain ${fmt(plainRates.at(-1)!)} ${unit}/s`);
  }
  return { oursRates, plainRates, ratio: median(oursRates.map((rate, i) => rate / plainRates[i]!)) };
}
