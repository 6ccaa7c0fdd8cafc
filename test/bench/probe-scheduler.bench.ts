/**
 * probe-scheduler: 1,000 HTTP probes at a 20-second interval for 180 s through the app's own
 * probes service (the real scheduler, engine, http kind, conditions and probe store, in a temp
 * data directory), against a loopback server in a process of its own; and at the same time, as
 * the floor, a bare Node process issuing the same requests on the same schedule with `http.get`
 * and timers (a fresh connection per request, as the http kind makes), storing nothing.
 *
 * Ours is measured in this process: `process.cpuUsage()` over the window (this harness adds only
 * the onStart bookkeeping), lateness from the scheduler's onStart hook (when each run started
 * against when it was due), and bytes on disk per stored result: the growth of the database file
 * (its WAL folded in) and of the artifacts folder (disk blocks, which is what a small file costs)
 * from just after the probes were saved (their definitions are not results) to after the store's
 * final aggregate write (dispose), over the results stored; with the database's growth by table.
 * The floor reports its own CPU and lateness. Both share the two cores and the server, so machine
 * noise hits both alike.
 *
 * Uptime Kuma 2.5.3 on a machine like this: 100 % completed, lateness p99 40 ms, 7.9 CPU-seconds
 * per 1,000 checks, 146 bytes per stored result, RSS 284 MB.
 *
 * Last line: `probe-scheduler ratio=<floor CPU / ours CPU> goal=0.4`. Exit 1 when fewer than
 * 0.999 of the checks started within 100 ms of their due time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createServices, type Services } from '../../main/services';
import { DATABASE_FILE } from '../../main/services/store/database';
import { MemoryCredentialBackend } from '../../main/services/credentials/credential-backend';
import { PROBE_ARTIFACTS_DIR } from '../../main/services/probes/probes-service';
import { stopProcess } from '../support/keyring';

const GOAL = 0.4;
const ON_TIME_GOAL = 0.999;
const ON_TIME_MS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const PROBES = Number(process.env.BENCH_PROBES ?? 1_000);
const INTERVAL_S = 20;
const MB = 1024 * 1024;

/** The loopback server: a small JSON health answer, like most health endpoints. */
const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ status: 'UP', version: '1.4.2', checks: { db: 'ok', cache: 'ok' } });
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * The floor: the same N requests every interval, first ones spread over the interval, intervals
 * measured start to start, a fresh connection each, the body read and dropped. Reports when told
 * to stop (a line on stdin).
 */
const FLOOR = `
const http = require('node:http');
const [port, probes, intervalMs, seconds] = process.argv.slice(1).map(Number);
const start = Date.now() + 500;
const end = start + seconds * 1000;
const cpu0 = process.cpuUsage();
let due = 0, completed = 0, onTime = 0, failed = 0;
const lateness = [];
function fire(i, at) {
  if (at >= end) return;
  due++;
  const late = Date.now() - at;
  lateness.push(late);
  if (late <= ${ON_TIME_MS}) onTime++;
  const req = http.get({ host: '127.0.0.1', port, path: '/health?probe=' + i, agent: false }, (res) => {
    const ok = res.statusCode === 200;
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => { if (ok && text.includes('UP')) completed++; else failed++; });
  });
  req.setTimeout(10000, () => req.destroy());
  req.on('error', () => failed++);
  const next = at + intervalMs;
  setTimeout(() => fire(i, next), Math.max(0, next - Date.now()));
}
for (let i = 0; i < probes; i++) {
  const at = start + Math.floor((i * intervalMs) / probes);
  setTimeout(() => fire(i, at), at - Date.now());
}
setTimeout(() => {
  // A moment for the last requests to answer, then report.
  setTimeout(() => {
    const cpu = process.cpuUsage(cpu0);
    const rss = Number(/VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    lateness.sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ due, completed, onTime, failed, cpuSeconds: (cpu.user + cpu.system) / 1e6, rss, lateness }) + '\\n');
    process.exit(0);
  }, 1500);
}, end - Date.now());
`;

