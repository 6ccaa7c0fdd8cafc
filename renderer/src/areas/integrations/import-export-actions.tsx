/**
 * The Integrations screen's Import menu (a Gatus config.yaml, or a Control Room probe file) and
 * its Export YAML button, with the import dialog they open.
 *
 * Files go through the platform (renderer/src/platform/): the system dialogs in the desktop app,
 * a file input and a download in the browser. The file's text is planned in main; the dialog
 * shows the plan and saves only what the user confirms.
 */
import { useEffect, useRef, useState } from 'react';
import type { ProbeImportPlan } from '../../../../shared/model/probe-import';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { ImportIcon } from '../../components/icons';
import { saveText, type PickedFile } from '../../platform/platform';
import { ImportDialog } from './import-dialog';

/** Larger than any monitoring config; the contract refuses more. */
const MAX_FILE_BYTES = 4_000_000;
const YAML_FILTERS = [{ name: 'YAML', extensions: ['yaml', 'yml'] }];

type Source = 'gatus' | 'control-room';

export function ImportExportActions({
  onNotice,
  exportIds,
}: {
  onNotice(text: string, tone?: 'ok' | 'error'): void;
  /** The probes the filters show, when they hide some: Export writes only these. */
  exportIds?: readonly string[] | undefined;
}) {
  const api = useApi();
  const platform = usePlatform();
  const [menu, setMenu] = useState(false);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<{ fileName: string; plan: ProbeImportPlan }>();
  const anchor = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!menu) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !anchor.current?.contains(event.target as Node))
        setMenu(false);
    };
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', close);
    };
  }, [menu]);

  async function importFrom(source: Source) {
    setMenu(false);
    // Asked straight from the click: a browser opens its file picker only during a user gesture.
    const picked = await platform.openFile({ filters: YAML_FILTERS }).catch((error: unknown) => {
      onNotice(toApiError(error).message, 'error');
      return undefined;
    });
    if (!picked) return;
    setBusy(true);
    try {
      const text = await readText(picked);
      const plan = await api.invoke(source === 'gatus' ? 'probes:importGatus' : 'probes:importYaml', { text });
      setOpen({ fileName: picked.name, plan });
    } catch (error) {
      onNotice(toApiError(error).message, 'error');
    } finally {
      await picked.close().catch(() => undefined);
      setBusy(false);
    }
  }

  async function exportAll() {
    setBusy(true);
    try {
      const { text, count } = await api.invoke('probes:exportYaml', exportIds ? { ids: [...exportIds] } : {});
      const saved = await saveText(
        platform,
        {
          suggestedName: 'control-room-probes.yaml',
          filters: YAML_FILTERS,
          mimeType: 'application/yaml;charset=utf-8',
        },
        text,
      );
      if (saved)
        onNotice(
          `Exported ${count} ${count === 1 ? 'probe' : 'probes'} to ${saved.path ?? saved.name} — secret names only, no values.`,
        );
    } catch (error) {
      onNotice(toApiError(error).message, 'error');
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="probe-import-anchor" ref={anchor}>
        <button
          type="button"
          className="button button-quiet"
          aria-haspopup="menu"
          aria-expanded={menu}
          disabled={busy}
          onClick={() => setMenu(!menu)}
        >
          <ImportIcon size={14} /> Import
        </button>
        {menu ? (
          <div className="probe-import-menu" role="menu">
            <button
              type="button"
              role="menuitem"
              className="probe-import-menu-item"
              onClick={() => void importFrom('gatus')}
            >
              <strong>Gatus config…</strong>
              <span className="muted">Endpoints from a Gatus config.yaml</span>
            </button>
            <button
              type="button"
              role="menuitem"
              className="probe-import-menu-item"
              onClick={() => void importFrom('control-room')}
            >
              <strong>Control Room YAML…</strong>
              <span className="muted">Probes exported from Control Room</span>
            </button>
          </div>
        ) : null}
      </div>
      <button
        type="button"
        className="button button-quiet"
        onClick={() => void exportAll()}
        disabled={busy || exportIds?.length === 0}
        title={`${exportIds ? `The ${exportIds.length} probes shown` : 'Every probe'} as YAML; secrets are named, never written`}
      >
        Export YAML
      </button>
      {open ? (
        <ImportDialog
          fileName={open.fileName}
          plan={open.plan}
          onClose={() => setOpen(undefined)}
          onApplied={(result) =>
            onNotice(
              `Imported ${result.created.length} ${result.created.length === 1 ? 'probe' : 'probes'}${result.failed.length ? `, ${result.failed.length} refused` : ''}.`,
              result.failed.length ? 'error' : 'ok',
            )
          }
        />
      ) : null}
    </>
  );
}

/** The whole file as UTF-8 text, refusing one too large to be a configuration. */
async function readText(file: PickedFile): Promise<string> {
  if (file.size > MAX_FILE_BYTES)
    throw new Error(
      `${file.name} is ${Math.round(file.size / 1_000_000)} MB — a monitoring config is far smaller; pick the config.yaml itself.`,
    );
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < file.size;) {
    const chunk = await file.read(offset, Math.min(256 * 1024, file.size - offset));
    if (!chunk.length) break;
    parts.push(chunk);
    offset += chunk.length;
  }
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
