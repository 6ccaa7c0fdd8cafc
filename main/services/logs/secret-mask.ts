/**
 * Hides the secrets the app keeps in the keychain from every log line it shows or caches.
 *
 * A container that echoes its environment prints its target's SSH key passphrase or its ops-API
 * token like any other text, and the app knows exactly those values: the mask holds one
 * LiteralSet (one Wu-Manber pass per line, however many values) of every form (secretForms: raw,
 * JSON-escaped, base64 at any offset, URL-encoded) of every keychain secret of the targets,
 * probes, alert channels and runbook secrets, and replaces each occurrence with MASKED_SECRET.
 * Values shorter than MIN_SECRET_LENGTH (6 characters) are left alone, as bundles leave them:
 * "dev" or "true" would blank out ordinary words all over the logs.
 *
 * The set is read again (coalesced, REBUILD_DELAY_MS after the last change) whenever a secret is
 * written or deleted (WatchedCredentials) and whenever the targets change (a deleted target's
 * secrets leave the set). The keychain is read one ref at a time (keychainSecrets). A locked
 * keychain keeps the set it had and is tried again at the next change and every RETRY_MS; nothing
 * here ever throws into the log path. The values stay in main: nothing that leaves this module
 * names them, and nothing is logged about them.
 *
 * With no secrets a batch costs one comparison (the early return), so the line path pays nothing.
 */
import { MASKED_SECRET } from '../../../shared/log-mask';
import type { LogEntry } from '../../../shared/model/logs';
import { systemClock, type Clock, type Timer } from '../../../node/clock';
import { LiteralSet } from '../../../node/redact/literal-scan';
import { secretForms } from '../../../node/redact/secret-forms';
import { keychainSecrets, type KnownSecretSources } from '../credentials/known-secrets';
import type { WatchedCredentials } from '../credentials/watched-credentials';

export { MASKED_SECRET };

/** Changes come in runs (a target saved with three secrets): read the keychain once after the last. */
export const REBUILD_DELAY_MS = 50;
/** How often a keychain that could not be read (locked) is tried again. */
export const RETRY_MS = 60_000;

export interface SecretMaskDeps {
  credentials: Pick<WatchedCredentials, 'onChanged'>;
  /** The services that say which secrets exist; read at start, when they are all made. */
  sources: () => KnownSecretSources;
  clock?: Clock;
  rebuildDelayMs?: number;
  retryMs?: number;
}

export class SecretMask {
  /** Undefined while there is nothing to mask: the early return of every call. */
  private set: LiteralSet | undefined;
  private readonly clock: Clock;
  private readonly offs: (() => void)[] = [];
  private timer: Timer | undefined;
  private retry: Timer | undefined;
  private building: Promise<void> | undefined;
  /** A change arrived while the keychain was being read: read it again after. */
  private again = false;
  private failed = false;
  private disposed = false;
  private waiters: (() => void)[] = [];
  /** Occurrences replaced by the current call (the replacement callback counts them). */
  private hits = 0;
  private readonly marker = (): string => {
    this.hits++;
    return MASKED_SECRET;
  };

  constructor(private readonly deps: SecretMaskDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    if (this.offs.length || this.disposed) return;
    this.offs.push(this.deps.credentials.onChanged(() => this.schedule()));
    this.offs.push(this.deps.sources().targets.onChanged(() => this.schedule()));
    this.retry = this.clock.setInterval(() => {
      if (this.failed) this.schedule();
    }, this.deps.retryMs ?? RETRY_MS);
    this.retry.unref();
    this.rebuild();
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.offs.splice(0)) off();
    this.clock.clearTimeout(this.timer);
    this.clock.clearInterval(this.retry);
    this.timer = undefined;
    this.retry = undefined;
    this.settle();
  }

  /** How many forms are masked (0: nothing is); never the values. */
  get forms(): number {
    return this.set?.size ?? 0;
  }

  /** False while the last read of the keychain failed (it is locked): the previous set is kept. */
  get current(): boolean {
    return !this.failed;
  }

  /**
   * Replaces every occurrence in each entry's message, in place; returns how many were replaced.
   * The entries are the caller's (a source's fresh batch, a query's result).
   */
  maskEntries(entries: LogEntry[]): number {
    const set = this.set;
    if (set === undefined) return 0;
    this.hits = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      entry.message = set.replace(entry.message, this.marker);
    }
    return this.hits;
  }

  /** `text` with every occurrence replaced, and how many there were. */
  maskText(text: string): { text: string; count: number } {
    const set = this.set;
    if (set === undefined) return { text, count: 0 };
    this.hits = 0;
    const masked = set.replace(text, this.marker);
    return { text: masked, count: this.hits };
  }

  /** Resolves once no change is waiting to be read (tests wait for it after writing a secret). */
  whenSettled(): Promise<void> {
    if (!this.timer && !this.building) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (this.disposed) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.rebuild();
    }, this.deps.rebuildDelayMs ?? REBUILD_DELAY_MS);
  }

  private rebuild(): void {
    if (this.disposed) return;
    if (this.building) {
      this.again = true;
      return;
    }
    this.building = this.read().finally(() => {
      this.building = undefined;
      if (this.again && !this.disposed) {
        this.again = false;
        this.rebuild();
      } else this.settle();
    });
  }

  private async read(): Promise<void> {
    try {
      const values = await keychainSecrets(this.deps.sources());
      if (this.disposed) return;
      const forms = values.flatMap(secretForms);
      this.set = forms.length ? new LiteralSet(forms) : undefined;
      this.failed = false;
    } catch {
      // Locked (or gone): keep masking what was known, and try again later. The error names no value.
      this.failed = true;
    }
  }

  private settle(): void {
    if (this.timer && !this.disposed) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** How often a source's running count goes to the pane while it keeps changing. */
export const MASKED_EVENT_MS = 250;

/**
 * One follow's running count of masked occurrences per source, sent to the pane as `masked`
 * events: at once when the last was sent MASKED_EVENT_MS ago or more, else once that time is up
 * (with the total by then), so a burst of secrets costs a few events and the last total always
 * arrives.
 */
export class MaskedCounts {
  private readonly totals = new Map<string, { total: number; sentAt: number; timer: Timer | undefined }>();
  private stopped = false;

  constructor(
    private readonly send: (source: string, total: number) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  add(source: string, count: number): void {
    if (count === 0 || this.stopped) return;
    let entry = this.totals.get(source);
    if (!entry) this.totals.set(source, (entry = { total: 0, sentAt: -Infinity, timer: undefined }));
    entry.total += count;
    if (entry.timer) return;
    const wait = entry.sentAt + MASKED_EVENT_MS - this.clock.now();
    if (wait <= 0) this.flush(source);
    else entry.timer = this.clock.setTimeout(() => this.flush(source), wait);
  }

  /** No more events (the follow ended). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.totals.values()) this.clock.clearTimeout(entry.timer);
  }

  private flush(source: string): void {
    const entry = this.totals.get(source)!;
    entry.timer = undefined;
    if (this.stopped) return;
    entry.sentAt = this.clock.now();
    this.send(source, entry.total);
  }
}
