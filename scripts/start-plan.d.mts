export type StartPlan =
  | { mode: 'desktop'; binary: string; version: string; rebuild: string | null }
  | { mode: 'browser'; why: string | null };
export function electronBinary(root: string): string | undefined;
export function hasDisplay(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): boolean;
export function planStart(options: { root: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; binary?: string | undefined }): StartPlan;
