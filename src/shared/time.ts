/** Times are UTC ISO 8601 strings everywhere on the wire and in the database. */
export type IsoTime = string;

let cachedMs = 0;
let cachedIso = '';

/** The current time; formatted once per millisecond, as every OCPP message asks for it several times. */
export function nowIso(): IsoTime {
  const ms = Date.now();
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedIso = new Date(ms).toISOString();
  }
  return cachedIso;
}

/** Normalises any ISO 8601 timestamp with a zone to the canonical UTC form, or undefined. */
export function toUtcIso(text: string): IsoTime | undefined {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString();
}

export function secondsBetween(fromIso: IsoTime, toIso: IsoTime): number {
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

/** The calendar date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDate(iso: IsoTime, timeZone: string): string {
  // Building a formatter costs ~0.2 ms; every session that ends asks (reports, inside the write).
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(iso));
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The UTC instant at which a site-local calendar day starts (handles DST by probing offsets). */
export function startOfLocalDayUtc(date: string, timeZone: string): IsoTime {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  let guess = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 3; i++) {
    const offsetMs = zoneOffsetMs(guess, timeZone);
    const candidate = Date.UTC(year, month - 1, day) - offsetMs;
    if (candidate === guess) break;
    guess = candidate;
  }
  return new Date(guess).toISOString();
}

function zoneOffsetMs(epochMs: number, timeZone: string): number {
  return wallClockMs(epochMs, timeZone) - epochMs;
}

const wallClockFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at `epochMs`, expressed as if it were UTC milliseconds. */
export function wallClockMs(epochMs: number, timeZone: string): number {
  let formatter = wallClockFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      // The era tells 5 BC from 5 AD: a charger's clock can say anything (CONTRACT, untrusted timestamps).
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const year = parts.find((part) => part.type === 'era')?.value === 'BC' ? 1 - get('year') : get('year');
  return utcMs(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) + (((epochMs % 1000) + 1000) % 1000);
}

/**
 * Date.UTC for any year: Date.UTC itself reads years 0–99 as 1900–1999, which would put a
 * charger's year-1 clock nineteen centuries off.
 */
export function utcMs(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month0, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Earliest charger timestamp believed (CONTRACT "OCPP endpoint": untrusted timestamps). */
export const EARLIEST_TRUSTED_TIME: IsoTime = '2020-01-01T00:00:00.000Z';
/** A charger timestamp this far ahead of the message's arrival cannot be true. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/**
 * Whether a charger's timestamp can be true (CONTRACT: not before 2020-01-01, not more than
 * 5 minutes after the message arrived). A charger that lost its clock after a power cut says 1970.
 */
export function isTrustedTimestamp(chargerTime: IsoTime, arrivedAt: IsoTime): boolean {
  const ms = Date.parse(chargerTime);
  return Number.isFinite(ms) && ms >= EARLIEST_TRUSTED_MS && ms <= Date.parse(arrivedAt) + MAX_CLOCK_AHEAD_MS;
}

/** Parsed once: every meter reading and start or stop time is checked against it. */
const EARLIEST_TRUSTED_MS = Date.parse(EARLIEST_TRUSTED_TIME);

/** The charger's time when it can be true, else the time the message arrived. */
export function trustedTimeOr(chargerTime: IsoTime, arrivedAt: IsoTime): IsoTime {
  return isTrustedTimestamp(chargerTime, arrivedAt) ? chargerTime : arrivedAt;
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}
