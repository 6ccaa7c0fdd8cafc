// `npm start`: the desktop window when Electron can run here, otherwise browser mode.
// Browser mode is chosen when the Electron binary is missing (it could not be downloaded), when
// there is no display to open a window on, or when CONTROL_ROOM_MODE=browser asks for it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const forced = process.env.CONTROL_ROOM_MODE;
const binary = electronBinary();
if (forced !== 'browser' && binary && hasDisplay()) {
  run(binary, ['.']);
} else {
  if (forced !== 'browser') {
    const why = !binary ? 'the Electron binary is not installed' : 'there is no display';
    console.log(`Opening browser mode because ${why}.`);
  }
  run(process.execPath, ['dist/main/host.cjs']);
}
