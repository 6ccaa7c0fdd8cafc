/**
 * Keeps xterm's parsing of a burst in short tasks.
 *
 * xterm parses what it was given for up to 12 ms per task. On a busy machine (the engine, sshd
 * and main all want the same cores during a burst) a task that needs 12 ms of CPU can lose its
 * core midway and hold the page for 50 ms or more. xterm pauses parsing when a parser handler
 * returns a promise, and resumes when it settles: the terminal feed puts a private OSC
 * (`YIELD_SEQUENCE`) in front of every chunk it writes, and its handler, once parsing has run for
 * `budgetMs` within the current task, pauses until the next task. Input, rendering and the
 * page's other work get the thread in between.
 *
 * Log text cannot produce the sequence: terminal-safety shows every OSC but http(s) links as
 * visible text, so only the feed's own writes reach the handler.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';

/** An OSC number no terminal application uses, private to the pane. */
const YIELD_OSC = 7701;
export const YIELD_SEQUENCE = `\x1b]${YIELD_OSC};\x07`;

export interface ParseSlicer extends IDisposable {
  /** Times parsing paused for the next task. */
  readonly yields: number;
}

export function sliceParsing(terminal: Terminal, budgetMs = 4): ParseSlicer {
  // Resuming through a message, not setTimeout: nested timeouts are clamped to 4 ms.
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  /** When parsing began within the current task; -1 once a task boundary passed. */
  let sliceStart = -1;
  let yields = 0;
  channel.port1.onmessage = (event: MessageEvent<'boundary' | 'resume'>) => {
    if (event.data === 'boundary') sliceStart = -1;
    else waiting.shift()?.();
  };
  const handler = terminal.parser.registerOscHandler(YIELD_OSC, () => {
    const now = performance.now();
    if (sliceStart < 0) {
      sliceStart = now;
      // Arrives after this task ends: the next chunk parsed in another task starts a new slice.
      channel.port2.postMessage('boundary');
      return true;
    }
    if (now - sliceStart < budgetMs) return true;
    yields++;
    return new Promise<boolean>((resolve) => {
      waiting.push(() => resolve(true));
      channel.port2.postMessage('resume');
    });
  });
  return {
    get yields() {
      return yields;
    },
    dispose() {
      handler.dispose();
      channel.port1.close();
      for (const resume of waiting.splice(0)) resume();
    },
  };
}