interface FloorReport {
  due: number;
  completed: number;
  onTime: number;
  failed: number;
  cpuSeconds: number;
  rss: number;
  lateness: number[];
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)));
  });
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Disk blocks (bytes) the files under `path` take, and how many files. */
function blocksUnder(path: string): { bytes: number; files: number } {
  const out = { bytes: 0, files: 0 };
  if (!existsSync(path)) return out;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) {
      const inner = blocksUnder(full);
      out.bytes += inner.bytes + statSync(full).blocks * 512;
      out.files += inner.files;
    } else {
      out.bytes += statSync(full).blocks * 512;
      out.files++;
    }
  }
  return out;
}

/** The database file's size once its WAL is folded in (the -shm index is not data), and its bytes by table. */
function databaseBytes(file: string): { bytes: number; tables: Map<string, number> } {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const tables = new Map<string, number>();
    for (const row of db
      .prepare("SELECT coalesce(m.tbl_name, s.name) AS name, sum(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1")
      .all() as { name: string; bytes: number }[])
      tables.set(row.name, row.bytes);
    return { bytes: statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0), tables };
  } finally {
    db.close();
  }
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-bench-probes-'));
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let services: Services | undefined;
  try {
    const port = Number(await firstLine(server));

    // The probes are saved by a process that does not run them (as opsctl would), then the app
    // opens the store and schedules all of them: the start-up a user with 1,000 probes has.
    const setup = createServices({ dataDir, credentials: new MemoryCredentialBackend(), probes: { background: false } });
    for (let i = 0; i < PROBES; i++) {
      await setup.probes.create({
        name: `bench ${i}`,
        scope: `service-${i % 20}`,
        provider: i % 2 ? 'primary' : 'replica',
        check: `bench.http.${i}`,
        kind: 'http',
        settings: { method: 'GET', url: `http://127.0.0.1:${port}/health?probe=${i}` },
        conditions: [
          { expression: '[STATUS] == 200', severity: 'fail' },
          { expression: '[BODY].status == UP', severity: 'fail' },
          { expression: '[RESPONSE_TIME] < 1000', severity: 'warn' },
        ],
        intervalSeconds: INTERVAL_S,
        timeoutSeconds: 10,
        retries: 0,
      });
    }
    setup.close();
    const dbFile = join(dataDir, DATABASE_FILE);
    const artifactsDir = join(dataDir, PROBE_ARTIFACTS_DIR);
    const dbBefore = databaseBytes(dbFile);
    const artifactsBefore = blocksUnder(artifactsDir);

    const floor = spawn(process.execPath, ['-e', FLOOR, String(port), String(PROBES), String(INTERVAL_S * 1000), String(SECONDS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const floorReport = firstLine(floor).then((line) => JSON.parse(line) as FloorReport);

    services = createServices({ dataDir, credentials: new MemoryCredentialBackend() });
    const lateness: number[] = [];
    const firstDue = new Map<string, number>();
    let onTime = 0;
    const windowStart = Date.now();
    const windowEnd = windowStart + SECONDS * 1000;
    const cpu0 = process.cpuUsage();
    let started = 0;
    services.probes.onRunStart(({ probeId, dueAt, startedAt }) => {
      if (dueAt >= windowEnd) return;
      started++;
      if (!firstDue.has(probeId)) firstDue.set(probeId, dueAt);
      const late = startedAt - dueAt;
      lateness.push(late);
      if (late <= ON_TIME_MS) onTime++;
    });
    services.probes.start();
    await new Promise((resolve) => setTimeout(resolve, windowEnd - Date.now()));
    // Runs due inside the window and still in flight finish before the CPU is read.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const cpu = process.cpuUsage(cpu0);
    const oursCpu = (cpu.user + cpu.system) / 1e6;
    const oursRss = peakRss();
    services.probes.dispose();

    // Due: every probe from its first due time on, one each interval, before the window's end.
    let due = 0;
    for (const summary of services.probes.list()) {
      const first = firstDue.get(summary.probe.id);
      due += first === undefined ? Math.floor(SECONDS / INTERVAL_S) : Math.ceil((windowEnd - first) / (INTERVAL_S * 1000));
    }
    let completed = 0;
    let okResults = 0;
    let stored = 0;
    for (const summary of services.probes.list()) {
      const results = services.probes.results(summary.probe.id, { limit: 1000 });
      stored += results.length;
      for (const result of results) {
        if (Date.parse(result.startedAt) < windowEnd && !result.interrupted) completed++;
        if (result.status !== 'fail') okResults++;
      }
    }
    services.close();
    services = undefined;
    const dbAfter = databaseBytes(dbFile);
    const artifactsAfter = blocksUnder(artifactsDir);
    const perResult = (bytes: number) => (bytes / Math.max(1, stored)).toFixed(0);
    const dbGrowth = dbAfter.bytes - dbBefore.bytes;
    const artifactGrowth = artifactsAfter.bytes - artifactsBefore.bytes;
    const byTable = [...dbAfter.tables]
      .map(([name, bytes]) => [name, bytes - (dbBefore.tables.get(name) ?? 0)] as const)
      .filter(([, bytes]) => bytes !== 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, bytes]) => `${name} ${perResult(bytes)}`)
      .join(', ');
    const f = await floorReport;
    lateness.sort((a, b) => a - b);
    const oursPer1000 = (oursCpu / Math.max(1, completed)) * 1000;
    const floorPer1000 = (f.cpuSeconds / Math.max(1, f.completed)) * 1000;
    const fraction = onTime / Math.max(1, due);
    const ratio = floorPer1000 / oursPer1000;

    console.log(`probe-scheduler: ${PROBES} http probes every ${INTERVAL_S} s for ${SECONDS} s against a loopback server in its own process`);
    console.log(`ours:  checks due ${due}, started ${started}, completed ${completed} (${okResults} ok or warn), stored ${stored}`);
    console.log(`floor: checks due ${f.due}, completed ${f.completed}, failed ${f.failed}`);
    console.log(
      `started within ${ON_TIME_MS} ms of due: ours ${fraction.toFixed(4)} (goal ≥ ${ON_TIME_GOAL}), floor ${(f.onTime / Math.max(1, f.due)).toFixed(4)}`,
    );
    console.log(
      `lateness p50/p99: ours ${quantile(lateness, 0.5).toFixed(1)}/${quantile(lateness, 0.99).toFixed(1)} ms, floor ${quantile(f.lateness, 0.5)}/${quantile(f.lateness, 0.99)} ms`,
    );
    console.log(`CPU-seconds per 1,000 checks: ours ${oursPer1000.toFixed(3)}, floor ${floorPer1000.toFixed(3)} (Uptime Kuma: 7.9)`);
    console.log(`peak RSS: ours ${(oursRss / MB).toFixed(0)} MB, floor ${(f.rss / MB).toFixed(0)} MB (Uptime Kuma: 284 MB)`);
    console.log(
      `bytes on disk per stored result: ${perResult(dbGrowth + artifactGrowth)} (Uptime Kuma: 146): ` +
        `database ${perResult(dbGrowth)}, artifacts ${perResult(artifactGrowth)} ` +
        `(${artifactsAfter.files - artifactsBefore.files} response-body files, ${stored} results)`,
    );
    console.log(`database growth per stored result by table: ${byTable}`);
    console.log(`probe-scheduler ratio=${ratio.toFixed(3)} goal=${GOAL}`);
    if (fraction < ON_TIME_GOAL) process.exitCode = 1;
  } finally {
    services?.close();
    await stopProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
