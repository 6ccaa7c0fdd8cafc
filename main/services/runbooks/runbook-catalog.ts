/**
 * The runbooks the app knows: the built-ins (built-in/) and the YAML files in the runbooks
 * folder, which it watches.
 *
 * A file that does not parse or does not match the schema is listed with its line-numbered
 * errors and cannot run; it never stops the other files from loading. So is a file whose id is a
 * built-in's or an earlier file's (files are read in name order, the first keeps the id).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Clock, Timer } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import type { RunbookDefinition, RunbookFileError, RunbookSummary } from '../../../shared/model/runbook';
import { BUILT_IN_IDS, BUILT_IN_RUNBOOK_INPUTS, BUILT_IN_RUNBOOKS } from './built-in';
import { parseRunbookYaml, sortErrors, type ParsedRunbook } from './runbook-yaml';

/** Under the data directory. */
export const RUNBOOKS_DIR = 'runbooks';

/** How long the folder must be quiet before it is read again (an editor's save is several events). */
export const RELOAD_DEBOUNCE_MS = 200;

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

interface Entry {
  summary: RunbookSummary;
  /** Null when the file has errors. */
  definition: RunbookDefinition | null;
  yaml: string;
}

const YAML_FILE = /\.ya?ml$/i;

export class RunbookCatalog {
  private builtIns: Entry[];
  private files: Entry[] = [];
  private watcher: FSWatcher | null = null;
  private reloadTimer: Timer | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly folder: string,
    readonly clock: Clock,
  ) {
    this.builtIns = BUILT_IN_RUNBOOKS.map((definition, index) => ({
      definition,
      yaml: stringify(BUILT_IN_RUNBOOK_INPUTS[index]),
      summary: summaryOf(definition, 'built-in', null, []),
    }));
  }

  /** Loads every file and starts watching the folder. */
  start(): void {
    mkdirSync(this.folder, { recursive: true });
    this.reload();
    try {
      this.watcher = watch(this.folder, () => this.scheduleReload());
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // Without a watcher (no inotify slots) the folder is still read on every save and delete.
      this.watcher = null;
    }
  }

  dispose(): void {
    this.stopWatching();
    this.clock.clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
    this.listeners.clear();
  }

  list(): RunbookSummary[] {
    return [...this.builtIns, ...this.files].map((entry) => entry.summary);
  }

  /** A runbook that can run; throws ApiError (not-found, or invalid-request naming the file's first error). */
  get(id: string): RunbookDefinition {
    const entries = this.entriesOf(id);
    const runnable = entries.find((entry) => entry.definition);
    if (runnable?.definition) return runnable.definition;
    const broken = entries[0];
    if (broken) {
      const error = broken.summary.errors[0]!;
      throw new ApiError(
        'invalid-request',
        `Runbook ${id} (${broken.summary.file}) cannot run until it is fixed: ${error.line !== null ? `line ${error.line}: ` : ''}${error.message}`,
      );
    }
    throw new ApiError('not-found', `There is no runbook called ${id} — pick one from the runbooks list.`);
  }

  source(id: string): RunbookSource {
    const entry = this.entriesOf(id).sort((a, b) => Number(!a.definition) - Number(!b.definition))[0];
    if (!entry) throw new ApiError('not-found', `There is no runbook called ${id} — pick one from the runbooks list.`);
    return {
      id,
      yaml: entry.yaml,
      source: entry.summary.source,
      file: entry.summary.file,
      errors: entry.summary.errors,
    };
  }

  /** Parses and validates YAML text without saving: line-numbered errors, empty when fine. */
  check(yaml: string): RunbookFileError[] {
    return sortErrors(parseRunbookYaml(yaml).errors);
  }

  /** Writes `<id>.yaml` when the text is valid (atomically); an id of a built-in is refused. */
  save(yaml: string, previousId?: string): SaveOutcome {
    const parsed = parseRunbookYaml(yaml);
    if (!parsed.definition) return { saved: false, summary: null, errors: sortErrors(parsed.errors) };
    const { id } = parsed.definition;
    const idError = (message: string): SaveOutcome => ({
      saved: false,
      summary: null,
      errors: [{ line: parsed.idLine, column: null, message }],
    });
    if (BUILT_IN_IDS.has(id)) return idError(`${id} is a built-in runbook — save a copy under another id.`);

    const renamedFrom = previousId && previousId !== id && !BUILT_IN_IDS.has(previousId) ? previousId : null;
    const taken = this.files.find((entry) => entry.summary.id === id && entry.definition);
    if (taken && previousId !== id) {
      return idError(`Another runbook file (${taken.summary.file}) already has id ${id} — choose another id.`);
    }

    mkdirSync(this.folder, { recursive: true });
    const file = `${id}.yaml`;
    const path = join(this.folder, file);
    const part = `${path}.part`;
    writeFileSync(part, yaml.endsWith('\n') ? yaml : `${yaml}\n`);
    renameSync(part, path);
    // The runbook's other files go: the one it was renamed from, and any other name it had.
    const replaced = (entry: Entry) =>
      (previousId === id && entry.summary.id === id) || (renamedFrom !== null && entry.summary.id === renamedFrom);
    const stale = this.files.filter((entry) => replaced(entry) && entry.summary.file !== file);
    for (const entry of stale) rmSync(join(this.folder, entry.summary.file!), { force: true });

    this.reload();
    this.notify();
    return {
      saved: true,
      summary: this.files.find((entry) => entry.summary.file === file)?.summary ?? null,
      errors: [],
    };
  }

  /** Removes a file runbook; built-ins are refused. */
  delete(id: string): void {
    if (BUILT_IN_IDS.has(id))
      throw new ApiError('invalid-request', `${id} is a built-in runbook — it cannot be deleted.`);
    const entries = this.files.filter((entry) => entry.summary.id === id);
    if (!entries.length)
      throw new ApiError('not-found', `There is no runbook file with id ${id} — it may have been deleted already.`);
    for (const entry of entries) rmSync(join(this.folder, entry.summary.file!), { force: true });
    this.reload();
    this.notify();
  }

  /** Called after the folder changed and was read again. */
  onChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads every file again (the watcher does this after changes settle). */
  reload(): void {
    let names: string[];
    try {
      names = readdirSync(this.folder)
        .filter((name) => YAML_FILE.test(name))
        .sort();
    } catch {
      names = [];
    }
    const files: Entry[] = [];
    const owners = new Map<string, string>();
    for (const name of names) {
      let yaml: string;
      try {
        yaml = readFileSync(join(this.folder, name), 'utf8');
      } catch {
        continue; // removed between the listing and the read: the next event reads again
      }
      const parsed = parseRunbookYaml(yaml);
      const errors = [...parsed.errors];
      const id = parsed.definition?.id ?? parsed.raw.id;
      if (parsed.definition && BUILT_IN_IDS.has(parsed.definition.id)) {
        errors.push({
          line: parsed.idLine,
          column: null,
          message: `${parsed.definition.id} is a built-in runbook — give this file another id.`,
        });
      } else if (parsed.definition && owners.has(parsed.definition.id)) {
        errors.push({
          line: parsed.idLine,
          column: null,
          message: `Another runbook file (${owners.get(parsed.definition.id)}) already has id ${parsed.definition.id} — give this one another id.`,
        });
      } else if (parsed.definition) {
        owners.set(parsed.definition.id, name);
      }
      files.push(
        errors.length
          ? brokenEntry(name, yaml, parsed, sortErrors(errors), id)
          : { definition: parsed.definition, yaml, summary: summaryOf(parsed.definition!, 'file', name, []) },
      );
    }
    this.files = files;
  }

  private entriesOf(id: string): Entry[] {
    return [...this.builtIns, ...this.files].filter((entry) => entry.summary.id === id);
  }

  private scheduleReload(): void {
    this.clock.clearTimeout(this.reloadTimer);
    this.reloadTimer = this.clock.setTimeout(() => {
      this.reloadTimer = undefined;
      if (!existsSync(this.folder)) mkdirSync(this.folder, { recursive: true });
      this.reload();
      this.notify();
    }, RELOAD_DEBOUNCE_MS);
    this.reloadTimer.unref();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // One listener's failure does not keep the others from hearing about the change.
      }
    }
  }
}

