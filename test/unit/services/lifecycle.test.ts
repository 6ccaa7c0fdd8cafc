/**
 * Lifecycles: services start in the order they were registered and are disposed in reverse, a
 * failing dispose does not keep the others open, and late registrations are handled.
 */
import { describe, expect, it } from 'vitest';
import { Lifecycles, type Lifecycle } from '../../../main/services/lifecycle';

function recorder(name: string, log: string[], fail = false): Lifecycle {
  return {
    start: () => log.push(`start ${name}`),
    dispose: () => {
      log.push(`dispose ${name}`);
      if (fail) throw new Error(`${name} failed to close`);
    },
  };
}

describe('Lifecycles', () => {
  it('starts in order of registration and disposes in reverse, once', () => {
    const log: string[] = [];
    const lifecycle = new Lifecycles();
    for (const name of ['database', 'connections', 'logs']) lifecycle.add(name, recorder(name, log));
    expect(lifecycle.names).toEqual(['database', 'connections', 'logs']);
    lifecycle.startAll();
    lifecycle.startAll();
    lifecycle.disposeAll();
    lifecycle.disposeAll();
    expect(log).toEqual([
      'start database',
      'start connections',
      'start logs',
      'dispose logs',
      'dispose connections',
      'dispose database',
    ]);
  });

  it('disposes every service even when one throws, then rethrows the first error', () => {
    const log: string[] = [];
    const lifecycle = new Lifecycles();
    lifecycle.add('a', recorder('a', log));
    lifecycle.add('b', recorder('b', log, true));
    lifecycle.add('c', recorder('c', log, true));
    expect(() => lifecycle.disposeAll()).toThrow('c failed to close');
    expect(log).toEqual(['dispose c', 'dispose b', 'dispose a']);
  });

  it('starts a service registered after the others started, and refuses one after disposal', () => {
    const log: string[] = [];
    const lifecycle = new Lifecycles();
    lifecycle.add('a', recorder('a', log));
    lifecycle.startAll();
    lifecycle.add('probes', recorder('probes', log));
    lifecycle.disposeAll();
    expect(log).toEqual(['start a', 'start probes', 'dispose probes', 'dispose a']);
    expect(() => lifecycle.add('runbooks', recorder('runbooks', log))).toThrow(/after the services were closed/);
  });
});
