/**
 * Support bundles as the API sees them: estimate and preview, export jobs (progress, cancel),
 * the bundles folder (list, delete, read for "Save as", import an uploaded file), open, diff,
 * re-redact, and the custom redaction rules.
 *
 * Bundles are written to `<data dir>/bundles/` (the Bundles area lists them); saving a copy
 * elsewhere goes through the platform channels. An export writes `<file>.part` and renames it
 * only when whole, so a canceled or failed export leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors';
import {
  BundleRequest,
  type BundleDiff,
  type BundleEstimate,
  type BundleFile,
  type BundlePreview,
  type BundleRequestInput,
  type BundleView,
  type ExportProgress,
} from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { BundleWriter, type FileBody, type WrittenFile } from '../../../node/bundle/bundle-writer';
import { isAbort } from '../../../node/abort';
import type { Clock } from '../../../node/clock';
import type { Services } from '../index';
import { collectBundle, estimateBundle } from './bundle-collector';
import { diffBundles } from './bundle-diff';
import { BundleFolder, safeBase } from './bundle-folder';
import { OpenBundles } from './bundle-open';
import { BundleRedactor } from './bundle-redaction';
import { reRedactAgent, reRedactControlRoom } from './bundle-reredact';
import { keychainSecrets } from '../credentials/known-secrets';
import { ExportJobs } from './export-jobs';
import type { RedactionRules } from './redaction-rules';
import { environmentSecrets } from './sections/context-section';
import { reasonOf } from './sections/section-kit';

export const BUNDLES_DIR = 'bundles';
/** Lines per log source the preview's dry pass reads: enough for counts and samples, quick. */
export const PREVIEW_LINES_PER_SOURCE = 5_000;
const PREVIEW_SAMPLES_PER_RULE = 3;
/** An upload bigger than this is refused (bundles are capped at 10 GB before compression). */
const MAX_IMPORT_BYTES = 4 * 1024 ** 3;

export interface BundlesServiceOptions {
  /** Where bundles are kept; default `<data dir>/bundles`. */
  folder?: string;
}

export interface BundleLogQuery {
  source?: string | undefined;
  text?: string | undefined;
  level?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

interface Upload {
  name: string;
  file: string;
  bytes: number;
}

export class BundlesService {
  readonly folder: string;
  readonly rules: RedactionRules;
  private readonly files: BundleFolder;
  private readonly opened: OpenBundles;
  private readonly jobs: ExportJobs;
  private readonly uploads = new Map<string, Upload>();
  private readonly running = new Set<Promise<unknown>>();

  /** `services` is read lazily: bundles draw on every other service. */
  constructor(
    private readonly services: () => Services,
    readonly deps: { dataDir: string; clock: Clock; rules: RedactionRules },
    options: BundlesServiceOptions = {},
  ) {
    this.folder = options.folder ?? join(deps.dataDir, BUNDLES_DIR);
    this.rules = deps.rules;
    this.files = new BundleFolder(this.folder);
    this.opened = new OpenBundles(this.files, join(this.folder, '.open'));
    this.jobs = new ExportJobs(deps.clock);
  }

  start(): void {}

  /** Cancels running exports (their partial files removed). */
  dispose(): void {
    this.jobs.cancelAll();
    for (const upload of this.uploads.values()) rmSync(upload.file, { force: true });
    this.uploads.clear();
  }

  /** Resolves when every export started so far has ended (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  estimate(request: BundleRequestInput): Promise<BundleEstimate> {
    return estimateBundle(this.services(), BundleRequest.parse(request), this.deps.clock);
  }

  /**
   * The estimate, redaction counts and samples per rule, from a dry pass that writes nothing. The
   * pass reads at most the newest 5,000 lines per log source (and says so), so it stays quick.
   */
  async preview(input: BundleRequestInput): Promise<BundlePreview> {
    const request = BundleRequest.parse(input);
    const services = this.services();
    const estimate = await estimateBundle(services, request, this.deps.clock);
    const redactor = await this.redactor(PREVIEW_SAMPLES_PER_RULE, services.targets.get(request.targetId));
    const dry: BundleRequest = { ...request, limits: { ...request.limits, logLinesPerSource: Math.min(request.limits.logLinesPerSource, PREVIEW_LINES_PER_SOURCE) } };
    await collectBundle({
      services,
      request: dry,
      writer: discardingWriter(),
      redactor,
      signal: new AbortController().signal,
      onProgress: () => undefined,
      clock: this.deps.clock,
      estimate,
    });
    const logs = estimate.sections.find((section) => section.id === 'logs');
    const partial = !request.exclude.includes('logs') && (logs?.lines ?? 0) > PREVIEW_LINES_PER_SOURCE;
    return {
      estimate,
      counts: redactor.counts(),
      samples: redactor.samples(),
      note: partial
        ? `Counts and samples cover the newest ${PREVIEW_LINES_PER_SOURCE.toLocaleString('en')} lines of each log source; the export redacts every line.`
        : null,
    };
  }

