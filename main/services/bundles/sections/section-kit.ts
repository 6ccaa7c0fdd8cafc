/**
 * What every section collector is handed: the target, the resolved window, the caps, and a way
 * to add files that redacts, counts against the total budget, and records each file for the
 * manifest. A section that fails says so in one note; the others go on.
 */
import type { BundleRequest, CutNote } from '../../../../shared/model/bundle';
import type { Target } from '../../../../shared/model/target';
import type { Clock } from '../../../../node/clock';
import type { FileBody, WrittenFile } from '../../../../node/bundle/bundle-writer';
import type { Services } from '../../index';
import type { BundleRedactor } from '../bundle-redaction';
import type { WindowInfo } from '../bundle-window';

export interface SectionRun {
  services: Services;
  target: Target;
  request: BundleRequest;
  window: WindowInfo;
  redactor: BundleRedactor;
  signal: AbortSignal;
  clock: Clock;
  /** Adds a file of the section (the body already redacted); counts its bytes against the budget. */
  addFile(path: string, body: FileBody, contentType: string): Promise<WrittenFile>;
  /** Redacts a JSON document and adds it; an array too big for the budget keeps its last items. */
  addJson(path: string, value: unknown): Promise<WrittenFile | null>;
  /** Bytes the total budget still allows. */
  remainingBudget(): number;
  note(message: string): void;
  cut(note: CutNote): void;
  /** How far this section has got, 0..1, with what it is doing. */
  progress(fraction: number, message: string): void;
  /** Secret values found while collecting (a container's env): masked everywhere after. */
  addSecrets(values: readonly string[]): void;
}

export type SectionCollector = (run: SectionRun) => Promise<void>;

export interface SectionSize {
  bytes: number;
  lines: number | null;
  available: boolean;
  note: string | null;
  overCapBytes: number;
}

export type SectionEstimator = (input: { services: Services; target: Target; request: BundleRequest; window: WindowInfo }) => Promise<SectionSize>;

export function unavailable(note: string): SectionSize {
  return { bytes: 0, lines: null, available: false, note, overCapBytes: 0 };
}

export function sized(bytes: number, lines: number | null = null, overCapBytes = 0): SectionSize {
  return { bytes: Math.round(bytes), lines, available: true, note: null, overCapBytes: Math.max(0, Math.round(overCapBytes)) };
}

/** Pretty JSON, as written to the bundle (people open these files). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function inWindow(iso: string | null | undefined, window: WindowInfo): boolean {
  if (!iso) return false;
  const ms = Date.parse(iso);
  return ms >= window.fromMs && ms <= window.toMs;
}

/** One sentence from an error, for a note. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A file name safe inside the archive. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 120) || '_';
}
