/**
 * The IIFE build's entry: configured from its own script tag,
 *
 *   <script src="/reporter.js" data-endpoint="/api/ops/frontend-log" data-build-hash="abc123" data-key="..."></script>
 *
 * and installed at once, before the app's own scripts can fail. It is also the global
 * `ControlRoomReporter`, so an app can call `ControlRoomReporter.install({ ..., wsState })` later
 * to add what a script tag cannot say.
 */
import { install } from './reporter';

export { install };

interface ScriptTag {
  dataset: Record<string, string | undefined>;
}

const script = (globalThis as unknown as { document?: { currentScript?: ScriptTag | null } }).document?.currentScript;
const data = script?.dataset ?? {};
install({
  endpoint: data.endpoint || '/api/ops/frontend-log',
  buildHash: data.buildHash ?? null,
  key: data.key ?? null,
  windowMs: Number(data.windowMs) || undefined,
});
