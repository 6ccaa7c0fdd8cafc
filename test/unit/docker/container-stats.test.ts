/**
 * readStats: CPU and memory from one stats snapshot, computed the way `docker stats` does, with
 * podman's empty precpu_stats handled by our own previous sample.
 */
import { describe, expect, it } from 'vitest';
import { readStats } from '../../../main/services/docker/container-stats';

const NOW = Date.parse('2024-05-01T10:00:00Z');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('readStats CPU', () => {
  it('uses Docker precpu_stats when present', () => {
    const reading = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 400_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
        precpu_stats: { cpu_usage: { total_usage: 200_000_000 }, system_cpu_usage: 18_000_000_000 },
      },
      // A previous sample of our own must not win over Docker's.
      { total: 0, system: 1, at: NOW - 5_000 },
      '2024-05-01T09:00:00Z',
      NOW,
    );
    // 0.2e9 / 2e9 * 4 cpus * 100
    expect(reading.cpuPercent).toBe(40);
    expect(reading.sample).toEqual({ total: 400_000_000, system: 20_000_000_000, at: NOW });
  });

  it('counts CPUs from percpu_usage when online_cpus is missing', () => {
    const reading = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 300_000_000, percpu_usage: [1, 2] }, system_cpu_usage: 11_000_000_000 },
        precpu_stats: { cpu_usage: { total_usage: 100_000_000 }, system_cpu_usage: 10_000_000_000 },
      },
      undefined,
      null,
      NOW,
    );
    // 0.2e9 / 1e9 * 2 cpus * 100
    expect(reading.cpuPercent).toBe(40);
  });

  it('rounds to one decimal', () => {
    const reading = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 100_000_000 }, system_cpu_usage: 3_000_000_000, online_cpus: 1 },
        precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 2_700_000_000 },
      },
      undefined,
      null,
      NOW,
    );
    expect(reading.cpuPercent).toBe(33.3);
  });

  it("uses the previous sample when podman's precpu_stats is empty", () => {
    const raw = {
      cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 102_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 },
    };
    const reading = readStats(
      raw,
      { total: 1_000_000_000, system: 100_000_000_000, at: NOW - 2_000 },
      '2024-05-01T09:59:00Z',
      NOW,
    );
    // 0.5e9 / 2e9 * 2 cpus * 100; the average since start (1.5e9 ns in 60 s = 2.5 %) would differ.
    expect(reading.cpuPercent).toBe(50);
    expect(reading.sample).toEqual({ total: 1_500_000_000, system: 102_000_000_000, at: NOW });

    // Also when precpu_stats is missing entirely.
    const { precpu_stats: _omit, ...withoutPre } = raw;
    expect(
      readStats(withoutPre, { total: 1_000_000_000, system: 100_000_000_000, at: NOW - 2_000 }, null, NOW).cpuPercent,
    ).toBe(50);
  });

  it('chains: the sample one reading returns is the previous of the next', () => {
    const first = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 50_000_000_000, online_cpus: 1 },
        precpu_stats: {},
      },
      undefined,
      '2024-05-01T09:59:50Z',
      NOW,
    );
    const second = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 1_100_000_000 }, system_cpu_usage: 51_000_000_000, online_cpus: 1 },
        precpu_stats: {},
      },
      first.sample!,
      '2024-05-01T09:59:50Z',
      NOW + 1_000,
    );
    expect(second.cpuPercent).toBe(10);
  });

  it('falls back to the average since the container started without a previous sample', () => {
    const reading = readStats(
      {
        cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 }, system_cpu_usage: 9_000_000_000, online_cpus: 4 },
        precpu_stats: {},
      },
      undefined,
      '2024-05-01T09:59:50Z',
      NOW,
    );
    // 2.5 s of CPU over 10 s of wall time
    expect(reading.cpuPercent).toBe(25);
    expect(reading.sample).toEqual({ total: 2_500_000_000, system: 9_000_000_000, at: NOW });
  });

  it('falls back to the average since start when the previous sample is not older', () => {
    const reading = readStats(
      { cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 }, system_cpu_usage: 9_000_000_000, online_cpus: 4 } },
      { total: 2_500_000_000, system: 9_000_000_000, at: NOW },
      '2024-05-01T09:59:50Z',
      NOW,
    );
    expect(reading.cpuPercent).toBe(25);
  });

  it('averages since start even when the engine gives no system_cpu_usage', () => {
    const reading = readStats(
      { cpu_stats: { cpu_usage: { total_usage: 5_000_000_000 } } },
      undefined,
      '2024-05-01T09:59:50Z',
      NOW,
    );
    expect(reading.cpuPercent).toBe(50);
    expect(reading.sample).toBeNull();
  });

  it('gives no CPU figure without a previous sample or a start time', () => {
    const reading = readStats(
      { cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 }, system_cpu_usage: 9_000_000_000 }, precpu_stats: {} },
      undefined,
      null,
      NOW,
    );
    expect(reading.cpuPercent).toBeNull();
    expect(reading.sample).not.toBeNull();
  });

  it('gives no CPU figure for a start time in the future or unparseable', () => {
    const raw = { cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 } } };
    expect(readStats(raw, undefined, '2024-05-01T10:00:10Z', NOW).cpuPercent).toBeNull();
    expect(readStats(raw, undefined, 'not a time', NOW).cpuPercent).toBeNull();
  });
});

