/**
 * The maintenance dialog's model: what is typed (what to mute, and now for an hour, now for some
 * hours, or weekly on some days from a local time) as the draft main takes, and windows in words.
 */
import type { MaintenanceDraftInput, MaintenanceSubject, MaintenanceWindow } from '../../../../shared/model/alerts';
import { formatWhen } from '../../components/format';
import { subjectOfKey } from './rule-form';

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "for 1 h", "for 90 min", "for 2 d 3 h". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return [days ? `${days} d` : '', hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ');
}

/** When a window applies, in words. */
export function describeSchedule(window: MaintenanceWindow, now: number): string {
  const s = window.schedule;
  if (s.kind === 'once') return `${formatWhen(s.startsAt, now)} → ${formatWhen(s.endsAt, now)}`;
  const days =
    s.days.length === 7
      ? 'every day'
      : `every ${[...s.days]
          .sort()
          .map((d) => DAY_NAMES[d])
          .join(', ')}`;
  return `${days} at ${s.start} for ${formatMinutes(s.durationMinutes)} (this machine's time)`;
}

export interface MaintenanceForm {
  subject: string;
  reason: string;
  when: 'hour' | 'custom' | 'recurring';
  /** The custom length, in hours (decimals allowed). */
  hours: string;
  days: number[];
  start: string;
  /** The weekly window's length, in minutes. */
  minutes: string;
}

/** The draft from the form, or the messages for what is wrong. */
export function maintenanceDraftOf(form: MaintenanceForm): {
  draft?: MaintenanceDraftInput;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const subject = subjectOfKey(form.subject) as MaintenanceSubject | undefined;
  if (!subject) errors.subject = 'Pick what to mute.';
  let window: MaintenanceDraftInput['window'] | undefined;
  if (form.when === 'hour') window = { kind: 'now', durationMinutes: 60 };
  if (form.when === 'custom') {
    const hours = Number(form.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 720) errors.hours = 'Enter the hours, from 0.1 to 720.';
    else window = { kind: 'now', durationMinutes: Math.max(1, Math.round(hours * 60)) };
  }
  if (form.when === 'recurring') {
    const minutes = Number(form.minutes);
    if (!form.days.length) errors.days = 'Pick at least one day.';
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(form.start)) errors.start = 'Write the time as HH:MM, like 02:30.';
    if (!Number.isInteger(minutes) || minutes < 1) errors.minutes = 'Enter the minutes, like 60.';
    window = { kind: 'recurring', days: form.days, start: form.start, durationMinutes: minutes };
  }
  if (Object.keys(errors).length || !subject || !window) return { errors };
  return { draft: { subject, reason: form.reason.trim(), window }, errors };
}
