/**
 * The tabs across the top of Integrations: the probes themselves, and what happens when they
 * fail (alert history, rules, channels, maintenance). Alerts live here rather than in their own
 * area because every alert is about a probe, and the nav's Ctrl/Cmd+1…6 stay as they are.
 *
 * Routes: `#/integrations` (probes), `#/integrations/alerts/<tab>`.
 */
import { hrefOf } from '../../app/routes';
import { ALERT_TABS, alertsHref, type AlertTab } from './alert-routes';

export { alertTabOf } from './alert-routes';

/** Probes | Alerts, and under Alerts its own four tabs. */
export function IntegrationsTabs({ tab }: { tab: AlertTab | undefined }) {
  return (
    <nav className="integrations-tabs" aria-label="Integrations sections">
      <ul className="tab-row">
        <li>
          <a href={hrefOf('integrations')} className="tab" aria-current={tab ? undefined : 'page'}>
            Probes
          </a>
        </li>
        {ALERT_TABS.map((t) => (
          <li key={t.id}>
            <a href={alertsHref(t.id)} className="tab" aria-current={tab === t.id ? 'page' : undefined}>
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
