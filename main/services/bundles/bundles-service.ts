/**
 * Support bundles as the API sees them: estimate and preview, export jobs (progress, cancel),
 * the bundles folder (list, delete, read for "Save as", import an uploaded file), open, diff,
 * re-redact, and the custom redaction rules. NOT BUILT YET: the signatures are what the API uses.
 *
 * Bundles are written to `<data dir>/bundles/` (the Bundles area lists them); saving a copy
 * elsewhere goes through the platform channels.
 */
import { join } from 'node:path';
import type { Clock } from '../../../node/clock';
import type {
  BundleDiff,
  BundleEstimate,
  BundleFile,
  BundlePreview,
  BundleRequest,
  BundleView,
  ExportProgress,
} from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Services } from '../index';
import type { RedactionRules } from './redaction-rules';

export const BUNDLES_DIR = 'bundles';

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

const NOT_BUILT = 'Support bundles are not built yet.';

export class BundlesService {
  readonly folder: string;
  readonly rules: RedactionRules;

  /** `services` is read lazily: bundles draw on every other service. */
  constructor(
    private readonly services: () => Services,
    readonly deps: { dataDir: string; clock: Clock; rules: RedactionRules },
    options: BundlesServiceOptions = {},
  ) {
    this.folder = options.folder ?? join(deps.dataDir, BUNDLES_DIR);
    this.rules = deps.rules;
  }

  start(): void {}
  /** Cancels running exports (their partial files removed). */
  dispose(): void {}

  estimate(_request: BundleRequest): Promise<BundleEstimate> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  /** The estimate, redaction counts and samples per rule, from a dry pass that writes nothing. */
  preview(_request: BundleRequest): Promise<BundlePreview> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  /** Starts an export in the background; progress on `onProgress`, the file in the folder when done. */
  startExport(_request: BundleRequest): ExportProgress {
    throw new Error(NOT_BUILT);
  }
  cancelExport(_exportId: string): ExportProgress {
    throw new Error(NOT_BUILT);
  }
  /** Resolves when an export has ended (tests, opsctl). */
  exportSettled(_exportId: string): Promise<ExportProgress> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  onProgress(_listener: (progress: ExportProgress) => void): () => void {
    return () => undefined;
  }

  list(): BundleFile[] {
    return [];
  }
  delete(_id: string): { id: string } {
    throw new Error(NOT_BUILT);
  }
  /** A bundle file's bytes, ≤512 KiB a read (for "Save as" through the platform channels). */
  read(_id: string, _offset: number): { base64: string; bytes: number; eof: boolean } {
    throw new Error(NOT_BUILT);
  }
  /** Upload of a bundle file the user opened (browser mode, or the desktop's file dialog). */
  importBegin(_name: string): { uploadId: string } {
    throw new Error(NOT_BUILT);
  }
  importWrite(_uploadId: string, _base64: string): { bytes: number } {
    throw new Error(NOT_BUILT);
  }
  /** Checks the file opens (refused with one sentence when corrupt or truncated) and keeps it. */
  importEnd(_uploadId: string, _abort: boolean): Promise<BundleFile | null> {
    return Promise.reject(new Error(NOT_BUILT));
  }

  open(_id: string): Promise<BundleView> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  logs(_id: string, _query: BundleLogQuery): Promise<{ entries: LogEntry[]; total: number }> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  diff(_a: string, _b: string): Promise<BundleDiff> {
    return Promise.reject(new Error(NOT_BUILT));
  }
  /** Re-redacts a bundle with today's rules and secrets into a new file; the original is kept. */
  redact(_id: string): Promise<BundleFile> {
    return Promise.reject(new Error(NOT_BUILT));
  }
}
