/**
 * log-scrollback: does a smaller default scrollback shorten the GC pauses that stretch long
 * frames while a Logs pane takes a flood? The pane's store and xterm's buffer both keep
 * `scrollback` lines; fewer lines kept is less for V8 to mark and move, but the lines still
 * arrive, are parsed and are thrown away at the same rate.
 *
 * The rig is the Logs end-to-end one (keychain, sshd in front of podman, the app in browser mode,
 * real Chromium) and the container is log-pipeline's: quiet until told, then `seq` lines of about
 * 90 bytes. For each scrollback value (BENCH_SCROLLBACKS, default 20,000, 10,000, 5,000, 2,000) a
 * fresh browser context opens the Logs area on a saved layout with that scrollback, and the same
 * BENCH_BURST-line burst (100,000) and BENCH_DUMP-line dump (1,000,000) go into its pane, after
 * an unmeasured 20,000 lines (the page's code warmed up, the buffers full). Per value and phase:
 *  - GC pauses on the page's main thread, from a Chrome DevTools Protocol trace of V8's GC
 *    category (every GC scope on the renderer's main thread; nested and back-to-back scopes
 *    make one pause): the longest single pause (its wall time, what stretches a frame, and the
 *    thread's CPU time in it, what is left once the machine's preemption is taken out), their
 *    total and their count;
 *  - the longest long animation frame (PerformanceObserver "long-animation-frame");
 *  - the CPU of Chromium's page process and its other processes (from /proc), and how many lines
 *    the feed skipped (newer ones would have pushed them out of the buffer unseen);
 *  - after the dump, the page's JS heap once garbage is collected (what the pane retains).
 * BENCH_ROUNDS (3) repeats the whole sweep, its order reversed every other round, and takes the
 * median per value.
 *
 * Last line: `log-scrollback ratio=<20,000's longest GC pause / the default's> goal=1`, the
 * default being pane-config.ts's DEFAULT_SCROLLBACK (a ratio of two figures from this run,
 * never an absolute time). Exits 1 when the default's longest pause is longer than 20,000's.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { cpuBetween, sampleCpu, type CpuSample } from '../support/process-cpu';
import { waitFor } from '../support/keyring';
import { recordPageErrors } from '../support/browser';
import { addDockerTarget, invoke, startLogsRig, type LogsRig } from '../e2e/logs-support';
import { settingKey, LAYOUT_VERSION } from '../../renderer/src/areas/logs/layout';
import { DEFAULT_SCROLLBACK, defaultPaneConfig } from '../../renderer/src/areas/logs/pane-config';
import { fmt, median } from './bench-support';

const BASELINE = 20_000;
const GOAL = 1;
const BURST = Number(process.env.BENCH_BURST ?? 100_000);
const DUMP = Number(process.env.BENCH_DUMP ?? 1_000_000);
/** Lines drawn before measuring: the largest scrollback's worth, so every buffer is full. */
const WARM_UP = 20_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCROLLBACKS = (process.env.BENCH_SCROLLBACKS ?? '20000,10000,5000,2000').split(',').map(Number);
const PADDING = ' lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incid';
const CONTAINER = 'bench-scrollback';
/** GC scopes closer than this on the main thread are one pause (a scavenge and its epilogue). */
const SAME_PAUSE_US = 50;

interface Phase {
  longestPauseMs: number;
  /** The main thread's CPU time within the longest pause: the pause without the machine's preemption. */
  longestPauseCpuMs: number;
  longestPauseKind: string;
  totalPauseMs: number;
  pauses: number;
  longestFrameMs: number;
  pageCpu: number;
  otherCpu: number;
  seconds: number;
  /** Lines the feed never wrote: newer ones would have pushed them out of the buffer unseen. */
  skipped: number;
}

interface ValueRun {
  burst: Phase;
  dump: Phase;
  heapAfterMb: number;
}

