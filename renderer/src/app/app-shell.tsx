/**
 * The frame around every area: header (name, keychain status), banners, left navigation.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useApi, useConnectionStatus } from '../api/api-context';
import { AREA_ICONS, WarningIcon } from '../components/icons';
import { COMMAND_SHORTCUT_LABEL, CommandBar, useCommandBar } from '../areas/runbooks/command-bar';
import { useKeychain } from './keychain';
import { AREAS, hrefOf, navigate, useRoute, type AreaId } from './routes';
import { useTargets } from './targets-store';

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';

export function AppShell({ children }: { children: ReactNode }) {
  const route = useRoute();
  useAreaShortcuts();
  const commandBar = useCommandBar();
  return (
    <div className="shell">
      <Header onCommand={commandBar.show} />
      {commandBar.open ? <CommandBar onClose={commandBar.close} /> : null}
      <Banners />
      <div className="shell-body">
        <Sidebar current={route.area} />
        <main className="shell-main" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}

/** Ctrl/Cmd+1…6 switch areas, except while a dialog is open (it would lose what was typed). */
function useAreaShortcuts() {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const modifier = IS_MAC ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
      if (!modifier || event.altKey || event.shiftKey) return;
      const index = Number(event.key) - 1;
      const area = AREAS[index];
      if (!area || !/^[1-9]$/.test(event.key)) return;
      if (document.querySelector('dialog[open]')) return;
      event.preventDefault();
      navigate(area.id);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

function Header({ onCommand }: { onCommand(): void }) {
  const { status } = useKeychain();
  return (
    <header className="shell-header">
      <div className="brand">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span className="brand-name">Control Room</span>
      </div>
      <div className="header-status">
        <button
          type="button"
          className="button command-launcher"
          aria-keyshortcuts={IS_MAC ? 'Meta+K' : 'Control+K'}
          onClick={onCommand}
        >
          <kbd aria-hidden="true">{COMMAND_SHORTCUT_LABEL}</kbd> Run a command
        </button>
        <ModeTag />
        <div
          className={`keychain-status keychain-${status.state}`}
          role="status"
          aria-label={
            status.state === 'ready'
              ? 'Keychain ready'
              : status.state === 'unavailable'
                ? 'Keychain unavailable'
                : 'Checking the keychain'
          }
          title={status.state === 'unavailable' ? status.message : 'Secrets are stored in the system keychain.'}
        >
          <span className="status-dot" aria-hidden="true" />
          <span aria-hidden="true">
            {status.state === 'ready'
              ? 'Keychain ready'
              : status.state === 'unavailable'
                ? 'Keychain unavailable'
                : 'Keychain…'}
          </span>
        </div>
      </div>
    </header>
  );
}

function ModeTag() {
  const api = useApi();
  const [info, setInfo] = useState<{ mode: string; version: string }>();
  useEffect(() => {
    let current = true;
    api.invoke('app:info', {}).then(
      (result) => current && setInfo(result),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);
  if (!info) return null;
  return (
    <span className="mode-tag" title={`Control Room ${info.version}`}>
      {info.mode === 'browser' ? 'Browser mode' : 'Desktop'} · v{info.version}
    </span>
  );
}

function Banners() {
  const { state, everOpened } = useConnectionStatus();
  const { status } = useKeychain();
  return (
    <div className="banners">
      {state === 'reconnecting' && everOpened ? (
        <div className="banner banner-danger" role="alert">
          <span className="spinner" aria-hidden="true" />
          Lost the connection to Control Room — reconnecting…
        </div>
      ) : null}
      {status.state === 'unavailable' ? (
        <div className="banner banner-warning" role="alert">
          <WarningIcon size={16} />
          <span>
            <strong>Secrets can’t be saved right now.</strong> {status.message}
          </span>
        </div>
      ) : null}
    </div>
  );
}

function Sidebar({ current }: { current: AreaId }) {
  const targets = useTargets();
  const count = targets.state === 'ready' ? targets.targets.length : undefined;
  const prod = targets.state === 'ready' ? targets.targets.filter((t) => t.environment === 'prod').length : 0;
  return (
    <nav className="sidebar" aria-label="Areas">
      <ul>
        {AREAS.map((area, index) => {
          const Icon = AREA_ICONS[area.id];
          return (
            <li key={area.id}>
              <a
                href={hrefOf(area.id)}
                className={`nav-item ${current === area.id ? 'is-current' : ''}`}
                aria-current={current === area.id ? 'page' : undefined}
                aria-keyshortcuts={`${IS_MAC ? 'Meta' : 'Control'}+${index + 1}`}
                title={`${area.label} (${MOD}${index + 1})`}
              >
                <Icon />
                <span className="nav-label">{area.label}</span>
                {area.id === 'targets' && count !== undefined ? (
                  <span className={`nav-count ${prod ? 'has-prod' : ''}`} aria-hidden="true">
                    {count}
                  </span>
                ) : (
                  <kbd className="nav-shortcut" aria-hidden="true">
                    {MOD}
                    {index + 1}
                  </kbd>
                )}
              </a>
            </li>
          );
        })}
      </ul>
      <p className="sidebar-footer">Secrets stay in your system keychain and never reach this window.</p>
    </nav>
  );
}
