/**
 * `Promise.all` over a list with at most `limit` calls in flight.
 *
 * Inspecting every container of an engine at once would open as many requests as there are
 * containers (hundreds on a busy host, over one SSH channel in the app); a handful at a time is
 * as fast and kind to the engine. Results keep the order of `items`; the first rejection rejects
 * the whole, as `Promise.all` does (the calls already started still run to their end).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
