/**
 * What the Overview shows of a Docker host: the engine and its containers, grouped the way
 * docker compose labels them.
 */
import { z } from 'zod';

export const ContainerHealth = z.enum(['healthy', 'unhealthy', 'starting', 'none']);

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string().nullable(),
  service: z.string().nullable(),
  /** Docker's state word: running, exited, restarting, paused, created, dead. */
  state: z.string(),
  health: ContainerHealth,
  image: z.string(),
  createdAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  restartCount: z.number().int(),
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const EngineInfo = z.object({
  version: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  hostname: z.string(),
  cpus: z.number(),
  memoryBytes: z.number(),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const ServiceGroup = z.object({ service: z.string(), containers: z.array(ContainerSummary) });
export const ProjectGroup = z.object({ project: z.string(), services: z.array(ServiceGroup) });

export const DockerOverview = z.object({
  targetId: z.string(),
  fetchedAt: z.string(),
  engine: EngineInfo,
  projects: z.array(ProjectGroup),
  /** Containers without compose labels. */
  ungrouped: z.array(ContainerSummary),
});
export type DockerOverview = z.infer<typeof DockerOverview>;

export const CONTAINER_ACTIONS = ['restart', 'stop', 'start'] as const;
export const ContainerAction = z.enum(CONTAINER_ACTIONS);
export type ContainerAction = z.infer<typeof ContainerAction>;
