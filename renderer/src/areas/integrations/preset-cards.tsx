/**
 * The starting points for a new probe: the shipped presets (`probes:presets`) as cards, and
 * "From scratch". Shown by the empty Integrations screen and by "Add probe".
 */
import { useEffect, useState } from 'react';
import type { ProbePreset } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { KeyIcon, PlusIcon, WarningIcon } from '../../components/icons';

export function usePresets(): { presets: ProbePreset[] | undefined; error: string | undefined } {
  const api = useApi();
  const [presets, setPresets] = useState<ProbePreset[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    api.invoke('probes:presets', {}).then(
      (list) => current && setPresets(list),
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [api]);
  return { presets, error };
}

export function PresetCards({
  onPick,
  autoFocus = false,
}: {
  onPick(preset: ProbePreset | null): void;
  autoFocus?: boolean;
}) {
  const { presets, error } = usePresets();
  return (
    <div className="preset-picker">
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> {error}
        </p>
      ) : null}
      <ul className="preset-cards" aria-label="Presets" aria-busy={!presets && !error}>
        {(presets ?? []).map((preset, index) => (
          <li key={preset.id}>
            <button
              type="button"
              className="preset-card"
              data-autofocus={autoFocus && index === 0 ? true : undefined}
              data-testid={`preset-${preset.id}`}
              onClick={() => onPick(preset)}
            >
              <span className="preset-title">{preset.title}</span>
              <span className="preset-description">{preset.description}</span>
              <span className="preset-meta">
                <span className="preset-kind mono">{String(preset.draft.kind ?? 'http')}</span>
                {preset.secrets.length ? (
                  <span className="preset-secrets">
                    <KeyIcon size={12} /> {preset.secrets.map((s) => s.label).join(', ')}
                  </span>
                ) : null}
              </span>
            </button>
          </li>
        ))}
        <li>
          <button type="button" className="preset-card preset-scratch" onClick={() => onPick(null)}>
            <span className="preset-title">
              <PlusIcon size={14} /> From scratch
            </span>
            <span className="preset-description">
              Any HTTP, TLS, TCP, DNS, Docker, SSH, GitHub, S3 or ops-API check.
            </span>
          </button>
        </li>
      </ul>
      {!presets && !error ? <p className="loading">Loading presets…</p> : null}
    </div>
  );
}
