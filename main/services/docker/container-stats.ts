/**
 * CPU and memory from one `stats` snapshot, the way `docker stats` computes them.
 *
 * CPU needs two samples. Docker's one-shot stats carry the previous one (precpu_stats); podman's
 * leave it empty, so the previous snapshot we took of that container is used instead, and
 * failing that the average since the container started.
 */
export interface CpuSample {
  total: number;
  system: number;
  at: number;
}

interface RawStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: { cache?: number; inactive_file?: number; total_inactive_file?: number } };
}

export interface StatsReading {
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  sample: CpuSample | null;
}

export function readStats(raw: RawStats, previous: CpuSample | undefined, startedAt: string | null, now: number): StatsReading {
  const cpu = raw.cpu_stats;
  const total = cpu?.cpu_usage?.total_usage;
  const system = cpu?.system_cpu_usage;
  const cpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  let cpuPercent: number | null = null;
  const sample = typeof total === 'number' && typeof system === 'number' ? { total, system, at: now } : null;

  const pre = raw.precpu_stats;
  if (sample && pre?.system_cpu_usage && typeof pre.cpu_usage?.total_usage === 'number') {
    cpuPercent = percent(sample.total - pre.cpu_usage.total_usage, sample.system - pre.system_cpu_usage, cpus);
  } else if (sample && previous && sample.system > previous.system) {
    cpuPercent = percent(sample.total - previous.total, sample.system - previous.system, cpus);
  } else if (typeof total === 'number' && startedAt) {
    const elapsedNs = (now - Date.parse(startedAt)) * 1e6;
    if (elapsedNs > 0) cpuPercent = round((total / elapsedNs) * 100);
  }

  const memory = raw.memory_stats;
  const cache = memory?.stats?.inactive_file ?? memory?.stats?.total_inactive_file ?? memory?.stats?.cache ?? 0;
  const memoryBytes = typeof memory?.usage === 'number' ? Math.max(0, memory.usage - cache) : null;
  return { cpuPercent, memoryBytes, memoryLimitBytes: memory?.limit ?? null, sample };
}

function percent(cpuDelta: number, systemDelta: number, cpus: number): number | null {
  if (systemDelta <= 0 || cpuDelta < 0) return null;
  return round((cpuDelta / systemDelta) * cpus * 100);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
