/**
 * Integration probes in the app: saved probes with their secrets in the keychain, runs now and on
 * schedule, results and history from the probe store, live updates for the Integrations screen.
 *
 * SKELETON: the methods below are the service's surface as `main/api.ts` uses it; they are being
 * filled in (store, engine, scheduler).
 */
import { ApiError } from '../../../shared/errors';
import type {
  HistoryBucket,
  HistoryRange,
  Probe,
  ProbeDraft,
  ProbePreset,
  ProbeResult,
  ProbeRetention,
  ProbeSelection,
  ProbeSummary,
  ProbeTrigger,
  ProbeUpdate,
} from '../../../shared/model/probe';

function notYet(): never {
  throw new ApiError('internal', 'Integration probes are not available in this build yet.');
}

export class ProbesService {
  list(): ProbeSummary[] {
    return notYet();
  }
  get(_id: string): Probe {
    return notYet();
  }
  async create(_draft: ProbeDraft): Promise<Probe> {
    return notYet();
  }
  async update(_id: string, _draft: ProbeDraft): Promise<Probe> {
    return notYet();
  }
  async delete(_id: string): Promise<{ id: string }> {
    return notYet();
  }
  /** Starts the selected probes in the background; resolves with how many were started. */
  runNow(_selection: ProbeSelection, _trigger: ProbeTrigger): { started: number } {
    return notYet();
  }
  async test(_draft: ProbeDraft, _id?: string): Promise<ProbeResult> {
    return notYet();
  }
  results(_probeId: string, _options: { before?: number | undefined; limit?: number | undefined }): ProbeResult[] {
    return notYet();
  }
  history(
    _probeId: string,
    _range: HistoryRange,
  ): { buckets: HistoryBucket[]; uptime: number | null; p50Ms: number | null; p95Ms: number | null } {
    return notYet();
  }
  async readArtifact(_request: {
    resultId: number;
    artifactId: string;
    offset?: number | undefined;
  }): Promise<{ contentType: string; name: string; base64: string; bytes: number; eof: boolean }> {
    return notYet();
  }
  presets(): ProbePreset[] {
    return notYet();
  }
  retention(): ProbeRetention {
    return notYet();
  }
  setRetention(_retention: ProbeRetention): ProbeRetention {
    return notYet();
  }
  onUpdate(_listener: (update: ProbeUpdate) => void): () => void {
    return () => undefined;
  }
}
