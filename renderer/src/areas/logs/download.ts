/**
 * Saving log text as a file, and the local date-time fields the panes use.
 */
import { sourceKeyName } from '../../../../shared/log-source-key';
import { saveText, type Platform, type SavedFile } from '../../platform/platform';

const LOG_FILTERS = [
  { name: 'Log files', extensions: ['log', 'txt'] },
  { name: 'All files', extensions: ['*'] },
];

/**
 * Saves `text` as `name` through the platform: a save dialog in the desktop app, a download in
 * the browser (nothing leaves the machine either way). Undefined when the user canceled.
 */
export function saveLog(platform: Platform, name: string, text: string): Promise<SavedFile | undefined> {
  return saveText(platform, { suggestedName: name, filters: LOG_FILTERS }, text);
}

/** `shop-prod_backend+frontend_2024-05-01T10-02-03.log`: safe on every file system. */
export function logFileName(target: string, sources: string[], when = new Date()): string {
  const names = sources.map(sourceKeyName);
  const what = names.length > 3 ? `${names.slice(0, 3).join('+')}+${names.length - 3}-more` : names.join('+');
  const stamp = toLocalInput(when.getTime()).replace(/:/g, '-');
  return `${slug(target)}_${slug(what) || 'logs'}_${stamp}.log`;
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/** Epoch ms as a `datetime-local` value (`2024-05-01T10:02:03`), in local time. */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A `datetime-local` value as epoch ms, or undefined when it is empty or not a time. */
export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
