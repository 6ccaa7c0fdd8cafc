/**
 * `opsctl bundle`: support bundles from a terminal, through the contract like every command.
 *
 *   opsctl bundle --target T [--since 1h | --around TIME [--minutes 15] | --since-deploy] [--exclude logs,...]
 *   opsctl bundle --agent --target T           the agent's own bundle (gzipped JSON) of an ops API target
 *   opsctl bundle diff A B                     two bundle files: what changed (JSON; --plain a summary)
 *   opsctl bundle redact IN OUT                IN re-redacted with today's rules and keychain secrets
 *
 * An export is the app's: `bundles:export` writes it into the bundles folder (where the Bundles
 * area lists it), opsctl follows `bundles:progress` until it settles, then streams the file out
 * with `bundles:read` a chunk at a time — a bundle over gigabytes of logs never sits in memory.
 * Files on disk (diff, redact) are uploaded with `bundles:importBegin/Write/End`, which checks
 * them as opening one in the app does; those copies are removed again when the command ends.
 */
import { createReadStream, realpathSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ApiError } from '../../shared/errors';
import { BUNDLE_SECTIONS, type BundleDiff, type BundleFile, type BundleSectionId, type BundleWindowInput, type ExportProgress } from '../../shared/model/bundle';
import type { Target } from '../../shared/model/target';
import type { ControlRoomApi } from '../../shared/transport';
import { UsageError } from './session';

export interface BundleCommandOptions {
  since?: string | undefined;
  around?: string | undefined;
  minutes?: string | undefined;
  'since-deploy'?: boolean | undefined;
  exclude?: string | undefined;
  out?: string | undefined;
  agent?: boolean | undefined;
  plain: boolean;
}

export interface BundleIo {
  out: (text: string) => void;
  outBytes: (bytes: Buffer) => void;
  err: (text: string) => void;
  stdoutIsTty: boolean;
  /** Progress lines go to stderr only for a person watching it. */
  stderrIsTty: boolean;
  /** Ctrl+C: cancels a running export (its partial file removed). */
  stop: AbortSignal;
  /** The target named with --target (or the only one). */
  target: () => Promise<Target>;
}

/** Raw bytes per `bundles:importWrite` (base64 of it stays under the channel's 1,000,000 chars). */
const UPLOAD_CHUNK = 512 * 1024;

export async function bundleCommand(api: ControlRoomApi, positionals: string[], options: BundleCommandOptions, io: BundleIo): Promise<number> {
  const [sub, ...rest] = positionals;
  switch (sub) {
    case undefined:
      return options.agent ? agentBundle(api, options, io) : exportBundle(api, options, io);
    case 'diff': {
      const [a, b] = rest;
      if (!a || !b || rest.length > 2) throw new UsageError('Name two bundle files: opsctl bundle diff A B.');
      const diff = await withImported(api, [a, b], ([ia, ib]) => api.invoke('bundles:diff', { a: ia!.id, b: ib!.id }));
      if (options.plain) plainDiff(diff).forEach((line) => io.out(line));
      else io.out(JSON.stringify(diff, null, 2));
      return 0;
    }
    case 'redact': {
      const [input, output] = rest;
      if (!input || !output || rest.length > 2) throw new UsageError('Name the bundle and where to write the new one: opsctl bundle redact IN OUT.');
      if (samePath(input, output)) throw new UsageError('OUT is IN: re-redacting writes a new file and never overwrites the original; name another OUT.');
      const written = await withImported(api, [input], async ([imported]) => {
        const redacted = await api.invoke('bundles:redact', { id: imported!.id });
        try {
          return await saveTo(api, redacted, output);
        } finally {
          await api.invoke('bundles:delete', { id: redacted.id }).catch(() => undefined);
        }
      });
      if (options.plain) io.out(`Wrote ${written} bytes to ${output}.`);
      else io.out(JSON.stringify({ file: resolve(output), bytes: written }, null, 2));
      return 0;
    }
    default:
      throw new UsageError(`Unknown bundle command "${sub}": use opsctl bundle --target T, bundle diff A B or bundle redact IN OUT.`);
  }
}

/** The window the options ask for; none of them: the last hour. */
export function windowOf(options: BundleCommandOptions): BundleWindowInput {
  const chosen = [options.since !== undefined, options.around !== undefined, Boolean(options['since-deploy'])].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('Choose one window: --since, --around or --since-deploy.');
  if (options.minutes !== undefined && options.around === undefined) throw new UsageError('--minutes goes with --around TIME.');
  if (options['since-deploy']) return { mode: 'since-deploy' };
  if (options.around !== undefined) {
    // The app reads the time (ISO, or HH:MM today) and words a bad one.
    const at = options.around.trim();
    if (!at || at.length > 40) throw new UsageError('--around takes a time, like 2026-03-01T14:05:00Z or 14:05.');
    const minutes = options.minutes === undefined ? 15 : Number(options.minutes);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) throw new UsageError('--minutes takes a whole number from 1 to 1440.');
    return { mode: 'around', at, minutes };
  }
  if (options.since === undefined) return { mode: 'last', minutes: 60 };
  const match = /^(\d+)\s*(m|h|d)$/.exec(options.since.trim());
  const minutes = match ? Number(match[1]) * { m: 1, h: 60, d: 24 * 60 }[match[2] as 'm' | 'h' | 'd'] : NaN;
  if (!(minutes >= 1 && minutes <= 30 * 24 * 60)) throw new UsageError('--since takes a duration from 1m to 30d, like 45m, 1h or 2d.');
  return { mode: 'last', minutes };
}

