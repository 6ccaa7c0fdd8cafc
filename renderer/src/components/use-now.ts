/**
 * The current time, re-read every `intervalMs` while `enabled`: for countdowns and uptimes.
 *
 * All users share one timer per interval, so a hundred ticking uptimes cost one timer.
 */
import { useSyncExternalStore } from 'react';

interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
}

const clocks = new Map<number, Clock>();

function clockOf(intervalMs: number): Clock {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = { now: Date.now(), listeners: new Set(), timer: undefined };
    clocks.set(intervalMs, clock);
  }
  return clock;
}

function subscribeTo(intervalMs: number) {
  return (listener: () => void) => {
    const clock = clockOf(intervalMs);
    clock.listeners.add(listener);
    if (!clock.timer) {
      clock.now = Date.now();
      clock.timer = setInterval(() => {
        clock.now = Date.now();
        for (const notify of clock.listeners) notify();
      }, intervalMs);
    }
    return () => {
      clock.listeners.delete(listener);
      if (clock.listeners.size === 0) {
        clearInterval(clock.timer);
        clock.timer = undefined;
      }
    };
  };
}

const subscribers = new Map<number, (listener: () => void) => () => void>();
const noSubscribe = () => () => undefined;

export function useNow(intervalMs = 1000, enabled = true): number {
  let subscribe = subscribers.get(intervalMs);
  if (!subscribe) {
    subscribe = subscribeTo(intervalMs);
    subscribers.set(intervalMs, subscribe);
  }
  const clock = clockOf(intervalMs);
  // Disabled: no timer, and the last reading (a stable value, as useSyncExternalStore requires).
  return useSyncExternalStore(enabled ? subscribe : noSubscribe, () => clock.now);
}
