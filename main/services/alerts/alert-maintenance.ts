/**
 * Whether a maintenance window applies at a moment: a one-off window by its start and end, a
 * weekly one by its days, local start time and length (no cron: a week of starts is all it needs).
 */
import type { MaintenanceSchedule } from '../../../shared/model/alerts';

const DAY_MS = 24 * 3600 * 1000;

export function windowActive(schedule: MaintenanceSchedule, now: number): boolean {
  if (schedule.kind === 'once') return Date.parse(schedule.startsAt) <= now && now < Date.parse(schedule.endsAt);
  const [hours, minutes] = schedule.start.split(':').map(Number) as [number, number];
  const lengthMs = schedule.durationMinutes * 60_000;
  // A window that started on an earlier day may still run (02:00 for 48 h): look back that many days.
  const daysBack = Math.ceil(lengthMs / DAY_MS);
  const today = new Date(now);
  for (let back = 0; back <= daysBack; back++) {
    // Local midnight of that day, then the start time in local time (so DST shifts follow the wall clock).
    const day = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back, hours, minutes);
    if (!schedule.days.includes(day.getDay())) continue;
    const start = day.getTime();
    if (start <= now && now < start + lengthMs) return true;
  }
  return false;
}
