export const NATIVE_MODULES: string[];
export const NATIVE_FOLDER: string;
export const ELECTRON_HEADERS: string;
export function electronVersion(root: string): string | null;
export function nativeDir(root: string, version: string): string;
export function moduleVersions(root: string, modules?: string[]): Record<string, string | null>;
export function rebuildReason(root: string, version: string, modules?: string[]): string | null;
export function buildNativeModules(options: {
  root: string;
  version: string;
  modules?: string[];
  distUrl?: string | null;
  gypArgs?: string[];
  quiet?: boolean;
}): Promise<string>;
