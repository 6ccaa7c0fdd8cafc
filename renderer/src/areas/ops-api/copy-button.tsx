/**
 * Copies a value (a git SHA, a stack) to the clipboard and says so for a moment.
 */
import { CheckIcon, CopyIcon } from '../../components/icons';
import { useCopy } from '../../components/use-copy';

export function CopyButton({ text, label, what }: { text: string; label?: string; what: string }) {
  const { copied, copy } = useCopy();
  return (
    <button
      type="button"
      className={`button button-small button-quiet ops-copy ${copied ? 'is-copied' : ''}`}
      aria-label={`Copy ${what}`}
      title={`Copy ${what}`}
      onClick={() => copy(text)}
    >
      {copied ? <CheckIcon size={13} /> : <CopyIcon size={13} />}
      {label !== undefined || copied ? <span>{copied ? 'Copied' : label}</span> : null}
    </button>
  );
}
