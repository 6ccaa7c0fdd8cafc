/**
 * node/map-limit.ts: every item once, in order, never more than `limit` at a time.
 */
import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../node/map-limit';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapLimit', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const out = await mapLimit(items, 4, async (n) => {
      running++;
      most = Math.max(most, running);
      // Later items finish sooner: the order must still come from the input.
      await new Promise((resolve) => setTimeout(resolve, 25 - n));
      running--;
      return n * 2;
    });
    expect(out).toEqual(items.map((n) => n * 2));
    expect(most).toBe(4);
  });

  it('answers an empty list at once, and treats a limit below 1 as 1', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    let running = 0;
    let most = 0;
    await mapLimit([1, 2, 3], 0, async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(most).toBe(1);
  });

  it('rejects with the first error', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        await tick();
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});