  /** Starts an export in the background; progress on `onProgress`, the file in the folder when done. */
  startExport(input: BundleRequestInput): ExportProgress {
    const request = BundleRequest.parse(input);
    const services = this.services();
    const target = services.targets.get(request.targetId);
    const { exportId, signal, progress } = this.jobs.create();
    const job = this.runExport(exportId, request, target, signal);
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
    return progress;
  }

  cancelExport(exportId: string): ExportProgress {
    return this.jobs.cancel(exportId);
  }

  /** Resolves when an export has ended (tests, opsctl). */
  exportSettled(exportId: string): Promise<ExportProgress> {
    return this.jobs.settled(exportId);
  }

  onProgress(listener: (progress: ExportProgress) => void): () => void {
    return this.jobs.onProgress(listener);
  }

  list(): BundleFile[] {
    return this.files.list();
  }

  delete(id: string): { id: string } {
    const file = this.files.existing(id);
    rmSync(file, { force: true });
    this.files.forget(id);
    this.opened.forget(id);
    return { id };
  }

  /** A bundle file's bytes, ≤512 KiB a read (for "Save as" through the platform channels). */
  read(id: string, offset: number): { base64: string; bytes: number; eof: boolean } {
    return this.files.read(id, offset);
  }

  /** Upload of a bundle file the user opened (browser mode, or the desktop's file dialog). */
  importBegin(name: string): { uploadId: string } {
    const ext = name.endsWith('.json.gz') ? 'json.gz' : name.endsWith('.tar.gz') || name.endsWith('.tgz') ? 'tar.gz' : null;
    if (!ext) throw new ApiError('invalid-request', `${name} is not a bundle file — open a .tar.gz (Control Room) or .json.gz (agent) bundle.`);
    this.files.ensure();
    const uploadsDir = join(this.folder, '.uploads');
    mkdirSync(uploadsDir, { recursive: true });
    const uploadId = randomUUID();
    const file = join(uploadsDir, `${uploadId}.part`);
    writeFileSync(file, '');
    const base = name.replace(/\.(tar\.gz|tgz|json\.gz)$/, '');
    this.uploads.set(uploadId, { name: `${base}.${ext}`, file, bytes: 0 });
    return { uploadId };
  }

  importWrite(uploadId: string, base64: string): { bytes: number } {
    const upload = this.upload(uploadId);
    const chunk = Buffer.from(base64, 'base64');
    if (upload.bytes + chunk.length > MAX_IMPORT_BYTES) {
      this.dropUpload(uploadId);
      throw new ApiError('invalid-request', 'The file is bigger than 4 GB, which no bundle is — check it is the right file.');
    }
    appendFileSync(upload.file, chunk);
    upload.bytes += chunk.length;
    return { bytes: upload.bytes };
  }

  /** Checks the file opens (refused with one sentence when corrupt or truncated) and keeps it. */
  async importEnd(uploadId: string, abort: boolean): Promise<BundleFile | null> {
    const upload = this.upload(uploadId);
    this.uploads.delete(uploadId);
    if (abort) {
      rmSync(upload.file, { force: true });
      return null;
    }
    const ext = upload.name.endsWith('.json.gz') ? 'json.gz' : 'tar.gz';
    const name = this.files.uniqueName(upload.name.slice(0, -(ext.length + 1)), ext);
    const file = join(this.folder, name);
    renameSync(upload.file, file);
    try {
      const bundle = await this.opened.get(name);
      return this.files.known(name, bundle.manifest);
    } catch (error) {
      this.opened.forget(name);
      rmSync(file, { force: true });
      this.files.forget(name);
      throw error;
    }
  }

  open(id: string): Promise<BundleView> {
    return this.opened.view(id);
  }

  logs(id: string, query: BundleLogQuery): Promise<{ entries: LogEntry[]; total: number }> {
    return this.opened.logs(id, query);
  }

  async diff(a: string, b: string): Promise<BundleDiff> {
    const [left, right] = await Promise.all([this.opened.get(a), this.opened.get(b)]);
    return diffBundles({ id: a, bundle: left }, { id: b, bundle: right });
  }