/** `--exclude logs,audit`: section ids, each one known. */
export function excludedSections(value: string | undefined): BundleSectionId[] {
  if (value === undefined) return [];
  const ids = value.split(',').map((part) => part.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(BUNDLE_SECTIONS as readonly string[]).includes(id));
  if (unknown.length) throw new UsageError(`--exclude takes sections (${BUNDLE_SECTIONS.join(', ')}); not ${unknown.join(', ')}.`);
  return [...new Set(ids)] as BundleSectionId[];
}

async function exportBundle(api: ControlRoomApi, options: BundleCommandOptions, io: BundleIo): Promise<number> {
  if (!options.out && io.stdoutIsTty) throw new UsageError('The bundle is binary: redirect it (opsctl bundle > bundle.tar.gz) or use --out FILE.');
  const window = windowOf(options);
  const exclude = excludedSections(options.exclude);
  const target = await io.target();
  const settled = await followExport(api, { targetId: target.id, window, exclude }, io);
  if (settled.state !== 'done' || !settled.bundle) {
    if (settled.state === 'canceled') throw new ApiError('internal', 'The export was canceled; no bundle was written.');
    throw new ApiError('internal', settled.message || 'The export failed; no bundle was written.');
  }
  const bytes = options.out ? await saveTo(api, settled.bundle, options.out) : await streamTo(api, settled.bundle, io.outBytes);
  if (options.out || io.stderrIsTty) io.err(`Wrote ${bytes} bytes${options.out ? ` to ${options.out}` : ''} (${settled.bundle.id}, also in the app's Bundles area).`);
  return 0;
}

/**
 * Starts the export and resolves with its last progress. The subscription is made first so an
 * export that settles at once is not missed; Ctrl+C asks the app to cancel it.
 */
async function followExport(
  api: ControlRoomApi,
  request: { targetId: string; window: BundleWindowInput; exclude: BundleSectionId[] },
  io: BundleIo,
): Promise<ExportProgress> {
  let exportId: string | undefined;
  const early: ExportProgress[] = [];
  let settle: (progress: ExportProgress) => void = () => undefined;
  const settledPromise = new Promise<ExportProgress>((resolvePromise) => (settle = resolvePromise));
  let lastLine = '';
  const consider = (progress: ExportProgress) => {
    if (!exportId) {
      early.push(progress);
      return;
    }
    if (progress.exportId !== exportId) return;
    if (io.stderrIsTty) {
      const line = `${Math.round(progress.fraction * 100)}% ${progress.message}`;
      if (line !== lastLine) io.err((lastLine = line));
    }
    if (progress.state !== 'running') settle(progress);
  };
  const unsubscribe = await api.subscribe('bundles:progress', {}, consider);
  const onStop = () => {
    if (exportId) api.invoke('bundles:cancelExport', { exportId }).then(consider, () => undefined);
  };
  try {
    const started = await api.invoke('bundles:export', request);
    exportId = started.exportId;
    consider(started);
    early.splice(0).forEach(consider);
    if (io.stop.aborted) onStop();
    io.stop.addEventListener('abort', onStop, { once: true });
    return await settledPromise;
  } finally {
    io.stop.removeEventListener('abort', onStop);
    unsubscribe();
  }
}

/** Reads a bundle of the app's folder chunk by chunk into `write`; resolves with its size. */
async function streamTo(api: ControlRoomApi, bundle: BundleFile, write: (bytes: Buffer) => void | Promise<void>): Promise<number> {
  let offset = 0;
  for (;;) {
    const chunk = await api.invoke('bundles:read', { id: bundle.id, offset });
    const bytes = Buffer.from(chunk.base64, 'base64');
    if (bytes.length) await write(bytes);
    offset += bytes.length;
    if (chunk.eof || !bytes.length) return offset;
  }
}

