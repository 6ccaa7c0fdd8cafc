/** The host section: name, uptime, load and free space on the configured mounts. */
import { statfs } from 'node:fs/promises';
import { hostname, loadavg, uptime } from 'node:os';
import type { z } from 'zod';
import type { HostSection } from '../../shared/model/ops';

export async function readHost(mounts: readonly string[]): Promise<z.infer<typeof HostSection>> {
  const disk = await Promise.all(
    mounts.map(async (mount) => {
      try {
        const stats = await statfs(mount);
        // bavail, not bfree: what an unprivileged process (the product) can still write.
        return { mount, totalBytes: stats.blocks * stats.bsize, freeBytes: stats.bavail * stats.bsize };
      } catch (error) {
        throw new Error(`The mount ${mount} could not be measured (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      }
    }),
  );
  return { name: hostname(), uptimeSeconds: Math.round(uptime()), load: loadavg().map((n) => Math.round(n * 100) / 100), disk };
}
