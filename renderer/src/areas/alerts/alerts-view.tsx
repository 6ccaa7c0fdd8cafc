/**
 * The alerts side of Integrations (`#/integrations/alerts/<tab>`): the alert history, rules and
 * dependencies, channels, and maintenance windows.
 */
import type { ProbeSummary } from '../../../../shared/model/probe';
import { ChannelsView } from './channels-view';
import { HistoryView } from './history-view';
import type { AlertTab } from './alert-routes';
import { MaintenanceView } from './maintenance-view';
import { RulesView } from './rules-view';
import '../../styles/alerts.css';

interface AlertsViewProps {
  tab: AlertTab;
  /** What follows the tab: a probe id for the history's filter. */
  rest: string;
  summaries: ProbeSummary[];
  now: number;
}

export function AlertsView({ tab, rest, summaries, now }: AlertsViewProps) {
  switch (tab) {
    case 'history':
      return (
        <HistoryView summaries={summaries} probeId={/^[a-z0-9-]{1,64}$/.test(rest) ? rest : undefined} now={now} />
      );
    case 'rules':
      return <RulesView summaries={summaries} />;
    case 'channels':
      return <ChannelsView />;
    case 'maintenance':
      return <MaintenanceView summaries={summaries} now={now} />;
  }
}
