/**
 * An ops event in a few words for the live feed: its kind, a tone, and a one-line summary.
 */
import type { OpsEvent } from '../../../../shared/model/ops';

export type EventKind = OpsEvent['type'];
export type EventTone = 'ok' | 'warn' | 'danger' | 'info' | 'neutral';

export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  container: 'Container',
  'frontend-error': 'Browser error',
  alert: 'Alert',
  probe: 'Probe',
};

export interface EventDescription {
  tone: EventTone;
  /** The main words: a container and what happened to it, an error message, an alert. */
  summary: string;
  /** Where it happened: a compose service, a route and build, an alert's source. */
  detail: string | undefined;
}

const CONTAINER_TONES: Record<string, EventTone> = {
  start: 'ok',
  restart: 'warn',
  unpause: 'ok',
  stop: 'neutral',
  pause: 'warn',
  create: 'neutral',
  destroy: 'neutral',
  remove: 'neutral',
  die: 'danger',
  kill: 'warn',
  oom: 'danger',
};

export function describeEvent(event: OpsEvent): EventDescription {
  switch (event.type) {
    case 'container': {
      const action = event.action.replace(/^health_status:\s*/, 'health: ');
      const tone = event.action.includes('unhealthy')
        ? 'danger'
        : event.action.includes('healthy')
          ? 'ok'
          : (CONTAINER_TONES[event.action] ?? 'neutral');
      return {
        tone,
        summary: `${event.container} ${action}`,
        detail: event.service ? `service ${event.service}` : undefined,
      };
    }
    case 'frontend-error': {
      const { error } = event;
      const parts = [
        error.route,
        error.buildHash ? `build ${error.buildHash}` : undefined,
        error.count > 1 ? `×${error.count}` : undefined,
      ];
      return { tone: 'danger', summary: error.message, detail: parts.filter(Boolean).join(' · ') };
    }
    case 'alert':
      return {
        tone: event.alert.severity === 'critical' ? 'danger' : event.alert.severity === 'warning' ? 'warn' : 'info',
        summary: event.alert.message,
        detail: `${event.alert.severity} · ${event.alert.source}`,
      };
    case 'probe':
      return {
        tone: event.status === 'fail' ? 'danger' : event.status === 'warn' || event.status === 'stale' ? 'warn' : event.status === 'ok' ? 'ok' : 'neutral',
        summary: `${event.probeId} ${event.status}`,
        detail: event.lastResult?.error ?? (event.previous ? `was ${event.previous}` : undefined),
      };
  }
}