let round = 0;
/** Tells the container to print `lines` lines: the count in /tmp/n<round>, then /tmp/go<round>. */
async function print(rig: LogsRig, lines: number): Promise<void> {
  round++;
  await rig.podman.cli(['exec', CONTAINER, 'sh', '-c', `echo ${lines} > /tmp/n${round} && echo > /tmp/go${round}`]);
}

interface GcPauses {
  /** Wall time of the longest pause, and the main thread's CPU time in it (milliseconds). */
  longest: number;
  longestCpu: number;
  /** The outermost GC scope of the longest pause (V8.GCScavenger, V8.GCFinalizeMC…). */
  longestKind: string;
  total: number;
  count: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** The event's own thread's CPU time, where the trace has it. */
  tdur?: number;
  args?: { name?: string };
}

/** Records V8's GC scopes until the returned function is called, which gives the main thread's pauses. */
async function traceGc(cdp: CDPSession): Promise<() => Promise<GcPauses>> {
  const events: TraceEvent[] = [];
  // The protocol types an event as a string map; these are the fields V8's trace events carry.
  const onData = ({ value }: { value: object[] }) => events.push(...(value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { recordMode: 'recordAsMuchAsPossible', includedCategories: ['disabled-by-default-v8.gc', '__metadata'] },
  });
  return async () => {
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', onData);
    const mainThreads = new Set(
      events
        .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
        .map((event) => `${event.pid}:${event.tid}`),
    );
    const spans = events
      .filter((event) => event.ph === 'X' && event.dur !== undefined && mainThreads.has(`${event.pid}:${event.tid}`))
      .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    // One pause: overlapping (nested) scopes and those a moment apart; its CPU is its outermost scopes' thread time.
    const pauses: { wall: number; cpu: number; kind: string }[] = [];
    let start = -Infinity;
    let end = -Infinity;
    let cpu = 0;
    let kind = '';
    let kindDur = 0;
    for (const event of spans) {
      const to = event.ts + event.dur!;
      const own = event.tdur ?? event.dur!;
      if (event.ts > end + SAME_PAUSE_US) {
        if (end > start) pauses.push({ wall: end - start, cpu, kind });
        start = event.ts;
        end = to;
        cpu = own;
        kind = event.name;
        kindDur = event.dur!;
        continue;
      }
      // A scope nested in one already counted adds no time of its own.
      if (to > end) cpu += own;
      if (event.dur! > kindDur) {
        kind = event.name;
        kindDur = event.dur!;
      }
      end = Math.max(end, to);
    }
    if (end > start) pauses.push({ wall: end - start, cpu, kind });
    const longest = pauses.reduce((best, pause) => (pause.wall > best.wall ? pause : best), { wall: 0, cpu: 0, kind: '' });
    return {
      longest: longest.wall / 1000,
      longestCpu: longest.cpu / 1000,
      longestKind: longest.kind,
      total: pauses.reduce((sum, pause) => sum + pause.wall, 0) / 1000,
      count: pauses.length,
    };
  };
}

/** CPU seconds of one group between two samples. */
function cpuOf(before: CpuSample, after: CpuSample, group: string): number {
  const match = new RegExp(`${group} ([\\d.]+) s`).exec(cpuBetween(before, after));
  return match ? Number(match[1]) : 0;
}

const PANE = `document.querySelector('[data-testid="log-pane-1"] .pane-terminal').logPane`;

