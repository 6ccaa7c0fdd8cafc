/**
 * Collects a bundle's sections for a target and window from what the app holds (the log cache,
 * probe results and artifacts, alert history, runs with events and artifacts, the audit log) and
 * what the target answers now (its context or Docker overview, a fresh log tail, frontend errors,
 * the agent's own bundle). Streams every section into the writer through the redactor, within the
 * caps, with progress and cancel. NOT BUILT YET.
 */
import type { BundleEstimate, BundleManifest, BundleRequest, BundleSectionId, ResolvedWindow } from '../../../shared/model/bundle';
import type { BundleWriter } from '../../../node/bundle/bundle-writer';
import type { Services } from '../index';
import type { BundleRedactor } from './bundle-redaction';

export interface CollectProgress {
  section: BundleSectionId | null;
  fraction: number;
  message: string;
}

export interface CollectOptions {
  services: Services;
  request: BundleRequest;
  writer: BundleWriter;
  redactor: BundleRedactor;
  signal: AbortSignal;
  onProgress(progress: CollectProgress): void;
}

export function resolveWindow(_services: Services, _request: BundleRequest): Promise<ResolvedWindow> {
  return Promise.reject(new Error('Bundle windows are not built yet.'));
}

export function estimateBundle(_services: Services, _request: BundleRequest): Promise<BundleEstimate> {
  return Promise.reject(new Error('Bundle estimates are not built yet.'));
}

/** Writes every section; returns the manifest to finish the writer with. */
export function collectBundle(_options: CollectOptions): Promise<BundleManifest> {
  return Promise.reject(new Error('Bundle collection is not built yet.'));
}
