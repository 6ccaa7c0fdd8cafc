/**
 * A real Docker Engine API for tests: podman's API service on a unix socket, with containers
 * from a busybox image imported from a folder (no registry is reachable here). See docs/testing.md.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopProcess, waitFor } from './keyring';

const exec = promisify(execFile);
export const BUSYBOX_IMAGE = 'local/busybox:latest';

export interface Podman {
  dir: string;
  socketPath: string;
  /** Runs the podman CLI against this instance's storage; resolves with stdout. */
  cli(args: string[]): Promise<string>;
  /** Starts a detached container and returns its id. */
  run(name: string, command: string, labels?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/** A compose project imitated with labels, as `docker compose` would set them. */
export function composeLabels(project: string, service: string): Record<string, string> {
  return { 'com.docker.compose.project': project, 'com.docker.compose.service': service };
}

export async function startPodman(): Promise<Podman> {
  const dir = mkdtempSync(join(tmpdir(), 'cr-podman-'));
  const conf = join(dir, 'containers.conf');
  writeFileSync(
    conf,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]',
      'netns = "none"',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const base = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'tmp')];
  const cli = async (args: string[], input?: NodeJS.ReadableStream) => {
    if (!input) return (await exec('podman', [...base, ...args], { env, maxBuffer: 64 << 20 })).stdout.trim();
    return new Promise<string>((resolve, reject) => {
      const child = spawn('podman', [...base, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c));
      child.stderr.on('data', (c: Buffer) => (err += c));
      input.pipe(child.stdin);
      child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`podman ${args[0]} failed: ${err}`))));
    });
  };

  await importBusybox(dir, cli);
  const socketPath = join(dir, 'podman.sock');
  const service: ChildProcess = spawn('podman', [...base, 'system', 'service', '--time=0', `unix://${socketPath}`], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  await waitFor(() => existsSync(socketPath), 10_000, 'podman did not open its API socket');

  return {
    dir,
    socketPath,
    cli: (args) => cli(args),
    run: async (name, command, labels = {}) => {
      const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
      return cli(['run', '-d', '--name', name, ...labelArgs, BUSYBOX_IMAGE, 'sh', '-c', command]);
    },
    stop: async () => {
      await cli(['rm', '-af', '-t', '0']).catch(() => '');
      await stopProcess(service);
      await unmountUnder(dir);
      // conmon can still be writing into the folder for a moment after the service stops;
      // a leftover temp folder must not fail a test that passed.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
  };
}

/** podman leaves its storage mounted (overlay, shm); unmount before removing the folder. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await exec('umount', ['-l', point]).catch(() => undefined);
}

async function importBusybox(dir: string, cli: (args: string[], input?: NodeJS.ReadableStream) => Promise<string>) {
  const rootfs = join(dir, 'rootfs');
  for (const sub of ['bin', 'etc', 'tmp']) mkdirSync(join(rootfs, sub), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'echo', 'sleep', 'seq', 'cat', 'ls', 'ps', 'env', 'true', 'date', 'kill', 'printf', 'head', 'yes', 'dd']) {
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await cli(['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', '-', BUSYBOX_IMAGE], tar.stdout!);
}