/** Writes a bundle of the app's folder to `file`; a failure leaves no half-written file. */
async function saveTo(api: ControlRoomApi, bundle: BundleFile, file: string): Promise<number> {
  const handle = await open(file, 'w');
  try {
    const bytes = await streamTo(api, bundle, async (chunk) => {
      await handle.write(chunk);
    });
    await handle.close();
    return bytes;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
}

/** Uploads files on disk as the app opens them, runs `use`, then removes the uploaded copies. */
async function withImported<T>(api: ControlRoomApi, files: string[], use: (imported: BundleFile[]) => Promise<T>): Promise<T> {
  const imported: BundleFile[] = [];
  try {
    for (const file of files) imported.push(await importFile(api, file));
    return await use(imported);
  } finally {
    for (const bundle of imported) await api.invoke('bundles:delete', { id: bundle.id }).catch(() => undefined);
  }
}

async function importFile(api: ControlRoomApi, file: string): Promise<BundleFile> {
  const stream = createReadStream(file, { highWaterMark: UPLOAD_CHUNK });
  const opened = new Promise<void>((resolveOpen, reject) => {
    stream.once('open', () => resolveOpen());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('not-found', `There is no file ${file}.`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a folder; name a bundle file.`);
    throw new ApiError('invalid-request', `${file} cannot be read (${code ?? String(error)}).`);
  }
  const { uploadId } = await api.invoke('bundles:importBegin', { name: basename(file) });
  try {
    for await (const chunk of stream) await api.invoke('bundles:importWrite', { uploadId, base64: (chunk as Buffer).toString('base64') });
  } catch (error) {
    stream.destroy();
    await api.invoke('bundles:importEnd', { uploadId, abort: true }).catch(() => undefined);
    throw error;
  }
  const { bundle } = await api.invoke('bundles:importEnd', { uploadId, abort: false });
  if (!bundle) throw new ApiError('invalid-request', `${file} was not kept as a bundle.`);
  return bundle;
}

/** The agent's own bundle of an ops API target (`opsapi:supportBundle`), gzipped JSON. */
async function agentBundle(api: ControlRoomApi, options: BundleCommandOptions, io: BundleIo): Promise<number> {
  if (!options.out && io.stdoutIsTty) throw new UsageError('The bundle is binary: redirect it (opsctl bundle --agent > bundle.json.gz) or use --out FILE.');
  const target = await io.target();
  if (target.kind !== 'ops-api') throw new UsageError(`${target.name} is a Docker target; --agent needs an ops API target.`);
  const bytes = Buffer.from((await api.invoke('opsapi:supportBundle', { targetId: target.id })).gzipBase64, 'base64');
  if (options.out) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(options.out, bytes);
    io.err(`Wrote ${bytes.length} bytes to ${options.out}.`);
  } else {
    io.outBytes(bytes);
  }
  return 0;
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/** A diff for people: one line per change, grouped as the Bundles screen groups them. */
export function plainDiff(diff: BundleDiff): string[] {
  const lines = [`${diff.a.id} (${diff.a.created}) → ${diff.b.id} (${diff.b.created})`];
  if (diff.same) return [...lines, 'Nothing changed.'];
  const show = (value: string | number | null) => (value === null ? '—' : String(value));
  if (diff.deployedSha && diff.deployedSha.before !== diff.deployedSha.after) lines.push(`Deployed SHA: ${show(diff.deployedSha.before)} → ${show(diff.deployedSha.after)}`);
  for (const image of diff.images) {
    lines.push(`Image ${image.service}: ${show(image.before)} → ${show(image.after)}${image.digestBefore !== image.digestAfter ? ` (digest ${show(image.digestBefore)} → ${show(image.digestAfter)})` : ''}`);
  }
  for (const name of diff.containers.added) lines.push(`Container added: ${name}`);
  for (const name of diff.containers.removed) lines.push(`Container removed: ${name}`);
  for (const c of diff.containers.restarted) lines.push(`Container restarted: ${c.name} (restarts ${show(c.before)} → ${show(c.after)})`);
  for (const c of diff.containers.health) lines.push(`Health of ${c.name}: ${show(c.before)} → ${show(c.after)}`);
  for (const m of diff.migrations?.added ?? []) lines.push(`Migration added: ${m}`);
  for (const m of diff.migrations?.removed ?? []) lines.push(`Migration removed: ${m}`);
  for (const p of diff.probes) lines.push(`Probe ${p.probe}: ${show(p.before)} → ${show(p.after)}`);
  for (const e of diff.errors) {
    lines.push(`Errors in ${e.service}: ${e.ratePerMinBefore.toFixed(2)}/min → ${e.ratePerMinAfter.toFixed(2)}/min`);
    for (const m of e.newMessages) lines.push(`  new (${m.count}×): ${m.message}`);
  }
  for (const f of diff.frontendErrors.new) lines.push(`Frontend error new (${f.count}×): ${f.message}`);
  for (const f of diff.frontendErrors.gone) lines.push(`Frontend error gone (${f.count}×): ${f.message}`);
  for (const c of diff.config) lines.push(`Config ${c.key}: ${show(c.before)} → ${show(c.after)}`);
  return lines;
}
