/**
 * How a run's events are drawn in the viewer's terminal: `time level [phase/step] message`,
 * coloured by level; a step's output lines as they were printed.
 *
 * Every message goes through `sanitizeForTerminal` first, as log lines do: nothing a command
 * prints can drive the terminal.
 */
import type { RunEvent } from '../../../../shared/model/runbook';
import { sanitizeForTerminal } from '../../../../shared/terminal-safety';
import type { StoredLine } from '../logs/line-store';
import { clockTime } from '../logs/line-format';

/** A stored line (the log pane's store and feed) that knows the event it came from. */
export interface EventLine extends StoredLine {
  /** The event's own sequence number (StoredLine's `seq` is the store's). */
  eventSeq: number;
  output: boolean;
  /** `[phase/step]`, or '' for run-level events. */
  where: string;
  eventLevel: RunEvent['level'];
}

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const LEVEL_SGR: Record<RunEvent['level'], string> = {
  error: '\x1b[91m',
  warn: '\x1b[33m',
  info: '\x1b[36m',
  debug: DIM,
  output: '',
};

export function eventLine(event: RunEvent): Omit<EventLine, 'seq'> {
  const parsed = Date.parse(event.at);
  return {
    tsMs: Number.isNaN(parsed) ? Date.now() : parsed,
    source: 0,
    level: event.level === 'output' ? null : event.level,
    message: event.message,
    eventSeq: event.seq,
    output: event.level === 'output',
    where: whereOf(event),
    eventLevel: event.level,
  };
}

export function whereOf(event: Pick<RunEvent, 'phase' | 'step'>): string {
  if (!event.phase && !event.step) return '';
  return `[${[event.phase, event.step].filter(Boolean).join('/')}]`;
}

/** One line as terminal text, ending in CRLF. */
export function formatEventLine(line: EventLine): string {
  const message = sanitizeForTerminal(line.message);
  if (line.output) return `${message}\r\n`;
  const level = line.eventLevel.toUpperCase().padEnd(5);
  const sgr = LEVEL_SGR[line.eventLevel];
  return (
    `${DIM}${clockTime(line.tsMs)}${RESET} ${sgr}${level}${RESET} ` +
    `${line.where ? `${DIM}${line.where}${RESET} ` : ''}${line.level === 'error' ? `${sgr}${message}${RESET}` : message}\r\n`
  );
}

/** One line as a plain text file's line. */
export function plainEventLine(line: EventLine): string {
  if (line.output) return `${line.message}\n`;
  const when = new Date(line.tsMs).toISOString();
  return `${when} ${line.eventLevel} ${line.where ? `${line.where} ` : ''}${line.message}\n`;
}
