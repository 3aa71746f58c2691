import { assert, wallClockMs, type IsoTime } from '../shared';
import { Rational } from './rational';

/** A time-of-day band in the site's zone: its prices replace the base ones within it. */
export interface TimeBand {
  /** Minutes after local midnight, 0–1439; a band with end ≤ start runs over midnight. */
  startMinute: number;
  endMinute: number;
  energyPricePerKwhMinor?: number | undefined;
  timePricePerHourMinor?: number | undefined;
}

export interface TariffPrices {
  energyPricePerKwhMinor: number;
  sessionFeeMinor: number;
  timePricePerHourMinor: number;
  idleFeePerHourMinor: number;
  /** Idle time (SuspendedEV / Finishing) that is free before the idle fee starts. */
  idleGraceS: number;
  bands: readonly TimeBand[];
}

interface MeterReading {
  at: IsoTime;
  registerWh: number;
}

export interface CostInput {
  startedAt: IsoTime;
  stoppedAt: IsoTime;
  meterStartWh: number;
  /** The energy billed, as the session recorded it (never negative). */
  energyWh: number;
  /** Trusted register readings between start and stop; they spread the energy over time bands. */
  readings: readonly MeterReading[];
  /** When the connector reported SuspendedEV or Finishing during the session. */
  idleIntervals: readonly { from: IsoTime; to: IsoTime }[];
  timeZone: string;
}

export interface CostBreakdown {
  totalMinor: number;
  /** Each component as an exact fraction of minor units ("n/d"); their exact sum rounds to the total. */
  energy: string;
  sessionFee: string;
  time: string;
  idle: string;
  exactTotal: string;
  energyWh: number;
  durationS: number;
  idleS: number;
  billableIdleS: number;
}

const MS_PER_HOUR = 3_600_000n;
const WH_PER_KWH = 1000n;

/**
 * The price of a session: energy per kWh, a session fee (only when energy flowed), time per hour
 * and the idle fee beyond the grace, with band prices where a band applies. Every part is an exact
 * rational; the sum is rounded half up once (CONTRACT "Money rules").
 */
export function sessionCost(prices: TariffPrices, input: CostInput): CostBreakdown {
  const startMs = Date.parse(input.startedAt);
  const stopMs = Math.max(startMs, Date.parse(input.stoppedAt));
  assert(Number.isFinite(startMs) && Number.isFinite(stopMs), 'session times are valid ISO instants');
  assert(Number.isSafeInteger(input.energyWh) && input.energyWh >= 0, 'energy is a non-negative integer');

  const boundaries = bandBoundariesMs(prices.bands, startMs, stopMs, input.timeZone);
  const bandAt = (ms: number) => (prices.bands.length === 0 ? undefined : findBand(prices.bands, minuteOfDay(ms, input.timeZone)));
  const energyPrice = (band: TimeBand | undefined) => BigInt(band?.energyPricePerKwhMinor ?? prices.energyPricePerKwhMinor);
  const timePrice = (band: TimeBand | undefined) => BigInt(band?.timePricePerHourMinor ?? prices.timePricePerHourMinor);

  let energy = Rational.ZERO;
  for (const segment of energyCurve(input, startMs, stopMs)) {
    if (segment.energyWh === 0) continue;
    if (segment.toMs === segment.fromMs || prices.bands.length === 0) {
      energy = energy.plus(Rational.of(BigInt(segment.energyWh) * energyPrice(bandAt(segment.fromMs)), WH_PER_KWH));
      continue;
    }
    // Energy between two readings is taken to flow evenly over time, so a band edge splits it pro rata.
    const spanMs = BigInt(segment.toMs - segment.fromMs);
    for (const [fromMs, toMs] of split(segment.fromMs, segment.toMs, boundaries)) {
      const price = energyPrice(bandAt(fromMs + (toMs - fromMs) / 2));
      energy = energy.plus(Rational.of(BigInt(segment.energyWh) * BigInt(toMs - fromMs) * price, spanMs * WH_PER_KWH));
    }
  }

  let time = Rational.ZERO;
  for (const [fromMs, toMs] of split(startMs, stopMs, boundaries)) {
    time = time.plus(Rational.of(BigInt(toMs - fromMs) * timePrice(bandAt(fromMs + (toMs - fromMs) / 2)), MS_PER_HOUR));
  }

  const idleMs = idleWithin(input.idleIntervals, startMs, stopMs);
  const billableIdleMs = Math.max(0, idleMs - prices.idleGraceS * 1000);
  const idle = Rational.of(BigInt(billableIdleMs) * BigInt(prices.idleFeePerHourMinor), MS_PER_HOUR);
  // A session that delivered nothing (a failed plug-in) is not charged its fee.
  const sessionFee = Rational.of(input.energyWh > 0 ? prices.sessionFeeMinor : 0);

  const exact = energy.plus(time).plus(idle).plus(sessionFee);
  const total = exact.roundHalfUp();
  assert(total <= BigInt(Number.MAX_SAFE_INTEGER), 'a session cost fits in a safe integer');
  return {
    totalMinor: Number(total),
    energy: energy.toString(),
    sessionFee: sessionFee.toString(),
    time: time.toString(),
    idle: idle.toString(),
    exactTotal: exact.toString(),
    energyWh: input.energyWh,
    durationS: Math.floor((stopMs - startMs) / 1000),
    idleS: Math.floor(idleMs / 1000),
    billableIdleS: Math.floor(billableIdleMs / 1000),
  };
}

