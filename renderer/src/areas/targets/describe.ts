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

/** A pinned SSH host key in short form: `SHA256:AbCd…WxYz`. */
export function shortFingerprint(fingerprint: string): string {
  const [algorithm, hash = ''] = fingerprint.includes(':') ? fingerprint.split(/:(.*)/s) : ['', fingerprint];
  const short = hash.length > 14 ? `${hash.slice(0, 6)}…${hash.slice(-6)}` : hash;
  return algorithm ? `${algorithm}:${short}` : short;
}
