/**
 * The search bar's open or closed state over a read-only terminal, the same in the log pane
 * (log-pane.tsx), the run viewer (areas/runbooks/run-terminal.tsx) and a bundle's Logs tab
 * (areas/bundles/bundle-logs.tsx).
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
  /** Ctrl/Cmd+F: opens the bar, or selects what it holds when it is open already. */
  const open = () => {
    setSearching(true);
    requestAnimationFrame(() => inputRef.current?.select());
  };
  /** Esc or the bar's close button: the matches go and the keys return to the terminal. */
  const close = () => {
    session?.clearSearch();
    setSearching(false);
    session?.focus();
  };
  return {
    searching,
    inputRef,
    open,
    close,
    /** The Search tool button. */
    toggle() {
      if (searching) session?.clearSearch();
      setSearching(!searching);
    },
    /**
     * The keys of a view that holds only the terminal and its search: Ctrl/Cmd+F opens the
     * search, Esc closes an open one and goes no further (the page's own Esc waits for the next).
     */
    onKeyDown(event: SearchKeyEvent) {
      if (isSearchShortcut(event)) {
        event.preventDefault();
        open();
      } else if (event.key === 'Escape' && searching) {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    },
  };
}

interface SearchKeyEvent {
  metaKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  key: string;
  preventDefault(): void;
  stopPropagation(): void;
}

/** Whether a key press is the search shortcut: Cmd+F on a Mac, Ctrl+F elsewhere. */
export function isSearchShortcut(event: Pick<SearchKeyEvent, 'metaKey' | 'ctrlKey' | 'altKey' | 'key'>) {
  const mod = IS_MAC ? event.metaKey : event.ctrlKey;
  return mod && !event.altKey && event.key.toLowerCase() === 'f';
}
