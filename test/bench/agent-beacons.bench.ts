/**
 * agent-beacons: a bounded burst of 20,000 browser beacons against the real agent process, sent
 * from a second process (50 concurrent keep-alive connections), while this process polls
 * `/api/ops/context` the whole time and samples the agent's memory (VmRSS from /proc).
 *
 * The agent runs from the esbuild bundle scripts/build.mjs ships, with podman's Docker API behind
 * it so the context has real containers to read. All beacons come from one address (127.0.0.1),
 * so the per-client rate limit is raised in the agent's configuration for this run
 * (beacon.ratePerMinute = 1,000,000); with the default (120 a minute) the burst would be a flood
 * and be refused with 429, which the integration tests check.
 *
 * Pass when every beacon was accepted (204), every context call answered (200, valid OpsContext)
 * and the agent's peak RSS stayed within the bound computed below. Last line:
 * `agent-beacons ratio=<accepted/sent> goal=1`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { OpsContext } from '../../shared/model/ops';
import { buildAgentServer } from '../../agent/build.mjs';
import { createToken } from '../../agent/cli';
import { composeLabels, startPodman } from '../support/podman';
import { stopProcess } from '../support/keyring';

const REPO_ROOT = resolve(__dirname, '..', '..');
const TOTAL = Number(process.env.BENCH_BEACONS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUTES = 40;
const PER_ROUTE = 500;
const MAX_ROUTES = 200;
const MAX_BYTES = 64 * 1024;
const MB = 1024 * 1024;

/** The sender: plain Node, its own process, so the agent and the load do not share an event loop. */
const SENDER = `
import http from 'node:http';
const [url, total, concurrency, routes] = process.argv.slice(2).map((v, i) => (i ? Number(v) : v));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const statuses = {};
let next = 0;
let done = 0;
let bytes = 0;
let accepted = 0;
// About 4 KB, like a minified bundle's stack with long URLs: big enough that keeping the burst in memory would show.
const stack = Array.from({ length: 30 }, (_, i) => '    at Object.frame' + i + ' (https://shop.example/assets/index-3f9a8c1d2e7b6a5f4c3d2e1f0a9b8c7d.js:' + (100 + i) + ':' + (1000 + i * 37) + ')').join('\\n');
function one(i) {
  const body = JSON.stringify({
    build_hash: 'bench-build', route: '/bench/route-' + (i % routes), message: 'TypeError: beacon ' + i + ' failed',
    stack: 'TypeError: beacon ' + i + ' failed\\n' + stack, browser: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156', ws_state: 'open', kind: 'onerror', count: 1,
  });
  bytes += Buffer.byteLength(body);
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode === 204) accepted++;
        // Tells the bench when half the burst is through, so it can compare the two halves' memory.
        if (++done === Math.floor(total / 2)) process.stdout.write('half\\n');
        resolve();
      });
    });
    req.on('error', (e) => { statuses[e.code ?? 'error'] = (statuses[e.code ?? 'error'] ?? 0) + 1; resolve(); });
    req.end(body);
  });
}
async function worker() { while (next < total) await one(next++); }
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
process.stdout.write(JSON.stringify({ sent: total, accepted, bytes, statuses, seconds: (performance.now() - started) / 1000 }) + '\\n');
`;

