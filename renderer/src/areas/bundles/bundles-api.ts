/**
 * The Bundles area's way to main: the bundle list as a hook, the export progress stream, and
 * the two file moves that go through the platform — "Save as" (read the bundle in chunks into
 * a file the user picks) and "Open a file…" (read a picked file in chunks into an import).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BundleFile, ExportProgress } from '../../../../shared/model/bundle';
import type { ControlRoomApi } from '../../../../shared/transport';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import type { PickedFile, Platform, SavedFile } from '../../platform/platform';
import { decodeBase64, encodeBase64 } from '../integrations/artifacts';

export type BundleListState =
  { state: 'loading' } | { state: 'ready'; bundles: BundleFile[] } | { state: 'failed'; message: string };

/**
 * The bundles folder, newest first; read again on `reload()`, when an export is done and after
 * each reconnection.
 */
export function useBundleList(): { list: BundleListState; reload(): void } {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [list, setList] = useState<BundleListState>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('bundles:list', {}).then(
      (bundles) => current && setList({ state: 'ready', bundles: [...bundles].sort(newestFirst) }),
      (error: unknown) => current && setList({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      current = false;
    };
  }, [api, link, epoch, generation]);

  // An export finished anywhere (another window, opsctl through the same app): read again.
  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    api
      .subscribe('bundles:progress', {}, (event) => {
        if (current && event.state === 'done') reload();
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // The list still reads on its own; a reconnect subscribes again.
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch, reload]);

  return { list, reload };
}

function newestFirst(a: BundleFile, b: BundleFile): number {
  return b.created.localeCompare(a.created);
}

/**
 * Progress of every export from the `bundles:progress` stream, latest per export id, while the
 * page is open. Start an export only after `ready()`: a small bundle may be done before a
 * subscription made afterwards would hear of it. An ended export is never shown running again.
 */
export function useExportWatch(): { progressOf(exportId: string): ExportProgress | undefined; ready(): Promise<void> } {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [latest, setLatest] = useState<ReadonlyMap<string, ExportProgress>>(new Map());
  const subscribed = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    subscribed.current = api
      .subscribe('bundles:progress', {}, (event) => {
        if (!current) return;
        setLatest((map) => {
          const held = map.get(event.exportId);
          if (held && held.state !== 'running') return map;
          return new Map(map).set(event.exportId, event);
        });
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // The export goes on without the bar; a reconnect subscribes again.
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch]);

  const progressOf = useCallback((exportId: string) => latest.get(exportId), [latest]);
  const ready = useCallback(() => subscribed.current, []);
  return { progressOf, ready };
}

const BUNDLE_FILTERS = [
  { name: 'Support bundles', extensions: ['gz'] },
  { name: 'All files', extensions: ['*'] },
];

/**
 * Saves a copy of a bundle where the user picks (a save dialog in the desktop app, a download in
 * the browser), read from main in chunks. Undefined when the user canceled.
 */
export async function saveBundleAs(
  api: ControlRoomApi,
  platform: Platform,
  id: string,
): Promise<SavedFile | undefined> {
  const sink = await platform.saveFile({ suggestedName: id, filters: BUNDLE_FILTERS, mimeType: 'application/gzip' });
  if (!sink) return undefined;
  try {
    let offset = 0;
    for (;;) {
      const chunk = await api.invoke('bundles:read', { id, offset });
      const bytes = decodeBase64(chunk.base64);
      if (bytes.length > 0) await sink.write(bytes);
      offset += bytes.length;
      if (chunk.eof || bytes.length === 0) break;
    }
    return await sink.close();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
}

/** What the import reads from a picked file at a time (base64 of it stays under the 1 MB cap). */
const IMPORT_CHUNK = 512 * 1024;

/** Asks for a bundle file and imports it; undefined when the user canceled. A refused file throws its sentence. */
export async function openBundleFile(api: ControlRoomApi, platform: Platform): Promise<BundleFile | undefined> {
  const picked = await platform.openFile({ filters: BUNDLE_FILTERS });
  if (!picked) return undefined;
  try {
    return await importPicked(api, picked);
  } finally {
    await picked.close().catch(() => undefined);
  }
}

async function importPicked(api: ControlRoomApi, picked: PickedFile): Promise<BundleFile | undefined> {
  const { uploadId } = await api.invoke('bundles:importBegin', { name: picked.name });
  try {
    for (let offset = 0; offset < picked.size;) {
      const bytes = await picked.read(offset, IMPORT_CHUNK);
      if (bytes.length === 0) break;
      await api.invoke('bundles:importWrite', { uploadId, base64: encodeBase64(bytes) });
      offset += bytes.length;
    }
  } catch (error) {
    await api.invoke('bundles:importEnd', { uploadId, abort: true }).catch(() => undefined);
    throw error;
  }
  const { bundle } = await api.invoke('bundles:importEnd', { uploadId, abort: false });
  return bundle ?? undefined;
}
