/**
 * docker-tunnel: how fast a large `docker logs` read travels through Control Room's SSH tunnel
 * (one ssh2 connection, a forwarded channel per HTTP connection) compared with OpenSSH's own
 * forwarding of the same remote Docker socket (`ssh -L local.sock:remote.sock`), in the same run,
 * against the same real container. Rounds alternate so machine noise hits both sides alike.
 *
 * Last line: `docker-tunnel ratio=<ours/openssh> goal=0.8`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { SshDockerConnection } from '../../main/services/connections/docker-connection';
import { startPodman } from '../support/podman';
import { startSshd } from '../support/sshd';
import { stopProcess, waitFor } from '../support/keyring';

const GOAL = 0.8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const LINES = Number(process.env.BENCH_LINES ?? 400_000); // × 101 bytes ≈ 40 MB of log

async function readLogs(docker: Docker, id: string): Promise<{ bytes: number; seconds: number }> {
  const started = process.hrtime.bigint();
  // follow=false: podman ends a followed read of an exited container early; the whole log in
  // one response is the same work for both sides.
  const body = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return { bytes: body.length, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  const [sshd, podman] = await Promise.all([startSshd(), startPodman()]);
  const cleanup: (() => Promise<void> | void)[] = [() => podman.stop(), () => sshd.dispose()];
  try {
    const line = '0'.repeat(100);
    const id = await podman.run('log-source', `yes ${line} | head -n ${LINES}`);
    await podman.cli(['wait', id]);

    // Ours: the app's own connection class, exactly as the Overview and Logs use it.
    const ours = new SshDockerConnection({
      label: 'bench',
      host: '127.0.0.1',
      port: sshd.port,
      username: 'root',
      socketPath: podman.socketPath,
      pinnedFingerprint: await sshd.hostKeyFingerprint(),
      credentials: async () => ({ privateKey: sshd.clientPrivateKey }),
    });
    cleanup.unshift(() => ours.close());
    await ours.ready();

    // Baseline: OpenSSH forwarding a local unix socket to the same remote socket.
    const localSocket = join(sshd.dir, 'forwarded-docker.sock');
    const ssh = spawn(
      'ssh',
      [
        '-N', '-T', '-i', sshd.clientKeyPath, '-p', String(sshd.port),
        '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
        '-o', 'StreamLocalBindUnlink=yes', '-o', 'ExitOnForwardFailure=yes',
        '-L', `${localSocket}:${podman.socketPath}`, 'root@127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cleanup.unshift(() => stopProcess(ssh));
    await waitFor(() => existsSync(localSocket), 10_000, 'ssh -L did not open its socket');
    const openssh = new Docker({ socketPath: localSocket });

    const warm = await readLogs(ours.docker, id);
    await readLogs(openssh, id);
    console.log(`log size: ${(warm.bytes / 1e6).toFixed(1)} MB, ${ROUNDS} rounds each, alternating`);

    const oursRates: number[] = [];
    const opensshRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await readLogs(ours.docker, id);
      const b = await readLogs(openssh, id);
      if (a.bytes !== b.bytes) throw new Error(`the two reads differ: ${a.bytes} vs ${b.bytes} bytes`);
      oursRates.push(a.bytes / a.seconds);
      opensshRates.push(b.bytes / b.seconds);
      console.log(`round ${round + 1}: ours ${(a.bytes / a.seconds / 1e6).toFixed(1)} MB/s, openssh ${(b.bytes / b.seconds / 1e6).toFixed(1)} MB/s`);
    }
    const oursMedian = median(oursRates);
    const opensshMedian = median(opensshRates);
    console.log(`median: ours ${(oursMedian / 1e6).toFixed(1)} MB/s, openssh ${(opensshMedian / 1e6).toFixed(1)} MB/s`);
    const ratio = oursMedian / opensshMedian;
    console.log(`docker-tunnel ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    process.exitCode = ratio >= GOAL ? 0 : 1;
  } finally {
    for (const step of cleanup) await step();
  }
}

main().catch((error: unknown) => {
  console.error(`docker-tunnel: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
