// Fetches the Electron binary when the network allows it. npm skips electron's own postinstall
// (package.json "allowScripts"), so `npm install` never fails on a machine that cannot reach
// GitHub; here we try once and, if it fails, say in one line what still works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installer;
try {
  installer = require.resolve('electron/install.js');
} catch {
  process.exit(0); // production install without devDependencies: nothing to fetch
}
try {
  const binary = require('electron');
  if (typeof binary === 'string' && existsSync(binary)) process.exit(0);
} catch {
  // not installed yet: fall through and try the download
}
const result = spawnSync(process.execPath, [installer], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
});
if (result.status !== 0) {
  console.log(
    'control-room: the Electron binary could not be downloaded, so the desktop window is unavailable; browser mode works (npm start).',
  );
}