describe('readStats memory', () => {
  it('subtracts inactive_file (cgroup v2) from usage', () => {
    const reading = readStats(
      { memory_stats: { usage: 100 * MiB, limit: 2 * GiB, stats: { inactive_file: 30 * MiB } } },
      undefined,
      null,
      NOW,
    );
    expect(reading.memoryBytes).toBe(70 * MiB);
    expect(reading.memoryLimitBytes).toBe(2 * GiB);
  });

  it('subtracts total_inactive_file (cgroup v1) from usage', () => {
    const reading = readStats(
      { memory_stats: { usage: 100 * MiB, limit: GiB, stats: { total_inactive_file: 40 * MiB, cache: 90 * MiB } } },
      undefined,
      null,
      NOW,
    );
    expect(reading.memoryBytes).toBe(60 * MiB);
  });

  it('subtracts cache when that is all the engine reports', () => {
    const reading = readStats(
      { memory_stats: { usage: 100 * MiB, limit: GiB, stats: { cache: 25 * MiB } } },
      undefined,
      null,
      NOW,
    );
    expect(reading.memoryBytes).toBe(75 * MiB);
  });

  it('reports raw usage without a stats breakdown', () => {
    const reading = readStats({ memory_stats: { usage: 100 * MiB } }, undefined, null, NOW);
    expect(reading.memoryBytes).toBe(100 * MiB);
    expect(reading.memoryLimitBytes).toBeNull();
  });

  it('never goes below zero', () => {
    const reading = readStats(
      { memory_stats: { usage: 10 * MiB, stats: { inactive_file: 20 * MiB } } },
      undefined,
      null,
      NOW,
    );
    expect(reading.memoryBytes).toBe(0);
  });
});

describe('readStats with missing fields', () => {
  it('returns nulls for an empty snapshot (a stopped container)', () => {
    expect(readStats({}, undefined, null, NOW)).toEqual({
      cpuPercent: null,
      memoryBytes: null,
      memoryLimitBytes: null,
      sample: null,
    });
  });

  it('returns nulls, not NaN, when only part of the snapshot is there', () => {
    const reading = readStats(
      { cpu_stats: {}, precpu_stats: {}, memory_stats: { stats: { inactive_file: 5 } } },
      { total: 1, system: 1, at: NOW - 1 },
      '2024-05-01T09:00:00Z',
      NOW,
    );
    expect(reading).toEqual({ cpuPercent: null, memoryBytes: null, memoryLimitBytes: null, sample: null });
  });
});
