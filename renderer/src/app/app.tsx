/**
 * The whole UI for a connected API: providers, shell and the current area.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import type { ControlRoomApi } from '../../../shared/transport';
import { ApiProvider, useConnectionStatus } from '../api/api-context';
import type { ConnectionMonitor } from '../api/host-connection';
import type { Platform } from '../platform/platform';
import { OverviewArea } from '../areas/overview-area';
import { TargetsArea } from '../areas/targets/targets-area';
import { AppShell } from './app-shell';
import { ConnectionsProvider } from './connections-store';
import { KeychainProvider } from './keychain';
import { useRoute } from './routes';
import { TargetsProvider } from './targets-store';
import { CannotConnect } from './start-screens';

// xterm and its addons are most of a megabyte: loaded when the Logs area is first opened.
const LogsArea = lazy(() => import('../areas/logs/logs-area').then((module) => ({ default: module.LogsArea })));
// uPlot (the history chart) is loaded when the Integrations area is first opened.
const IntegrationsArea = lazy(() =>
  import('../areas/integrations/integrations-area').then((module) => ({ default: module.IntegrationsArea })),
);
// The run viewer uses the Logs area's terminal (xterm): loaded when Runbooks is first opened.
const RunbooksArea = lazy(() =>
  import('../areas/runbooks/runbooks-area').then((module) => ({ default: module.RunbooksArea })),
);
// A bundle's logs use the Logs area's terminal (xterm): loaded when Bundles is first opened.
const BundlesArea = lazy(() =>
  import('../areas/bundles/bundles-area').then((module) => ({ default: module.BundlesArea })),
);

export function App({
  api,
  connection,
  platform,
}: {
  api: ControlRoomApi;
  connection: ConnectionMonitor;
  platform: Platform;
}) {
  return (
    <ApiProvider api={api} connection={connection} platform={platform}>
      <ConnectionGate>
        <KeychainProvider>
          <TargetsProvider>
            <ConnectionsProvider>
              <AppShell>
                <CurrentArea />
              </AppShell>
            </ConnectionsProvider>
          </TargetsProvider>
        </KeychainProvider>
      </ConnectionGate>
    </ApiProvider>
  );
}

/** Until a first connection succeeds there is nothing to show; if it fails, say why. */
function ConnectionGate({ children }: { children: ReactNode }) {
  const { everOpened, failures } = useConnectionStatus();
  if (everOpened) return children;
  return failures === 0 ? <Connecting /> : <CannotConnect />;
}

function Connecting() {
  return (
    <div className="start-screen" aria-busy="true">
      <p className="muted">Connecting to Control Room…</p>
    </div>
  );
}

function CurrentArea() {
  const { area, rest } = useRoute();
  switch (area) {
    case 'overview':
      return <OverviewArea />;
    case 'logs':
      return (
        <Suspense fallback={<p className="loading area">Loading…</p>}>
          <LogsArea rest={rest} />
        </Suspense>
      );
    case 'targets':
      return <TargetsArea rest={rest} />;
    case 'integrations':
      return (
        <Suspense fallback={<p className="loading area">Loading…</p>}>
          <IntegrationsArea rest={rest} />
        </Suspense>
      );
    case 'runbooks':
      return (
        <Suspense fallback={<p className="loading area">Loading…</p>}>
          <RunbooksArea rest={rest} />
        </Suspense>
      );
    case 'bundles':
      return (
        <Suspense fallback={<p className="loading area">Loading…</p>}>
          <BundlesArea rest={rest} />
        </Suspense>
      );
  }
}
