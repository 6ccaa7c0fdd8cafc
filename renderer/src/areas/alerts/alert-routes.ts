/**
 * Where the alerts views live: `#/integrations/alerts/<tab>[/<rest>]` (rest: the history's probe
 * filter).
 */
export const ALERT_TABS = [
  { id: 'history', label: 'Alert history' },
  { id: 'rules', label: 'Rules' },
  { id: 'channels', label: 'Channels' },
  { id: 'maintenance', label: 'Maintenance' },
] as const;

export type AlertTab = (typeof ALERT_TABS)[number]['id'];

/** The alerts tab a route's rest names (`alerts/channels` → channels), or undefined for probes. */
export function alertTabOf(rest: string): { tab: AlertTab; rest: string } | undefined {
  const [head, tab = '', ...more] = rest.split('/');
  if (head !== 'alerts') return undefined;
  const known = ALERT_TABS.find((t) => t.id === tab);
  return { tab: known?.id ?? 'history', rest: known ? more.join('/') : '' };
}

export function alertsHref(tab: AlertTab, rest = ''): string {
  return `#/integrations/alerts/${tab}${rest ? `/${rest}` : ''}`;
}