/** Prints `lines` into the pane and waits until xterm has them all; what the page spent meanwhile. */
async function phase(rig: LogsRig, page: Page, cdp: CDPSession, lines: number): Promise<Phase> {
  const stopTrace = await traceGc(cdp);
  const measuring = page.evaluate(
    `(async ({ lines, timeoutMs }) => {
      const pane = ${PANE};
      const base = pane.stats();
      let longestFrameMs = 0;
      const frames = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longestFrameMs = Math.max(longestFrameMs, entry.duration);
      });
      frames.observe({ type: 'long-animation-frame' });
      let first;
      const started = performance.now();
      const done = await new Promise((resolve) => {
        const tick = (now) => {
          const stats = pane.stats();
          if (first === undefined && stats.received > base.received) first = now;
          if (stats.drawn - base.drawn >= lines) return resolve(now);
          if (performance.now() - started > timeoutMs) return resolve(undefined);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      frames.disconnect();
      if (done === undefined) throw new Error('timed out: ' + (pane.stats().drawn - base.drawn) + ' of ' + lines + ' lines drawn');
      return { seconds: (done - first) / 1000, longestFrameMs, skipped: pane.stats().skipped - base.skipped };
    })(${JSON.stringify({ lines, timeoutMs: 900_000 })})`,
  ) as Promise<{ seconds: number; longestFrameMs: number; skipped: number }>;
  // The page's observer is in place before the container prints.
  await page.evaluate(`new Promise((resolve) => requestAnimationFrame(() => resolve()))`);
  const before = sampleCpu();
  await print(rig, lines);
  const { seconds, longestFrameMs, skipped } = await measuring;
  const after = sampleCpu();
  const gc = await stopTrace();
  await waitForLastLine(page, lines);
  return {
    longestPauseMs: gc.longest,
    longestPauseCpuMs: gc.longestCpu,
    longestPauseKind: gc.longestKind,
    totalPauseMs: gc.total,
    pauses: gc.count,
    longestFrameMs,
    pageCpu: cpuOf(before, after, 'Chromium page'),
    otherCpu: cpuOf(before, after, 'Chromium other'),
    seconds,
    skipped,
  };
}

/** The pane's last row is the run's last line: nothing was lost on the way. */
async function waitForLastLine(page: Page, last: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = (await page.evaluate(`${PANE}.text()`)) as string[];
      return rows.at(-1)?.endsWith(`│ ${last}`) === true;
    },
    15_000,
    `the pane's last row is not line ${last}`,
  );
}

