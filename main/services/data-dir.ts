/**
 * Where Control Room keeps its data: one directory for the desktop app, browser mode and opsctl.
 *
 * `$CONTROL_ROOM_DATA_DIR` when set (tests, a second profile), else the XDG data directory on
 * Linux, else the platform's usual place. Desktop builds before this kept the store in
 * Electron's userData, which on Linux is another folder (`~/.config/Control Room`), so opsctl and
 * browser mode could not see the desktop app's targets; `openDataDir` moves such a store over
 * once.
 */
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The store's file name (main/services/store/database.ts DATABASE_FILE, kept apart so this module loads no SQLite). */
export const STORE_FILE = 'control-room.sqlite';

/** SQLite's files beside the store: the WAL (committed rows not yet in the main file), its index, a rollback journal. */
const SIDECARS = ['-wal', '-shm', '-journal'];

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CONTROL_ROOM_DATA_DIR) return env.CONTROL_ROOM_DATA_DIR;
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Control Room');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Control Room');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'control-room');
}

/**
 * Electron's `app.getPath('userData')` for this OS (productName "Control Room"): where the
 * desktop app kept its store before. The same as `defaultDataDir` on macOS and Windows.
 */
export function electronUserDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Control Room');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Control Room');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Control Room');
}

/**
 * The data directory for this process, with a store left in the old desktop place moved in
 * first. An explicit `CONTROL_ROOM_DATA_DIR` is taken as it is: nothing is moved into it.
 */
export function openDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
  log: (message: string) => void = (message) => console.error(message),
): string {
  const dir = defaultDataDir(env, platform);
  if (!env.CONTROL_ROOM_DATA_DIR) moveLegacyStore(electronUserDataDir(env, platform), dir, log);
  return dir;
}

export type MoveOutcome = 'moved' | 'nothing-to-move' | 'kept-existing' | 'same-place';

/**
 * Moves the store (and its -wal/-shm/-journal) from `from` to `to` when `to` has none.
 *
 * Never overwrites a store: when `to` has one, nothing happens (the old one stays where it is).
 * The sidecars go first and the main file last, so the new place only "has a store" once it is
 * whole, and a move cut short (a crash, a full disk) is finished by the next start. Each file is
 * renamed; across filesystems it is copied under a temporary name, compared byte for byte, put
 * in place with a rename and only then removed from the old place.
 */
export function moveLegacyStore(from: string, to: string, log: (message: string) => void): MoveOutcome {
  if (resolve(from) === resolve(to)) return 'same-place';
  const source = join(from, STORE_FILE);
  if (!existsSync(source)) return 'nothing-to-move';
  if (existsSync(join(to, STORE_FILE))) return 'kept-existing';
  mkdirSync(to, { recursive: true });
  for (const suffix of SIDECARS) moveFile(join(from, STORE_FILE + suffix), join(to, STORE_FILE + suffix));
  moveFile(source, join(to, STORE_FILE));
  log(`Control Room: moved its store from ${from} to ${to}, the one data directory of the app, browser mode and opsctl.`);
  return 'moved';
}

/** Renames `src` to `dst`, copying across filesystems; a `src` already gone (another process moved it) is fine. */
function moveFile(src: string, dst: string): void {
  try {
    renameSync(src, dst);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EXDEV') throw error;
  }
  const partial = `${dst}.moving-${process.pid}`;
  try {
    copyFileSync(src, partial, constants.COPYFILE_FICLONE);
    if (!sameBytes(src, partial)) throw new Error(`the copy of ${src} in ${dst} does not match the original`);
    renameSync(partial, dst);
  } catch (error) {
    if (existsSync(partial)) unlinkSync(partial);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(src)) return;
    throw error;
  }
  unlinkSync(src);
}

/** Compared a megabyte at a time: a store with a large log cache must not be read into memory whole. */
function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [ba, bb] = [Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)];
    for (;;) {
      const n = readSync(fa, ba, 0, ba.length, null);
      if (readSync(fb, bb, 0, bb.length, null) !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      if (n === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}
