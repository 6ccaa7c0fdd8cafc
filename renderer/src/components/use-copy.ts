/**
 * Copying to the clipboard with a moment of "Copied": `copy(text)` writes it, `copied` is true for
 * 1.5 s after a write that worked. A refused write (no permission) changes nothing.
 */
import { useCallback, useEffect, useState } from 'react';

export function useCopy(): { copied: boolean; copy(text: string): void } {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = useCallback((text: string) => {
    navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => undefined,
    );
  }, []);
  return { copied, copy };
}
