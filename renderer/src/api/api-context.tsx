/**
 * The API and its connection status, handed down through React context.
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ControlRoomApi } from '../../../shared/transport';
import type { ConnectionMonitor, ConnectionStatus } from './host-connection';

interface ApiValue {
  api: ControlRoomApi;
  connection: ConnectionMonitor;
}

const ApiContext = createContext<ApiValue | null>(null);

export function ApiProvider({ api, connection, children }: ApiValue & { children: ReactNode }) {
  return <ApiContext value={{ api, connection }}>{children}</ApiContext>;
}

function useApiValue(): ApiValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi needs an <ApiProvider> above it.');
  return value;
}

export function useApi(): ControlRoomApi {
  return useApiValue().api;
}

export function useConnectionStatus(): ConnectionStatus {
  const { connection } = useApiValue();
  return useSyncExternalStore(connection.onStatus, connection.getStatus);
}
