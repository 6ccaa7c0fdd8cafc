/**
 * Export jobs: each export's progress, its cancel, and the `bundles:progress` stream. Progress is
 * sent at most about ten times a second per export (a section reports far more often than a
 * progress bar can show); a change of state or section is always sent.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import type { ExportProgress } from '../../../shared/model/bundle';
import type { Clock } from '../../../node/clock';
import { AbortedError } from '../../../node/abort';

const MIN_INTERVAL_MS = 100;
/** Ended exports kept for `exportSettled` and `cancelExport` after the fact. */
const KEEP_ENDED = 50;

interface Job {
  progress: ExportProgress;
  controller: AbortController;
  settled: Promise<ExportProgress>;
  resolve(progress: ExportProgress): void;
  lastSentAt: number;
}

export class ExportJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(progress: ExportProgress) => void>();

  constructor(private readonly clock: Clock) {}

  create(): { exportId: string; signal: AbortSignal; progress: ExportProgress } {
    const exportId = `exp-${randomUUID()}`;
    let resolve!: (progress: ExportProgress) => void;
    const settled = new Promise<ExportProgress>((done) => (resolve = done));
    const progress: ExportProgress = { exportId, state: 'running', section: null, fraction: 0, bytesWritten: 0, message: 'Starting', bundle: null };
    const job: Job = { progress, controller: new AbortController(), settled, resolve, lastSentAt: -Infinity };
    this.jobs.set(exportId, job);
    this.prune();
    this.send(job, true);
    return { exportId, signal: job.controller.signal, progress };
  }

  /** A running export's progress; sent when the state or section changed or enough time passed. */
  update(exportId: string, patch: Partial<Omit<ExportProgress, 'exportId'>>): void {
    const job = this.jobs.get(exportId);
    if (!job || job.progress.state !== 'running') return;
    const force = (patch.section !== undefined && patch.section !== job.progress.section) || (patch.state !== undefined && patch.state !== 'running');
    job.progress = { ...job.progress, ...patch };
    if (job.progress.state !== 'running') {
      this.send(job, true);
      job.resolve(job.progress);
      return;
    }
    this.send(job, force);
  }

  cancel(exportId: string): ExportProgress {
    const job = this.get(exportId);
    if (job.progress.state === 'running') job.controller.abort(new AbortedError('The export was canceled.'));
    return job.progress;
  }

  settled(exportId: string): Promise<ExportProgress> {
    try {
      return this.get(exportId).settled;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  progress(exportId: string): ExportProgress {
    return this.get(exportId).progress;
  }

  onProgress(listener: (progress: ExportProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  running(): string[] {
    return [...this.jobs.values()].filter((job) => job.progress.state === 'running').map((job) => job.progress.exportId);
  }

  /** Cancels every running export (the app is closing). */
  cancelAll(): void {
    for (const id of this.running()) this.cancel(id);
  }

  private get(exportId: string): Job {
    const job = this.jobs.get(exportId);
    if (!job) throw new ApiError('not-found', `There is no export ${exportId} — it may have ended before the app restarted.`);
    return job;
  }

  private send(job: Job, force: boolean): void {
    const now = this.clock.now();
    if (!force && now - job.lastSentAt < MIN_INTERVAL_MS) return;
    job.lastSentAt = now;
    for (const listener of this.listeners) {
      try {
        listener(job.progress);
      } catch {
        // A listener that throws (a closed window) does not stop the export.
      }
    }
  }

  private prune(): void {
    const ended = [...this.jobs.values()].filter((job) => job.progress.state !== 'running');
    for (const job of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.jobs.delete(job.progress.exportId);
  }
}
