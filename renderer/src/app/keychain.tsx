/**
 * Whether the OS keychain can take secrets right now (`credentials:status`).
 *
 * Checked at start, on every (re)connection, when the window regains focus (the user may have
 * just unlocked it) and whenever a request failed with a keychain error.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useApi, useConnectionStatus } from '../api/api-context';

export type KeychainStatus = { state: 'checking' } | { state: 'ready' } | { state: 'unavailable'; message: string };

interface KeychainValue {
  status: KeychainStatus;
  refresh(): void;
}

const KeychainContext = createContext<KeychainValue>({ status: { state: 'checking' }, refresh: () => undefined });

export function KeychainProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { state, epoch } = useConnectionStatus();
  const [status, setStatus] = useState<KeychainStatus>({ state: 'checking' });
  const [checks, setChecks] = useState(0);
  const refresh = useCallback(() => setChecks((n) => n + 1), []);

  useEffect(() => {
    if (state !== 'open') return;
    let current = true;
    api.invoke('credentials:status', {}).then(
      (result) => {
        if (!current) return;
        setStatus(
          result.available
            ? { state: 'ready' }
            : { state: 'unavailable', message: result.message ?? 'The system keychain cannot be used right now.' },
        );
      },
      () => undefined, // The connection banner already says why; the next epoch checks again.
    );
    return () => {
      current = false;
    };
  }, [api, state, epoch, checks]);

  useEffect(() => {
    window.addEventListener('focus', refresh);
    return () => window.removeEventListener('focus', refresh);
  }, [refresh]);

  return <KeychainContext value={{ status, refresh }}>{children}</KeychainContext>;
}

export function useKeychain(): KeychainValue {
  return useContext(KeychainContext);
}
