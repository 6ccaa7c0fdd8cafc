export const REPORTER_IIFE: string;
export const REPORTER_ESM: string;
export function buildReporter(options?: { outRoot?: string; root?: string }): Promise<{ iife: string; esm: string }>;
export function buildAgentServer(options?: { outRoot?: string; root?: string }): Promise<string>;