function summaryOf(
  definition: RunbookDefinition,
  source: 'built-in' | 'file',
  file: string | null,
  errors: RunbookFileError[],
): RunbookSummary {
  return {
    id: definition.id,
    title: definition.title,
    description: definition.description,
    kind: definition.kind,
    risk: definition.risk,
    source,
    file,
    errors,
    inputs: definition.inputs,
    commands: definition.commands,
  };
}

/** A file that cannot run, listed by what could be read of it. */
function brokenEntry(
  file: string,
  yaml: string,
  parsed: ParsedRunbook,
  errors: RunbookFileError[],
  id: string | null,
): Entry {
  const fallbackId = file.replace(YAML_FILE, '');
  return {
    definition: null,
    yaml,
    summary: {
      id: id ?? fallbackId,
      title: parsed.definition?.title ?? parsed.raw.title ?? fallbackId,
      description: parsed.definition?.description ?? parsed.raw.description ?? '',
      kind: parsed.definition?.kind ?? parsed.raw.kind ?? 'unknown',
      // A broken file never runs; "dry-run" is the listing's safest reading when risk did not read.
      risk: parsed.definition?.risk ?? parsed.raw.risk ?? 'dry-run',
      source: 'file',
      file,
      errors,
      inputs: parsed.definition?.inputs ?? [],
      commands: parsed.definition?.commands ?? [],
    },
  };
}