interface EnergySegment {
  fromMs: number;
  toMs: number;
  energyWh: number;
}

/**
 * The session's energy as segments between readings: readings outside the session, out of time
 * order or going backwards are ignored, and the cumulative energy is capped at the billed total so
 * the segments always add up to exactly `energyWh`.
 */
function energyCurve(input: CostInput, startMs: number, stopMs: number): EnergySegment[] {
  const points: { ms: number; cumulativeWh: number }[] = [{ ms: startMs, cumulativeWh: 0 }];
  const sorted = input.readings
    .map((reading) => ({ ms: Date.parse(reading.at), wh: reading.registerWh - input.meterStartWh }))
    .filter((reading) => Number.isFinite(reading.ms) && reading.ms > startMs && reading.ms < stopMs)
    .sort((a, b) => a.ms - b.ms);
  for (const reading of sorted) {
    const last = points[points.length - 1]!;
    const cumulativeWh = Math.min(input.energyWh, Math.max(last.cumulativeWh, reading.wh));
    points.push({ ms: reading.ms, cumulativeWh });
  }
  points.push({ ms: stopMs, cumulativeWh: input.energyWh });
  const segments: EnergySegment[] = [];
  for (let i = 1; i < points.length; i++) {
    segments.push({ fromMs: points[i - 1]!.ms, toMs: points[i]!.ms, energyWh: points[i]!.cumulativeWh - points[i - 1]!.cumulativeWh });
  }
  return segments;
}

function split(fromMs: number, toMs: number, boundaries: readonly number[]): [number, number][] {
  const parts: [number, number][] = [];
  let cursor = fromMs;
  for (const boundary of boundaries) {
    if (boundary <= cursor || boundary >= toMs) continue;
    parts.push([cursor, boundary]);
    cursor = boundary;
  }
  if (toMs > cursor || parts.length === 0) parts.push([cursor, toMs]);
  return parts;
}

function idleWithin(intervals: CostInput['idleIntervals'], startMs: number, stopMs: number): number {
  const clipped = intervals
    .map(({ from, to }) => [Math.max(startMs, Date.parse(from)), Math.min(stopMs, Date.parse(to))] as const)
    .filter(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && to > from)
    .sort((a, b) => a[0] - b[0]);
  let totalMs = 0;
  let coveredUntil = -Infinity;
  for (const [from, to] of clipped) {
    const begin = Math.max(from, coveredUntil);
    if (to > begin) totalMs += to - begin;
    coveredUntil = Math.max(coveredUntil, to);
  }
  return totalMs;
}

function findBand(bands: readonly TimeBand[], minute: number): TimeBand | undefined {
  return bands.find((band) =>
    band.startMinute < band.endMinute ? minute >= band.startMinute && minute < band.endMinute : minute >= band.startMinute || minute < band.endMinute,
  );
}

/** Every instant within (startMs, stopMs) where some band begins or ends, ascending. */
function bandBoundariesMs(bands: readonly TimeBand[], startMs: number, stopMs: number, timeZone: string): number[] {
  if (bands.length === 0) return [];
  const minutes = [...new Set(bands.flatMap((band) => [band.startMinute, band.endMinute]))];
  const result: number[] = [];
  // Walk local days from the day before the start to the day after the stop (zone offsets shift days).
  let dayMs = Date.UTC(...ymd(startMs - 86_400_000, timeZone));
  const lastDayMs = Date.UTC(...ymd(stopMs + 86_400_000, timeZone));
  for (; dayMs <= lastDayMs; dayMs += 86_400_000) {
    for (const minute of minutes) {
      const instant = wallTimeToUtcMs(dayMs + minute * 60_000, timeZone);
      if (instant > startMs && instant < stopMs) result.push(instant);
    }
  }
  return [...new Set(result)].sort((a, b) => a - b);
}

function ymd(epochMs: number, timeZone: string): [number, number, number] {
  const wall = new Date(wallClockMs(epochMs, timeZone));
  return [wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()];
}

/** The UTC instant of a local wall time (a time inside a DST gap maps to just after it). */
function wallTimeToUtcMs(wallMs: number, timeZone: string): number {
  let guess = wallMs;
  for (let i = 0; i < 3; i++) {
    const offsetMs = wallClockMs(guess, timeZone) - guess;
    const candidate = wallMs - offsetMs;
    if (candidate === guess) break;
    guess = candidate;
  }
  return guess;
}

function minuteOfDay(epochMs: number, timeZone: string): number {
  const wall = wallClockMs(epochMs, timeZone);
  return Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}
