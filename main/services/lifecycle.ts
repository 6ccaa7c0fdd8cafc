/**
 * The services that hold timers, listeners or connections, in the order they were created.
 *
 * Constructors only store their arguments; `start()` sets up what runs in the background and
 * `dispose()` undoes all of it. `createServices` registers each such service here as it makes
 * it, starts them in that order, and disposes them in reverse: a service is gone before the ones
 * it was built on (the logs before the connections they read, the database last), so nothing
 * fires into a half-closed dependency.
 */

export interface Lifecycle {
  start?(): void;
  dispose(): void;
}

export class Lifecycles {
  private readonly entries: { name: string; service: Lifecycle }[] = [];
  private state: 'new' | 'started' | 'disposed' = 'new';

  /** Adds `service` after everything registered so far; returns it, for `const x = add(...)`. */
  add<T extends Lifecycle>(name: string, service: T): T {
    if (this.state === 'disposed') throw new Error(`${name} was registered after the services were closed.`);
    this.entries.push({ name, service });
    if (this.state === 'started') service.start?.();
    return service;
  }

  /** The registered names, in creation order. */
  get names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  startAll(): void {
    if (this.state !== 'new') return;
    this.state = 'started';
    for (const { service } of this.entries) service.start?.();
  }

  /**
   * Disposes every service, newest first. One that throws does not keep the others open; the
   * first error is rethrown once all have been disposed.
   */
  disposeAll(): void {
    if (this.state === 'disposed') return;
    this.state = 'disposed';
    let failure: unknown;
    for (const { service } of [...this.entries].reverse()) {
      try {
        service.dispose();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
