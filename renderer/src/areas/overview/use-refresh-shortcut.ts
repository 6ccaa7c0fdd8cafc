/**
 * `r` refreshes the target in view, unless the user is typing or a dialog is open. No refresh
 * (undefined) means the key does nothing, for a target that cannot be refreshed right now.
 */
import { useEffect } from 'react';

export function useRefreshShortcut(refresh: (() => void) | undefined) {
  useEffect(() => {
    if (!refresh) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'r' || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (document.querySelector('dialog[open]')) return;
      event.preventDefault();
      refresh();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [refresh]);
}
