import { wallClockMs } from '../shared';

/**
 * The site's limits as staff set them: the sanctioned load, a safety margin kept free, and a
 * daily window (the building's own peak hours) with a lower limit. Times of the window are
 * site-local wall-clock minutes, so "18:00–22:00" follows the site's time zone and its DST.
 */
export interface SiteLimits {
  /** null: load management is off. */
  limitW: number | null;
  marginW: number;
  peakWindow: PeakWindow | null;
}

export interface PeakWindow {
  /** Minutes after local midnight; a window may cross midnight (from > to). */
  fromMinute: number;
  toMinute: number;
  limitW: number;
}

const MINUTES_PER_DAY = 24 * 60;

/** Whether the window covers the local wall-clock minute. */
export function inPeakWindow(window: PeakWindow, localMinute: number): boolean {
  if (window.fromMinute === window.toMinute) return false;
  return window.fromMinute < window.toMinute
    ? localMinute >= window.fromMinute && localMinute < window.toMinute
    : localMinute >= window.fromMinute || localMinute < window.toMinute;
}

export function localMinuteOf(epochMs: number, timeZone: string): number {
  return Math.floor(wallClockMs(epochMs, timeZone) / 60_000) % MINUTES_PER_DAY;
}

/** The limit in force at an instant: the site limit, or the window's lower one inside it. */
export function limitInForceW(limits: SiteLimits, epochMs: number, timeZone: string): number | null {
  if (limits.limitW === null) return null;
  const window = limits.peakWindow;
  if (window && inPeakWindow(window, localMinuteOf(epochMs, timeZone))) return Math.min(limits.limitW, window.limitW);
  return limits.limitW;
}

/** What may be handed out: the limit in force less the margin (CONTRACT `/load`: limitW − marginW). */
export function siteBudgetW(limits: SiteLimits, epochMs: number, timeZone: string): number | null {
  const limitW = limitInForceW(limits, epochMs, timeZone);
  return limitW === null ? null : Math.max(0, limitW - limits.marginW);
}

/** "HH:MM" ⇄ minutes after midnight, for forms and the audit log. */
export function minuteFromClock(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function clockFromMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
