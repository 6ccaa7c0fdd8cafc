/**
 * The tabs across the top of Integrations: the probes themselves, and what happens when they
 * fail (alert history, rules, channels, maintenance). Alerts live here rather than in their own
 * area because every alert is about a probe, and the nav's Ctrl/Cmd+1…6 stay as they are.
 *
 * Routes: `#/integrations` (probes), `#/integrations/alerts/<tab>`.
 */
import { hrefOf } from '../../app/routes';
import { SectionTabs } from '../../components/section-tabs';
import { ALERT_TABS, alertsHref, type AlertTab } from './alert-routes';

export { alertTabOf } from './alert-routes';

/** Probes | Alerts, and under Alerts its own four tabs. */
export function IntegrationsTabs({ tab }: { tab: AlertTab | undefined }) {
  const tabs = [
    { id: 'probes', label: 'Probes', href: hrefOf('integrations') },
    ...ALERT_TABS.map((t) => ({ id: t.id, label: t.label, href: alertsHref(t.id) })),
  ];
  return <SectionTabs label="Integrations sections" tabs={tabs} current={tab ?? 'probes'} />;
}
