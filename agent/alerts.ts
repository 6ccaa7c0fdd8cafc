/**
 * Alerts the agent can tell by itself: containers that are unhealthy, restarting, dead or exited
 * with an error, an engine that cannot be reached, and bursts of browser errors.
 *
 * Ids are stable (`container:<name>:unhealthy`), so the monitor can announce only alerts that
 * are new on the events WebSocket, and the console can tell the same alert across refreshes.
 */
import type { OpsAlert } from '../shared/model/ops';
import type { ContainerFacts } from './docker';
import type { BeaconStore } from './frontend/beacon-store';

export function containerAlerts(containers: readonly ContainerFacts[], now: string): OpsAlert[] {
  const alerts: OpsAlert[] = [];
  for (const c of containers) {
    const label = c.service && c.service !== c.name ? `${c.name} (${c.service})` : c.name;
    const source = `docker:${c.name}`;
    if (c.health === 'unhealthy') {
      alerts.push({ id: `container:${c.name}:unhealthy`, severity: 'critical', message: `${label} is unhealthy.`, since: c.startedAt ?? now, source });
    }
    if (c.state === 'restarting') {
      alerts.push({
        id: `container:${c.name}:restarting`,
        severity: 'warning',
        message: `${label} is restarting (${c.restarts} restart${c.restarts === 1 ? '' : 's'} so far).`,
        since: c.finishedAt ?? now,
        source,
      });
    } else if (c.state === 'dead') {
      alerts.push({ id: `container:${c.name}:dead`, severity: 'critical', message: `${label} is dead.`, since: c.finishedAt ?? now, source });
    } else if (c.state === 'exited' && c.exitCode !== null && c.exitCode !== 0) {
      alerts.push({
        id: `container:${c.name}:exited`,
        severity: 'warning',
        message: `${label} exited with code ${c.exitCode}.`,
        since: c.finishedAt ?? now,
        source,
      });
    }
  }
  return alerts;
}

export function dockerDownAlert(error: string, now: string): OpsAlert {
  return { id: 'docker:unreachable', severity: 'critical', message: error, since: now, source: 'docker' };
}

export function frontendAlerts(store: BeaconStore, threshold: number, windowSeconds: number, nowMs: number): OpsAlert[] {
  const count = store.countSince(nowMs - windowSeconds * 1000);
  if (count < threshold) return [];
  const minutes = Math.round(windowSeconds / 60);
  return [
    {
      id: 'frontend:burst',
      severity: 'warning',
      message: `${count} browser errors in the last ${minutes === 1 ? 'minute' : minutes > 1 ? `${minutes} minutes` : `${windowSeconds} s`}.`,
      since: new Date(nowMs - windowSeconds * 1000).toISOString(),
      source: 'frontend',
    },
  ];
}
