/**
 * The runbooks the app knows: the built-ins (built-in/) and the YAML files in the runbooks
 * folder, which it watches. NOT BUILT YET: the signatures are what the rest uses.
 *
 * A file that does not parse or does not match the schema is listed with its line-numbered
 * errors and cannot run; it never stops the other files from loading.
 */
import type { Clock } from '../../../node/clock';
import type { RunbookDefinition, RunbookFileError, RunbookSummary } from '../../../shared/model/runbook';

/** Under the data directory. */
export const RUNBOOKS_DIR = 'runbooks';

export interface RunbookSource {
  id: string;
  /** The YAML text: the file's, or a built-in's as YAML (read-only; "Save as copy" makes a file). */
  yaml: string;
  source: 'built-in' | 'file';
  file: string | null;
  errors: RunbookFileError[];
}

export interface SaveOutcome {
  saved: boolean;
  summary: RunbookSummary | null;
  errors: RunbookFileError[];
}

const NOT_BUILT = 'The runbook catalog is not built yet.';

export class RunbookCatalog {
  constructor(
    readonly folder: string,
    readonly clock: Clock,
  ) {}

  /** Loads every file and starts watching the folder. */
  start(): void {}
  dispose(): void {}

  list(): RunbookSummary[] {
    return [];
  }
  /** A runbook that can run; throws ApiError (not-found, or invalid-request naming the file's first error). */
  get(_id: string): RunbookDefinition {
    throw new Error(NOT_BUILT);
  }
  source(_id: string): RunbookSource {
    throw new Error(NOT_BUILT);
  }
  /** Parses and validates YAML text without saving: line-numbered errors, empty when fine. */
  check(_yaml: string): RunbookFileError[] {
    throw new Error(NOT_BUILT);
  }
  /** Writes `<id>.yaml` when the text is valid (atomically); an id of a built-in is refused. */
  save(_yaml: string, _previousId?: string): SaveOutcome {
    throw new Error(NOT_BUILT);
  }
  /** Removes a file runbook; built-ins are refused. */
  delete(_id: string): void {
    throw new Error(NOT_BUILT);
  }
  /** Called after the folder changed and was read again. */
  onChanged(_listener: () => void): () => void {
    return () => undefined;
  }
}
