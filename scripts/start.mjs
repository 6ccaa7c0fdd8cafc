// `npm start`: the desktop window when Electron can run here, otherwise browser mode
// (start-plan.mjs decides). Before the first desktop start, and after Electron or a native
// module changed version, better-sqlite3 and keytar are built for Electron into .electron-native/
// (electron-native.mjs); if that fails, browser mode opens instead, with the reason.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildNativeModules, NATIVE_FOLDER } from './electron-native.mjs';
import { planStart } from './start-plan.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function browserMode(why) {
  if (why) console.log(`Opening browser mode because ${why}.`);
  run(process.execPath, ['dist/main/host.cjs']);
}

const plan = planStart({ root });
if (plan.mode === 'browser') {
  browserMode(plan.why);
} else {
  let ready = true;
  if (plan.rebuild) {
    console.log(
      `Building better-sqlite3 and keytar for Electron ${plan.version} into ${NATIVE_FOLDER}/${plan.version} (${plan.rebuild}); once, a minute or two…`,
    );
    try {
      await buildNativeModules({ root, version: plan.version, quiet: true });
      console.log('Built; opening the desktop window.');
    } catch (error) {
      ready = false;
      browserMode(`the native modules could not be built for Electron (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (ready) run(plan.binary, ['.']);
}
