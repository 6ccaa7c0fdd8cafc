/**
 * `npm start` without a desktop: the services, the API and the browser-mode host in one Node
 * process. Prints the URL (with its per-launch token) to open.
 */
import { join } from 'node:path';
import { createApi } from '../api';
import { createServices } from '../services';
import { KeytarBackend } from '../services/credentials/keytar-backend';
import { openDataDir } from '../services/data-dir';
import { startHost } from './host-server';
import { APP_VERSION } from '../version';

async function main() {
  // The one data directory (a store the desktop app left in Electron's userData is moved in once).
  const dataDir = openDataDir();
  const services = createServices({ dataDir, credentials: new KeytarBackend() });
  const api = createApi(services, { version: APP_VERSION, mode: 'browser' });
  const host = await startHost({
    api,
    staticDir: process.env.CONTROL_ROOM_RENDERER_DIR ?? join(__dirname, '..', 'renderer'),
    port: Number(process.env.CONTROL_ROOM_PORT ?? 0),
  });
  console.log(`Control Room is running in browser mode. Open this address (it holds this launch's access token):`);
  console.log(`  ${host.url}`);
  console.log(`Data: ${dataDir}. Stop with Ctrl+C.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    services.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`Control Room could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
