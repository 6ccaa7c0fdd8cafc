/**
 * The API, its connection status and the platform (links, clipboard, files), handed down
 * through React context.
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ControlRoomApi } from '../../../shared/transport';
import type { Platform } from '../platform/platform';
import type { ConnectionMonitor, ConnectionStatus } from './host-connection';

interface ApiValue {
  api: ControlRoomApi;
  connection: ConnectionMonitor;
  platform: Platform;
}

const ApiContext = createContext<ApiValue | null>(null);

export function ApiProvider({ api, connection, platform, children }: ApiValue & { children: ReactNode }) {
  return <ApiContext value={{ api, connection, platform }}>{children}</ApiContext>;
}

function useApiValue(): ApiValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi needs an <ApiProvider> above it.');
  return value;
}

export function useApi(): ControlRoomApi {
  return useApiValue().api;
}

/** Links, clipboard and files, the way this window may use them. */
export function usePlatform(): Platform {
  return useApiValue().platform;
}

export function useConnectionStatus(): ConnectionStatus {
  const { connection } = useApiValue();
  return useSyncExternalStore(connection.onStatus, connection.getStatus);
}