  /** Re-redacts a bundle with today's rules and secrets into a new file; the original is kept. */
  async redact(id: string): Promise<BundleFile> {
    const source = this.files.existing(id);
    const bundle = await this.opened.get(id);
    const redactor = await this.redactor(0);
    const ext = id.endsWith('.json.gz') ? 'json.gz' : 'tar.gz';
    const base = id.slice(0, -(ext.length + 1)).replace(/-redacted-\d+$/, '');
    let name = '';
    for (let n = 1; ; n++) {
      name = `${base}-redacted-${n}.${ext}`;
      try {
        statSync(join(this.folder, name));
      } catch {
        break;
      }
    }
    const out = join(this.folder, name);
    if (bundle.kind === 'agent') {
      await reRedactAgent(bundle, out, redactor);
      return this.files.known(name, null);
    }
    const manifest = await reRedactControlRoom(bundle, source, out, redactor, this.deps.clock);
    return this.files.known(name, manifest);
  }

  // ——— internals ———

  /** Today's keychain secrets and custom rules; a locked keychain is an error, not a leak. */
  private async redactor(samplesPerRule: number, target?: Target, signal?: AbortSignal): Promise<BundleRedactor> {
    const services = this.services();
    const [secrets, rules, environment] = await Promise.all([
      keychainSecrets(services),
      this.rules.resolved(),
      target ? environmentSecrets(services, target, signal ?? new AbortController().signal) : Promise.resolve([]),
    ]);
    return new BundleRedactor({ secrets: [...new Set([...secrets, ...environment])], rules, samplesPerRule });
  }

  private async runExport(exportId: string, request: BundleRequest, target: Target, signal: AbortSignal): Promise<void> {
    const services = this.services();
    let writer: BundleWriter | null = null;
    try {
      const redactor = await this.redactor(0, target, signal);
      this.files.ensure();
      const name = this.files.uniqueName(`${safeBase(target.name)}-${stamp(this.deps.clock.now())}`, 'tar.gz');
      writer = await BundleWriter.open(join(this.folder, name));
      const opened = writer;
      const manifest = await collectBundle({
        services,
        request,
        writer,
        redactor,
        signal,
        clock: this.deps.clock,
        onProgress: ({ section, fraction, message }) =>
          this.jobs.update(exportId, { section, fraction: Math.min(0.99, fraction), message, bytesWritten: opened.compressedBytes }),
      });
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The export was canceled.');
      this.jobs.update(exportId, { section: null, message: 'Writing the manifest', fraction: 0.99, bytesWritten: writer.compressedBytes });
      const result = await writer.finish(manifest);
      writer = null;
      const bundle = this.files.known(name, manifest);
      services.audit.record({
        subjectKind: 'bundle',
        subject: name,
        action: 'export',
        outcome: 'ok',
        detail: { file: name, bytes: result.bytes, redactions: manifest.redaction.total },
        target: { id: target.id, name: target.name, environment: target.environment },
      });
      this.jobs.update(exportId, { state: 'done', section: null, fraction: 1, bytesWritten: result.bytes, message: `Saved ${name}.`, bundle });
    } catch (error) {
      await writer?.abort().catch(() => undefined);
      if (signal.aborted || isAbort(error)) {
        this.jobs.update(exportId, { state: 'canceled', message: 'The export was canceled; no file was written.' });
      } else {
        this.jobs.update(exportId, { state: 'failed', message: `The export failed: ${reasonOf(error)}` });
      }
    }
  }

  private upload(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new ApiError('not-found', 'That upload has ended or never began — open the file again.');
    return upload;
  }

  private dropUpload(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (upload) rmSync(upload.file, { force: true });
    this.uploads.delete(uploadId);
  }
}

/** `yyyymmdd-hhmmss` in UTC. */
function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/**
 * A writer for the preview's dry pass: it reads every body (so the redactor sees each line) and
 * keeps nothing.
 */
function discardingWriter(): BundleWriter {
  const writer = {
    path: '',
    compressedBytes: 0,
    async addFile(path: string, body: FileBody): Promise<WrittenFile> {
      let bytes = 0;
      let lines = 0;
      const count = (chunk: Buffer | string) => {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        bytes += buffer.length;
        for (const byte of buffer) if (byte === 10) lines++;
      };
      if (typeof body === 'string' || Buffer.isBuffer(body)) count(body);
      else for await (const chunk of body) count(chunk);
      return { path, bytes, sha256: '0'.repeat(64), lines };
    },
    finish: () => Promise.reject(new Error('A dry pass writes no bundle.')),
    abort: () => Promise.resolve(),
  };
  return writer as unknown as BundleWriter;
}
