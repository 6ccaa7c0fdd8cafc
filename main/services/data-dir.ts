/**
 * Where Control Room keeps its data outside Electron (browser mode, opsctl, tests).
 *
 * Electron passes its own `app.getPath('userData')`; everywhere else it is
 * `$CONTROL_ROOM_DATA_DIR`, else the XDG data directory, else the platform's usual place.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CONTROL_ROOM_DATA_DIR) return env.CONTROL_ROOM_DATA_DIR;
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Control Room');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Control Room');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'control-room');
}
