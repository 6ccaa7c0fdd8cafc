/**
 * The search bar's open or closed state over a read-only terminal, the same in the log pane
 * (log-pane.tsx) and the run viewer (areas/runbooks/run-terminal.tsx).
 */
import { useRef, useState } from 'react';

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);

/** What the search needs of a terminal session. */
export interface SearchableTerminal {
  clearSearch(): void;
  focus(): void;
}

export function useTerminalSearch(session: SearchableTerminal | undefined) {
  const [searching, setSearching] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  return {
    searching,
    inputRef,
    /** Ctrl/Cmd+F: opens the bar, or selects what it holds when it is open already. */
    open() {
      setSearching(true);
      requestAnimationFrame(() => inputRef.current?.select());
    },
    /** Esc or the bar's close button: the matches go and the keys return to the terminal. */
    close() {
      session?.clearSearch();
      setSearching(false);
      session?.focus();
    },
    /** The Search tool button. */
    toggle() {
      if (searching) session?.clearSearch();
      setSearching(!searching);
    },
  };
}

/** Whether a key press is the search shortcut: Cmd+F on a Mac, Ctrl+F elsewhere. */
export function isSearchShortcut(event: { metaKey: boolean; ctrlKey: boolean; altKey: boolean; key: string }) {
  const mod = IS_MAC ? event.metaKey : event.ctrlKey;
  return mod && !event.altKey && event.key.toLowerCase() === 'f';
}
