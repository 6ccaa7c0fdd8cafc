/**
 * How a target's connection reads in one line.
 */
import type { Target } from '../../../../shared/model/target';
import type { DockerLocalSettings, DockerSshSettings, OpsApiSettings } from './target-form';

export function connectionSummary(target: Target): { main: string; detail?: string } {
  switch (target.kind) {
    case 'ops-api':
      return { main: (target.settings as OpsApiSettings).baseUrl };
    case 'docker-ssh': {
      const s = target.settings as DockerSshSettings;
      return { main: `${s.username}@${s.host}:${s.port}`, detail: s.socketPath };
    }
    case 'docker-local': {
      const s = target.settings as DockerLocalSettings;
      return s.socketPath ? { main: s.socketPath } : { main: 'DOCKER_HOST or /var/run/docker.sock' };
    }
  }
}
