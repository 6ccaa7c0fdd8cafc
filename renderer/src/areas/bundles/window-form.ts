/**
 * The new-bundle page's window choice as the form holds it (a local date-time, minutes as typed)
 * and as the request sends it (`BundleWindow`).
 */
import type { BundleWindowInput } from '../../../../shared/model/bundle';
import { fromLocalInput, toLocalInput } from '../logs/download';

export type WindowChoice = 'hour' | 'minutes' | 'around' | 'since-deploy';

export interface WindowForm {
  choice: WindowChoice;
  /** "Last N minutes" and "around a time" each keep their own, as typed. */
  lastMinutes: string;
  aroundAt: string;
  aroundMinutes: string;
}

export const WINDOW_CHOICES: readonly { id: WindowChoice; label: string }[] = [
  { id: 'hour', label: 'Last hour' },
  { id: 'minutes', label: 'Last N minutes' },
  { id: 'around', label: 'Around a time' },
  { id: 'since-deploy', label: 'Since the last deploy' },
];

/** The form for a window from a link (`?mode=around&at=…`), times in local time. */
export function formOfWindow(window: BundleWindowInput, now: number): WindowForm {
  const base: WindowForm = { choice: 'hour', lastMinutes: '30', aroundAt: toLocalInput(now), aroundMinutes: '15' };
  switch (window.mode) {
    case 'since-deploy':
      return { ...base, choice: 'since-deploy' };
    case 'around': {
      const at = Date.parse(window.at);
      return {
        ...base,
        choice: 'around',
        aroundAt: Number.isNaN(at) ? base.aroundAt : toLocalInput(at),
        aroundMinutes: String(window.minutes ?? 15),
      };
    }
    default: {
      const minutes = window.minutes ?? 60;
      return minutes === 60 ? base : { ...base, choice: 'minutes', lastMinutes: String(minutes) };
    }
  }
}

/** The request's window, or the sentence that says what to fix. */
export function windowOfForm(form: WindowForm): { window: BundleWindowInput } | { error: string } {
  switch (form.choice) {
    case 'hour':
      return { window: { mode: 'last', minutes: 60 } };
    case 'since-deploy':
      return { window: { mode: 'since-deploy' } };
    case 'minutes': {
      const minutes = wholeMinutes(form.lastMinutes, 60 * 24 * 30);
      return minutes === undefined
        ? { error: 'Give the minutes as a whole number from 1 to 43200 (30 days).' }
        : { window: { mode: 'last', minutes } };
    }
    case 'around': {
      const at = fromLocalInput(form.aroundAt);
      if (at === undefined) return { error: 'Give the time the bundle should be around.' };
      const minutes = wholeMinutes(form.aroundMinutes, 60 * 24);
      return minutes === undefined
        ? { error: 'Give the minutes either side as a whole number from 1 to 1440 (a day).' }
        : { window: { mode: 'around', at: new Date(at).toISOString(), minutes } };
    }
  }
}

function wholeMinutes(text: string, max: number): number | undefined {
  if (!/^\s*\d{1,6}\s*$/.test(text)) return undefined;
  const minutes = Number(text);
  return minutes >= 1 && minutes <= max ? minutes : undefined;
}
