/**
 * A choice the UI remembers across launches (the last target of an area), kept with the app's
 * data through `settings:get`/`settings:set`.
 *
 * Not in localStorage: that belongs to the page's origin, and browser mode serves the page on
 * a new port every launch, so each launch would start with an empty one. A value left in
 * localStorage by an earlier version (under `legacyKey`) is carried over once and removed.
 */
import { useCallback, useEffect, useState } from 'react';
import { useApi } from './api-context';

/**
 * `[value, remember]`: the stored string (null when none), or undefined while it is read.
 * A failed read counts as none: the area opens at its default rather than not at all.
 */
export function useRememberedChoice(
  key: string,
  legacyKey?: string,
): [string | null | undefined, (value: string) => void] {
  const api = useApi();
  const [value, setValue] = useState<string | null | undefined>(undefined);

  useEffect(() => {
    let current = true;
    api.invoke('settings:get', { key }).then(
      ({ value: stored }) => {
        if (!current) return;
        if (typeof stored === 'string') return setValue(stored);
        const legacy = takeLegacy(legacyKey);
        setValue(legacy);
        if (legacy !== null) api.invoke('settings:set', { key, value: legacy }).catch(() => undefined);
      },
      () => current && setValue(null),
    );
    return () => {
      current = false;
    };
  }, [api, key, legacyKey]);

  const remember = useCallback(
    (next: string) => {
      setValue(next);
      // Fire and forget: losing it only means opening at the default next time.
      api.invoke('settings:set', { key, value: next }).catch(() => undefined);
    },
    [api, key],
  );
  return [value, remember];
}

function takeLegacy(legacyKey: string | undefined): string | null {
  if (!legacyKey) return null;
  try {
    const value = window.localStorage.getItem(legacyKey);
    window.localStorage.removeItem(legacyKey);
    return value;
  } catch {
    return null; // storage disabled: nothing to carry over
  }
}
