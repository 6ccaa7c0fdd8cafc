/**
 * The log mask's timing, on a fake clock: MaskedCounts sends a source's running count at most
 * every MASKED_EVENT_MS while it changes and always its last total; SecretMask reads the keychain
 * once for a run of changes, keeps its set while the keychain refuses, and tries again every
 * RETRY_MS. The keychain here is the in-memory backend with a switch that makes reads fail as a
 * locked one does (the real keychain's lock is in test/integration/logs/secret-mask-set.test.ts;
 * it cannot be unlocked again there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { keychainError } from '../../../main/services/credentials/keychain-errors';
import { MASKED_EVENT_MS, MaskedCounts, REBUILD_DELAY_MS, RETRY_MS } from '../../../main/services/logs/secret-mask';
import { MASKED_SECRET } from '../../../shared/log-mask';
import { FakeClock } from '../../support/fake-clock';

describe('MaskedCounts', () => {
  it('sends a source’s total at once, then at most every 250 ms while it changes, and the last total', () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const counts = new MaskedCounts((source, total) => sent.push(`${source}=${total}`), clock);
    counts.add('container:a', 2);
    expect(sent).toEqual(['container:a=2']);
    clock.advance(10);
    counts.add('container:a', 1);
    clock.advance(100);
    counts.add('container:a', 3);
    counts.add('container:b', 1);
    counts.add('container:a', 0);
    expect(sent).toEqual(['container:a=2', 'container:b=1']);
    clock.advance(MASKED_EVENT_MS - 110);
    expect(sent).toEqual(['container:a=2', 'container:b=1', 'container:a=6']);
    clock.advance(10 * MASKED_EVENT_MS);
    expect(sent).toHaveLength(3);
    counts.add('container:a', 1);
    expect(sent.at(-1)).toBe('container:a=7');
  });

  it('sends nothing once stopped, not even a total that was waiting', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const counts = new MaskedCounts((_source, total) => sent.push(total), clock);
    counts.add('service:api', 1);
    counts.add('service:api', 1);
    counts.stop();
    clock.advance(MASKED_EVENT_MS);
    counts.add('service:api', 1);
    expect(sent).toEqual([1]);
    expect(clock.pending).toBe(0);
  });
});

/** The in-memory keychain, counting reads, whose reads fail like a locked keychain's when `locked`. */
class SwitchedKeychain extends MemoryCredentialBackend {
  reads = 0;
  locked = false;
  override async get(ref: string) {
    this.reads++;
    if (this.locked) throw keychainError(new Error('Cannot get secret of a locked object'));
    return super.get(ref);
  }
}

describe('SecretMask', () => {
  let dir: string;
  let services: Services | undefined;
  afterEach(() => {
    services?.close();
    services = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start() {
    dir = mkdtempSync(join(tmpdir(), 'cr-mask-unit-'));
    const clock = new FakeClock();
    const keychain = new SwitchedKeychain();
    services = createServices({ dataDir: dir, credentials: keychain, clock, probes: { background: false } });
    return { services, clock, keychain };
  }

  it('reads the keychain once for a run of changes, one ref at a time', async () => {
    const { services, clock, keychain } = start();
    await clock.advanceAsync(0);
    keychain.reads = 0;
    await services.targets.create({
      name: 'edge',
      environment: 'prod',
      kind: 'docker-ssh',
      settings: { host: '127.0.0.1', port: 22, username: 'deploy', socketPath: '/run/docker.sock' },
      secrets: { privateKey: 'key-material-1234', passphrase: 'pass-phrase-1234' },
    });
    await services.runbooks.secrets.set('deploy-token', 'runbook-token-1234');
    // Three writes and a target change so far: nothing read until the changes stop for a moment.
    expect(keychain.reads).toBe(0);
    expect(services.secretMask.maskText('pass-phrase-1234').count).toBe(0);
    await clock.advanceAsync(REBUILD_DELAY_MS);
    await services.secretMask.whenSettled();
    expect(keychain.reads).toBe(3);
    expect(services.secretMask.maskText('a pass-phrase-1234 b runbook-token-1234').text).toBe(`a ${MASKED_SECRET} b ${MASKED_SECRET}`);
  });

  it('keeps masking while the keychain refuses, tries again every minute, and takes the new set once it answers', async () => {
    const { services, clock, keychain } = start();
    await services.runbooks.secrets.set('old-token', 'old-token-1234');
    await clock.advanceAsync(REBUILD_DELAY_MS);
    await services.secretMask.whenSettled();
    keychain.locked = true;
    // Written while reads fail (a write is not a read): the change asks for a read, which is refused.
    await services.runbooks.secrets.set('new-token', 'new-token-1234');
    await clock.advanceAsync(REBUILD_DELAY_MS);
    await services.secretMask.whenSettled();
    expect(services.secretMask.current).toBe(false);
    expect(services.secretMask.maskText('old-token-1234 new-token-1234').text).toBe(`${MASKED_SECRET} new-token-1234`);

    const reads = keychain.reads;
    await clock.advanceAsync(RETRY_MS + REBUILD_DELAY_MS);
    await services.secretMask.whenSettled();
    expect(keychain.reads).toBeGreaterThan(reads);
    expect(services.secretMask.current).toBe(false);

    keychain.locked = false;
    await clock.advanceAsync(RETRY_MS + REBUILD_DELAY_MS);
    await services.secretMask.whenSettled();
    expect(services.secretMask.current).toBe(true);
    expect(services.secretMask.maskText('old-token-1234 new-token-1234').text).toBe(`${MASKED_SECRET} ${MASKED_SECRET}`);
  });
});
