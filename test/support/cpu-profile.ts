/**
 * Reads a V8 CPU profile (`node --cpu-prof`, see APP_CPU_PROF_DIR in app.ts) into what a
 * benchmark prints: the top self-time entries and a few inclusive groups, over chosen windows of
 * the run only, with bundled code mapped back to its source file and line.
 *
 * Why windows: the host's profile covers its whole life (start-up, module loading, the setup of
 * the rig), while a benchmark wants the part where its measured work ran. Samples carry V8's
 * monotonic clock, which on Linux is the clock of `process.hrtime` in any process of the machine,
 * so a benchmark marks its windows with `monotonicMicros()` and passes them here.
 *
 * Why source maps: the host is one esbuild bundle (dist/main/host.cjs), where `host.cjs:6452`
 * names nothing; its .map (written beside it) turns that into `main/services/logs/log-cache.ts:441`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, in the generated file. */
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A frame as printed: its function and where it is in the source (mapped when a .map exists). */
export interface Frame {
  name: string;
  /** `main/services/logs/log-cache.ts`, `ssh2/lib/protocol/crypto.js`, `node:_http_client`; '' for V8's own entries. */
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
}

/** A part of the pipeline named by the frames that belong to it. */
export interface FrameGroup {
  name: string;
  matches(frame: Frame): boolean;
}

/** From and to, in microseconds of the monotonic clock (`monotonicMicros()`). */
export type ProfileWindow = readonly [number, number];

export interface TimedEntry {
  label: string;
  micros: number;
}

export interface ProfileSummary {
  /** Sampled time inside the windows, idle included. */
  sampledMicros: number;
  busyMicros: number;
  /** Busiest first; "(idle)" left out, "(garbage collector)" and "(program)" kept. */
  self: TimedEntry[];
  /** In the order the groups were given. */
  groups: TimedEntry[];
}

/** Now, on the clock a CPU profile's timestamps use. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The profiles `--cpu-prof` wrote into a folder: the event loop's first, then any worker thread's. */
export function profilesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; the event loop is thread 0.
  const thread = (name: string) => Number(name.split('.')[4] ?? 0);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort((a, b) => thread(a) - thread(b) || a.localeCompare(b))
    .map((name) => join(folder, name));
}

export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/** Source maps by generated file, read once; null where the file has none. */
const sourceMaps = new Map<string, { map: SourceMap; folder: string } | null>();

function sourceMapOf(path: string): { map: SourceMap; folder: string } | null {
  if (!sourceMaps.has(path)) {
    const mapPath = `${path}.map`;
    sourceMaps.set(
      path,
      existsSync(mapPath)
        ? {
            map: new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]),
            folder: dirname(mapPath),
          }
        : null,
    );
  }
  return sourceMaps.get(path)!;
}

/** Where a profile's call frame is in the source, relative to `root` (the repository). */
export function frameOf(callFrame: CallFrame, root: string): Frame {
  const name = callFrame.functionName || '(anonymous)';
  const { url } = callFrame;
  if (!url) return { name, file: '', line: 0 };
  if (!url.startsWith('file:')) return { name, file: url, line: callFrame.lineNumber + 1 };
  const path = fileURLToPath(url);
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1)
    return { name, file: path.slice(modules + '/node_modules/'.length), line: callFrame.lineNumber + 1 };
  const mapped = sourceMapOf(path);
  const entry = mapped?.map.findEntry(callFrame.lineNumber, callFrame.columnNumber);
  if (mapped && entry && 'originalSource' in entry) {
    const source = resolve(mapped.folder, entry.originalSource);
    return { name, file: relative(root, source), line: entry.originalLine + 1 };
  }
  return { name, file: relative(root, path), line: callFrame.lineNumber + 1 };
}

export function frameLabel(frame: Frame): string {
  if (!frame.file) return frame.name;
  return `${frame.name} ${frame.file}${frame.line ? `:${frame.line}` : ''}`;
}

/**
 * Self time per function and time per group, over the samples inside `windows` (all samples when
 * none are given). A sample counts for the innermost group on its stack, so the groups never
 * count the same time twice: a zod parse under a WebSocket send is zod's, the rest of the send
 * is the send's.
 */
export function summarizeProfile(
  profile: CpuProfile,
  options: { root: string; windows?: readonly ProfileWindow[]; groups?: readonly FrameGroup[]; top?: number },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frames = new Map<number, Frame>();
  const frame = (id: number) => {
    let found = frames.get(id);
    if (!found) frames.set(id, (found = frameOf(byId.get(id)!.callFrame, options.root)));
    return found;
  };
  const inWindow = (at: number) => !options.windows || options.windows.some(([from, to]) => at >= from && at <= to);

  // Time per sampled node first: a profile has far fewer nodes than samples.
  const perNode = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (!inWindow(at)) continue;
    // A sample's delta is the time before it; the next sample's delta is the time it stood for.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    perNode.set(profile.samples[i]!, (perNode.get(profile.samples[i]!) ?? 0) + micros);
  }

  const self = new Map<string, number>();
  const groups = new Map<string, number>((options.groups ?? []).map((group) => [group.name, 0]));
  let sampledMicros = 0;
  let idleMicros = 0;
  for (const [id, micros] of perNode) {
    sampledMicros += micros;
    const leaf = frame(id);
    if (leaf.name === '(idle)' && !leaf.file) {
      idleMicros += micros;
      continue;
    }
    const label = frameLabel(leaf);
    self.set(label, (self.get(label) ?? 0) + micros);
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const group = options.groups?.find((candidate) => candidate.matches(frame(node!)));
      if (group) {
        groups.set(group.name, groups.get(group.name)! + micros);
        break;
      }
    }
  }
  return {
    sampledMicros,
    busyMicros: sampledMicros - idleMicros,
    self: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.top ?? 15)
      .map(([label, micros]) => ({ label, micros })),
    groups: [...groups].map(([label, micros]) => ({ label, micros })),
  };
}

/** `  1.   689 ms  15.8%  (garbage collector)`: ms and share of the busy time. */
export function formatEntries(entries: readonly TimedEntry[], busyMicros: number, numbered: boolean): string[] {
  const width = Math.max(0, ...entries.map((entry) => (numbered ? 0 : entry.label.length)));
  return entries.map((entry, index) => {
    const ms = `${Math.round(entry.micros / 1000)} ms`.padStart(8);
    const share = `${busyMicros > 0 ? ((100 * entry.micros) / busyMicros).toFixed(1) : '0.0'}%`.padStart(6);
    return numbered
      ? `  ${`${index + 1}.`.padStart(3)} ${ms} ${share}  ${entry.label}`
      : `  ${entry.label.padEnd(width)} ${ms} ${share}`;
  });
}
