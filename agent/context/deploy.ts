/**
 * The deploy section: which commit, branch and images are running, and when they were deployed.
 *
 * Values come from three kinds of source, first found wins: the agent's environment variables
 * (set by the deploy pipeline), a file the deploy script writes (JSON or KEY=VALUE), and
 * container labels (`org.opencontainers.image.revision`, ...) baked in at image build time.
 * Image tags always come from the running containers: they are what actually runs.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { DeploySection } from '../../shared/model/ops';
import type { AgentConfig } from '../config';
import type { ContainerFacts } from '../docker';

type Deploy = z.infer<typeof DeploySection>;
type Fields = { gitSha: string | null; branch: string | null; deployedAt: string | null };

/** Keys a deploy file may use, compared lower-case without `_` or `-`. */
const FILE_KEYS: Record<keyof Fields, string[]> = {
  gitSha: ['gitsha', 'gitcommit', 'commit', 'commitsha', 'sha', 'revision', 'sourcecommit'],
  branch: ['branch', 'gitbranch', 'ref'],
  deployedAt: ['deployedat', 'deploytime', 'deployed', 'time'],
};
const IMAGE_KEYS = ['imagetags', 'images'];

export async function readDeploy(
  config: AgentConfig['deploy'],
  env: NodeJS.ProcessEnv,
  containers: () => Promise<ContainerFacts[]>,
): Promise<Deploy> {
  const result: Fields = { gitSha: null, branch: null, deployedAt: null };
  const sources: string[] = [];
  const imageTags: Record<string, string> = {};
  const fill = (values: Partial<Fields>, source: string) => {
    let used = false;
    for (const key of ['gitSha', 'branch', 'deployedAt'] as const) {
      const value = values[key];
      if (value && !result[key]) {
        result[key] = key === 'deployedAt' ? normaliseTime(value) : value;
        used = true;
      }
    }
    if (used && !sources.includes(source)) sources.push(source);
  };

  fill({ gitSha: firstEnv(env, config.env.gitSha), branch: firstEnv(env, config.env.branch), deployedAt: firstEnv(env, config.env.deployedAt) }, 'env');

  if (config.file) {
    const file = await readDeployFile(config.file);
    fill(file.fields, 'file');
    if (Object.keys(file.imageTags).length) {
      Object.assign(imageTags, file.imageTags);
      if (!sources.includes('file')) sources.push('file');
    }
  }

  if (config.labels.enabled) {
    // The Docker section reports an unreachable engine; here the other sources still answer.
    const list = await containers().catch(() => null);
    if (list) {
      // Running containers last, so their image wins over an exited replica's older one.
      const ordered = [...list].sort((a, b) => Number(a.state === 'running') - Number(b.state === 'running'));
      for (const c of ordered) imageTags[c.service ?? c.name] = c.image;
      const running = list.filter((c) => c.state === 'running');
      const pool = running.length ? running : list;
      fill(
        {
          gitSha: firstLabel(pool, config.labels.gitSha),
          branch: firstLabel(pool, config.labels.branch),
          deployedAt: firstLabel(pool, config.labels.deployedAt),
        },
        'labels',
      );
      if (list.length && !sources.includes('labels')) sources.push('labels');
    }
  }
  return { ...result, imageTags, sources };
}

function firstEnv(env: NodeJS.ProcessEnv, names: readonly string[]): string | null {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return null;
}

function firstLabel(containers: readonly ContainerFacts[], names: readonly string[]): string | null {
  for (const name of names) {
    for (const c of containers) {
      const value = c.labels[name]?.trim();
      if (value) return value;
    }
  }
  return null;
}

async function readDeployFile(file: string): Promise<{ fields: Partial<Fields>; imageTags: Record<string, string> }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`The deploy file ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`The deploy file ${file} is not valid JSON (${(error as Error).message}).`);
    }
    return fromRecord(parsed as Record<string, unknown>);
  }
  // KEY=VALUE lines, as a shell or a .env file would have them.
  const record: Record<string, string> = {};
  for (const line of trimmed.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    record[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return fromRecord(record);
}

function fromRecord(record: Record<string, unknown>): { fields: Partial<Fields>; imageTags: Record<string, string> } {
  const normalised = new Map<string, unknown>();
  for (const [key, value] of Object.entries(record)) normalised.set(key.toLowerCase().replace(/[_-]/g, ''), value);
  const fields: Partial<Fields> = {};
  for (const field of ['gitSha', 'branch', 'deployedAt'] as const) {
    for (const key of FILE_KEYS[field]) {
      const value = normalised.get(key);
      if (typeof value === 'string' && value.trim()) {
        fields[field] = value.trim();
        break;
      }
      if (typeof value === 'number' && field === 'deployedAt') {
        fields[field] = String(value);
        break;
      }
    }
  }
  const imageTags: Record<string, string> = {};
  for (const key of IMAGE_KEYS) {
    const value = normalised.get(key);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [service, tag] of Object.entries(value as Record<string, unknown>)) if (typeof tag === 'string') imageTags[service] = tag;
    }
  }
  return { fields, imageTags };
}

/** ISO for Unix seconds and parseable dates; anything else is shown as written. */
function normaliseTime(value: string): string {
  if (/^\d{9,11}(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000).toISOString();
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}