function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cr-bench-agent-'));
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', `agent-bench-${process.pid}`);
  const podman = await startPodman();
  const processes: ChildProcess[] = [];
  try {
    await Promise.all([
      podman.run('shop-web-1', 'trap "exit 0" TERM; while true; do echo web; sleep 1 & wait; done', composeLabels('shop', 'web')),
      podman.run('shop-api-1', 'trap "exit 0" TERM; while true; do echo api; sleep 1 & wait; done', composeLabels('shop', 'api')),
    ]);
    mkdirSync(cacheDir, { recursive: true });
    const bundle = await buildAgentServer({ outRoot: cacheDir, root: REPO_ROOT });
    const dataDir = join(dir, 'data');
    const { token } = createToken({ dataDir, scope: 'read', label: 'bench' });
    const configFile = join(dir, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        port: 0,
        dataDir,
        docker: { socket: podman.socketPath },
        migrations: { command: 'echo "12 applied, 0 pending"' },
        beacon: { ratePerMinute: 1_000_000, perRoute: PER_ROUTE, maxRoutes: MAX_ROUTES, maxBytes: MAX_BYTES },
      }),
    );

    const agent = spawn(process.execPath, [bundle, '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(agent);
    let agentOut = '';
    agent.stdout!.on('data', (c: Buffer) => (agentOut += c));
    agent.stderr!.on('data', (c: Buffer) => (agentOut += c));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(agentOut);
        if (match) {
          clearInterval(timer);
          resolveUrl(match[1]!);
        }
      }, 20);
      agent.once('exit', () => reject(new Error(`the agent exited: ${agentOut}`)));
    });
    const pid = agent.pid!;
    const headers = { authorization: `Bearer ${token}` };

    // Warm up (JIT, SQLite pages, the container cache), then take the baseline.
    for (let i = 0; i < 20; i++) await (await fetch(`${url}/api/ops/context`, { headers })).arrayBuffer();
    await new Promise((r) => setTimeout(r, 300));
    const baseline = rss(pid);
    let peak = baseline;
    let firstHalfPeak = 0;
    let secondHalfPeak = 0;
    let inSecondHalf = false;
    const sampler = setInterval(() => {
      const now = rss(pid);
      peak = Math.max(peak, now);
      if (inSecondHalf) secondHalfPeak = Math.max(secondHalfPeak, now);
      else firstHalfPeak = Math.max(firstHalfPeak, now);
    }, 50);

    const senderFile = join(dir, 'sender.mjs');
    writeFileSync(senderFile, SENDER);
    const sender = spawn(process.execPath, [senderFile, `${url}/api/ops/frontend-log`, String(TOTAL), String(CONCURRENCY), String(ROUTES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    processes.push(sender);
    let senderOut = '';
    sender.stdout!.on('data', (c: Buffer) => {
      senderOut += c;
      if (!inSecondHalf && senderOut.includes('half\n')) inSecondHalf = true;
    });
    let senderCode: number | null = null;
    const senderDone = new Promise<void>((r) => sender.once('exit', (code) => r(void (senderCode = code))));

    // Poll /context for as long as the burst lasts, one call after another.
    const latencies: number[] = [];
    const failures: string[] = [];
    let sending = true;
    void senderDone.then(() => (sending = false));
    while (sending) {
      const started = performance.now();
      try {
        const response = await fetch(`${url}/api/ops/context`, { headers });
        const body = OpsContext.parse(await response.json());
        if (response.status !== 200) failures.push(`HTTP ${response.status}`);
        else if (!body.docker.ok || !body.frontend.ok) failures.push(`a section failed: ${JSON.stringify(body.docker.ok ? body.frontend : body.docker)}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      latencies.push(performance.now() - started);
    }
    await senderDone;
    clearInterval(sampler);
    peak = Math.max(peak, rss(pid));
    if (senderCode !== 0) throw new Error(`the sender process failed (exit code ${senderCode})`);
    secondHalfPeak = Math.max(secondHalfPeak, rss(pid));
    const result = JSON.parse(senderOut.replace('half\n', '')) as { sent: number; accepted: number; bytes: number; statuses: Record<string, number>; seconds: number };

    // What the agent may hold in memory for beacons, whatever their number:
    //  - one record per route (count, newest id; route text up to 2 KB, UTF-16): maxRoutes × 4.2 KB
    //  - the requests in flight: concurrency × maxBytes, counted three times (raw, string, parsed)
    //  - SQLite's page cache for the connection (the default cache_size, 2,000 KiB)
    //  - the audit queue between flushes (≤ one 250 ms tick of rows at 400 B) and the rate limiter's LRU (5,000 × 200 B)
    //  - V8's young generation, which fills with garbage before it is collected: 3 × 16 MB semi-spaces
    //    on Node 20 (what RSS grows by under any steady load), and 8 MB for the old generation's growth
    // Beside it, the burst itself: keeping the beacons would cost at least their bytes, printed below.
    const routesBytes = MAX_ROUTES * 4.2 * 1024;
    const inflight = CONCURRENCY * MAX_BYTES * 3;
    const sqliteCache = 2_000 * 1024;
    const auditQueue = Math.ceil((result.accepted / result.seconds) * 0.25) * 400;
    const limiter = 5_000 * 200;
    const v8 = 3 * 16 * MB + 8 * MB;
    const bound = baseline + routesBytes + inflight + sqliteCache + auditQueue + limiter + v8;
    const burstBytes = result.bytes;
    // And it must not grow with the number of beacons: the second half of the burst may not need
    // more than the first (retaining them would add half the burst's bytes).
    const halvesOk = secondHalfPeak - firstHalfPeak <= 8 * MB;

    const db = new Database(join(dataDir, 'agent.sqlite'), { readonly: true });
    const rows = (db.prepare('SELECT count(*) AS n FROM frontend_errors').get() as { n: number }).n;
    const maxPerRoute = (db.prepare('SELECT max(n) AS n FROM (SELECT count(*) AS n FROM frontend_errors GROUP BY route)').get() as { n: number }).n;
    db.close();
    const expectedRows = Math.min(PER_ROUTE, Math.ceil(TOTAL / ROUTES)) * ROUTES;

    const ratio = result.accepted / result.sent;
    const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
    console.log(`agent-beacons: ${result.sent} beacons from a second process (${CONCURRENCY} keep-alive connections, ${ROUTES} routes) in ${result.seconds.toFixed(2)} s`);
    console.log(`beacons accepted: ${result.accepted}/${result.sent} (${Math.round(result.accepted / result.seconds)} beacons/s), statuses ${JSON.stringify(result.statuses)}`);
    console.log(
      `context during the burst: ${latencies.length} calls, ${failures.length} failed; p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
    );
    if (failures.length) console.log(`context failures: ${[...new Set(failures)].slice(0, 5).join(' | ')}`);
    console.log(
      `agent memory (VmRSS): baseline ${mb(baseline)}, peak ${mb(peak)} (+${mb(peak - baseline)}), bound ${mb(bound)} (+${mb(bound - baseline)}); keeping the burst would take ≥ ${mb(burstBytes)}`,
    );
    console.log(`memory by half of the burst: first ${mb(firstHalfPeak)}, second ${mb(secondHalfPeak)} (${secondHalfPeak >= firstHalfPeak ? '+' : ''}${mb(secondHalfPeak - firstHalfPeak)}, allowed +8.0 MB)`);
    console.log(`ring buffer on disk: ${rows} rows (expected ${expectedRows}; at most ${maxPerRoute} per route, bound ${PER_ROUTE})`);
    const memoryOk = peak <= bound && halvesOk;
    const diskOk = rows === expectedRows && maxPerRoute <= PER_ROUTE;
    if (!memoryOk) console.log('FAIL: the agent\'s memory went past the ring-buffer bound.');
    if (!diskOk) console.log('FAIL: the ring buffer did not hold exactly the last 500 per route.');
    console.log(`agent-beacons ratio=${ratio.toFixed(4)} goal=1`);
    process.exitCode = ratio < 1 || failures.length > 0 || !memoryOk || !diskOk ? 1 : 0;
  } finally {
    for (const child of processes) await stopProcess(child);
    await podman.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  console.log('agent-beacons ratio=0 goal=1');
  process.exit(1);
});
