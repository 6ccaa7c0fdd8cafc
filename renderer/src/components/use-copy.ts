/**
 * Copying to the clipboard with a moment of "Copied": `copy(text)` writes it, `copied` is true for
 * 1.5 s after a write that worked. A refused write (no permission) changes nothing.
 *
 * Through the platform (renderer/src/platform/): the desktop window has no clipboard permission
 * of its own, so there main does the copying.
 */
import { useCallback, useEffect, useState } from 'react';
import { usePlatform } from '../api/api-context';

export function useCopy(): { copied: boolean; copy(text: string): void } {
  const platform = usePlatform();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = useCallback(
    (text: string) => {
      platform.copyText(text).then(
        () => setCopied(true),
        () => undefined,
      );
    },
    [platform],
  );
  return { copied, copy };
}
