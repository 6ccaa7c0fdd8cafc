/**
 * Copies a value (a git SHA, a stack) to the clipboard and says so for a moment.
 */
import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from '../../components/icons';

export function CopyButton({ text, label, what }: { text: string; label?: string; what: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className={`button button-small button-quiet ops-copy ${copied ? 'is-copied' : ''}`}
      aria-label={`Copy ${what}`}
      title={`Copy ${what}`}
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => undefined,
        );
      }}
    >
      {copied ? <CheckIcon size={13} /> : <CopyIcon size={13} />}
      {label !== undefined || copied ? <span>{copied ? 'Copied' : label}</span> : null}
    </button>
  );
}
