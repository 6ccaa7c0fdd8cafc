/**
 * A probe's history as a uPlot chart: uptime as bars per bucket (an hour for 24 h and 7 d, a day
 * for 30 d and 365 d) on the right-hand percent scale, latency p50 and p95 as lines on the left.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryBucket, HistoryRange } from '../../../../shared/model/probe';
import { formatLatency } from './probe-status';

const AXIS = '#8b97a6';
const GRID = 'rgba(48, 58, 71, 0.6)';
const OK = '#3fb68b';
const P50 = '#6ea8fe';
const P95 = '#e7a740';

function toData(buckets: HistoryBucket[]): uPlot.AlignedData {
  const xs: number[] = [];
  const uptime: (number | null)[] = [];
  const p50: (number | null)[] = [];
  const p95: (number | null)[] = [];
  for (const bucket of buckets) {
    xs.push(Date.parse(bucket.start) / 1000);
    const total = bucket.ok + bucket.warn + bucket.fail;
    uptime.push(total ? ((bucket.ok + bucket.warn) / total) * 100 : null);
    p50.push(bucket.p50Ms);
    p95.push(bucket.p95Ms);
  }
  return [xs, uptime, p50, p95];
}

function options(width: number, range: HistoryRange): uPlot.Options {
  const bars = uPlot.paths.bars!({ size: [0.7, 24], align: 0 });
  const daily = range === '30d' || range === '365d';
  const step = range === '1h' ? 60 : daily ? 86_400 : 3600;
  return {
    width,
    height: 220,
    cursor: { points: { size: 6 } },
    legend: { live: true },
    scales: {
      // Half a bucket of room at each end, so the first and last bars are drawn whole.
      x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
      pct: { range: [0, 100] },
      ms: { range: (_u, _min, max) => [0, Math.max(10, (max || 0) * 1.15)] },
    },
    axes: [
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1 },
        font: '11px system-ui, sans-serif',
      },
      {
        scale: 'ms',
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1 },
        font: '11px system-ui, sans-serif',
        size: 58,
        values: (_u, splits) => splits.map((v) => (v < 10 && v % 1 ? `${v.toFixed(1)} ms` : formatLatency(v))),
      },
      {
        scale: 'pct',
        side: 1,
        stroke: AXIS,
        grid: { show: false },
        ticks: { stroke: GRID, width: 1 },
        font: '11px system-ui, sans-serif',
        size: 46,
        values: (_u, splits) => splits.map((v) => `${v} %`),
      },
    ],
    series: [
      {
        label: daily ? 'Day' : 'Hour',
        value: (_u, v) =>
          v === null || v === undefined
            ? '—'
            : new Date(v * 1000).toLocaleString(
                undefined,
                daily ? { dateStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' },
              ),
      },
      {
        label: 'Uptime',
        scale: 'pct',
        stroke: OK,
        fill: 'rgba(63, 182, 139, 0.35)',
        width: 1,
        paths: bars,
        points: { show: false },
        value: (_u, v) => (v === null || v === undefined ? '—' : `${Math.floor(v * 100) / 100} %`),
      },
      {
        label: 'p50',
        scale: 'ms',
        stroke: P50,
        width: 2,
        spanGaps: false,
        value: (_u, v) => formatLatency(v),
      },
      {
        label: 'p95',
        scale: 'ms',
        stroke: P95,
        width: 1.5,
        dash: [5, 4],
        spanGaps: false,
        value: (_u, v) => formatLatency(v),
      },
    ],
  };
}

export function HistoryChart({
  buckets,
  range,
  label,
}: {
  buckets: HistoryBucket[];
  range: HistoryRange;
  label: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // A new chart per range (the bucket size and labels change); data updates reuse it.
  useEffect(() => {
    const element = holder.current!;
    const chart = new uPlot(options(Math.max(320, element.clientWidth), range), toData([]), element);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(320, element.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height: 220 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [range]);

  useEffect(() => {
    plot.current?.setData(toData(buckets));
  }, [buckets, range]);

  return <div ref={holder} className="history-chart" role="img" aria-label={label} data-testid="history-chart" />;
}

/** The last few durations as a small line, oldest to newest. */
export function Sparkline({ values, width = 96, height = 22 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2)
    return <span className="sparkline-empty muted">{values.length ? formatLatency(values[0]) : '—'}</span>;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = (width - 2) / (values.length - 1);
  const points = values
    .map((v, i) => `${(1 + i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`)
    .join(' ');
  const last = points.split(' ').at(-1)!.split(',');
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Latency of the last ${values.length} runs: ${formatLatency(min)} to ${formatLatency(max)}`}
    >
      <title>{`Last ${values.length} runs: ${formatLatency(min)} – ${formatLatency(max)}`}</title>
      <polyline
        points={points}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
      <circle cx={last[0]} cy={last[1]} r="2" fill="currentColor" />
    </svg>
  );
}