/** A fresh context on the Logs area of `targetId`, its one pane following the container with `scrollback`. */
async function openPane(
  rig: LogsRig,
  targetId: string,
  scrollback: number,
): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession }> {
  await invoke(rig.page, 'settings:set', {
    key: settingKey(targetId),
    value: {
      version: LAYOUT_VERSION,
      root: { kind: 'pane', id: 'bench', config: { ...defaultPaneConfig([`container:${CONTAINER}`]), scrollback } },
    },
  });
  const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  recordPageErrors(page, rig.pageErrors);
  await page.goto(rig.app.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.keyboard.press('Control+2');
  await page.locator('[data-testid="log-pane-1"] .pane-terminal').waitFor();
  // The follow is live once its tail (the warm-up's last lines) is drawn.
  await waitFor(
    async () => {
      const stats = (await page.evaluate(`${PANE}.stats()`)) as { drawn: number; pendingLines: number };
      return stats.drawn >= 1_000 && stats.pendingLines === 0;
    },
    30_000,
    'the pane did not draw the container tail',
  );
  return { context, page, cdp: await context.newCDPSession(page) };
}

async function measureValue(rig: LogsRig, targetId: string, scrollback: number): Promise<ValueRun> {
  const { context, page, cdp } = await openPane(rig, targetId, scrollback);
  try {
    // Unmeasured: the page's code warms up and the buffers fill, so what follows is a flood in steady state.
    await phase(rig, page, cdp, WARM_UP);
    const burst = await phase(rig, page, cdp, BURST);
    const dump = await phase(rig, page, cdp, DUMP);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return { burst, dump, heapAfterMb: usedSize / 1024 / 1024 };
  } finally {
    await context.close();
  }
}

function row(label: string, values: (string | number)[], widths: number[]): string {
  return [label.padEnd(widths[0]!), ...values.map((value, i) => String(value).padStart(widths[i + 1]!))].join('  ');
}

async function main() {
  if (!SCROLLBACKS.includes(BASELINE) || !SCROLLBACKS.includes(DEFAULT_SCROLLBACK)) {
    throw new Error(`BENCH_SCROLLBACKS must include ${fmt(BASELINE)} and the default, ${fmt(DEFAULT_SCROLLBACK)}.`);
  }
  const rig = await startLogsRig();
  try {
    const separator = `${PADDING}\n`;
    await rig.podman.run(
      CONTAINER,
      `trap "exit 0" TERM; k=1; while true; do while [ ! -e /tmp/go$k ]; do sleep 0.05; done; ` +
        `seq -s '${separator}' 1 $(cat /tmp/n$k); k=$((k+1)); done`,
    );
    // A tail for every pane to draw first, so each measurement starts on a live follow.
    await print(rig, 2_000);
    await rig.page.goto(rig.app.url);
    await rig.page.getByRole('heading', { name: 'Overview' }).waitFor();
    const targetId = await addDockerTarget(rig.page, rig, 'bench');

    const runs = new Map<number, ValueRun[]>(SCROLLBACKS.map((value) => [value, []]));
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? SCROLLBACKS : [...SCROLLBACKS].reverse();
      for (const scrollback of order) {
        const run = await measureValue(rig, targetId, scrollback);
        runs.get(scrollback)!.push(run);
        console.log(
          `round ${r + 1}, scrollback ${fmt(scrollback)}: longest GC pause ` +
            (['burst', 'dump'] as const)
              .map(
                (name) =>
                  `${name} ${run[name].longestPauseMs.toFixed(1)} ms (CPU ${run[name].longestPauseCpuMs.toFixed(1)} ms, ${run[name].longestPauseKind})`,
              )
              .join(', ') +
            `; heap after ${run.heapAfterMb.toFixed(1)} MB`,
        );
      }
    }

    const widths = [22, 11, 11, 11, 8, 12, 10, 10, 9, 9, 11];
    console.log('');
    console.log(
      row(
        'scrollback / phase',
        ['longest GC', '(its CPU)', 'total GC', 'pauses', 'longest LoAF', 'page CPU', 'other CPU', 'seconds', 'skipped', 'heap after'],
        widths,
      ),
    );
    const longest = new Map<number, number>();
    for (const scrollback of SCROLLBACKS) {
      const values = runs.get(scrollback)!;
      const m = (pick: (run: ValueRun) => number) => median(values.map(pick));
      longest.set(scrollback, m((run) => Math.max(run.burst.longestPauseMs, run.dump.longestPauseMs)));
      for (const name of ['burst', 'dump'] as const) {
        const lines = name === 'burst' ? BURST : DUMP;
        console.log(
          row(
            `${fmt(scrollback)} ${name} ${fmt(lines / 1000)}k`,
            [
              `${m((run) => run[name].longestPauseMs).toFixed(1)} ms`,
              `${m((run) => run[name].longestPauseCpuMs).toFixed(1)} ms`,
              `${fmt(m((run) => run[name].totalPauseMs))} ms`,
              fmt(m((run) => run[name].pauses)),
              `${fmt(m((run) => run[name].longestFrameMs))} ms`,
              `${m((run) => run[name].pageCpu).toFixed(2)} s`,
              `${m((run) => run[name].otherCpu).toFixed(2)} s`,
              m((run) => run[name].seconds).toFixed(2),
              fmt(m((run) => run[name].skipped)),
              name === 'dump' ? `${m((run) => run.heapAfterMb).toFixed(1)} MB` : '',
            ],
            widths,
          ),
        );
      }
    }
    if (rig.pageErrors.length) console.log(`page errors: ${rig.pageErrors.join(' | ')}`);
    const ratio = longest.get(BASELINE)! / longest.get(DEFAULT_SCROLLBACK)!;
    console.log(`default scrollback ${fmt(DEFAULT_SCROLLBACK)}; longest GC pause during the flood per value: ${SCROLLBACKS.map((value) => `${fmt(value)} ${longest.get(value)!.toFixed(1)} ms`).join(', ')}`);
    console.log(`log-scrollback ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    process.exitCode = ratio >= GOAL && !rig.pageErrors.length ? 0 : 1;
  } finally {
    await rig.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`log-scrollback: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(2);
});
