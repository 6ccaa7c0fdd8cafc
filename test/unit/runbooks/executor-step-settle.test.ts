import { describe, expect, it } from 'vitest';
import { settleAfterAbort } from '../../../main/services/runbooks/executor-step';
import { FakeClock } from '../../support/fake-clock';

describe('settleAfterAbort', () => {
  it('waits for an aborted step to stop on its own within the grace time', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let finish!: (value: string) => void;
    const step = new Promise<string>((resolve) => (finish = resolve));
    const settled = settleAfterAbort(step, controller.signal, clock, 1_000);
    controller.abort(new Error('Canceled by ada.'));
    clock.advance(999);
    finish('put the old container back');
    await expect(settled).resolves.toBe('put the old container back');
    expect(clock.pending).toBe(0);
  });

  it('gives up on a step that ignores the signal once the grace time passed', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const settled = settleAfterAbort(new Promise<string>(() => undefined), controller.signal, clock, 1_000);
    controller.abort(new Error('Canceled by ada.'));
    clock.advance(1_000);
    await expect(settled).rejects.toThrow('Canceled by ada.');
  });

  it('passes a step’s own failure through and sets no timer while nothing aborts', async () => {
    const clock = new FakeClock();
    const settled = settleAfterAbort(Promise.reject(new Error('Step x failed.')), new AbortController().signal, clock, 1_000);
    await expect(settled).rejects.toThrow('Step x failed.');
    expect(clock.pending).toBe(0);
  });
});
