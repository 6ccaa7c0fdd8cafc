/**
 * How a target's connection reads in the UI: the one-liner every view shares (`describeTarget`),
 * plus the Docker socket of an SSH target as a second, quieter line.
 */
import { describeTarget, type Target } from '../../../../shared/model/target';

export function connectionSummary(target: Target): { main: string; detail?: string } {
  const main = describeTarget(target);
  return target.kind === 'docker-ssh' ? { main, detail: target.settings.socketPath } : { main };
}

/** A pinned SSH host key in short form: `SHA256:AbCd…WxYz`. */
export function shortFingerprint(fingerprint: string): string {
  const [algorithm, hash = ''] = fingerprint.includes(':') ? fingerprint.split(/:(.*)/s) : ['', fingerprint];
  const short = hash.length > 14 ? `${hash.slice(0, 6)}…${hash.slice(-6)}` : hash;
  return algorithm ? `${algorithm}:${short}` : short;
}
