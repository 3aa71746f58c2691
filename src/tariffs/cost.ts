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

export interface MeterReading {
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
const MS_PER_DAY = 86_400_000;

/**
 * Local days priced by walking them, at each end of a session. A session longer than twice this
 * (a stuck session closed by staff, or a charger's clock that says year 1) has its middle days
 * priced in closed form, so pricing is a moment's work whatever the span (CONTRACT "OCPP
 * endpoint": pricing a session never takes more than a moment).
 */
const WALKED_DAYS_EACH_END = 31;
/**
 * Readings beyond this many are thinned (evenly, keeping the last) before they spread the
 * energy over bands: the attribution only gets coarser, the total energy stays exact.
 */
const MAX_ENERGY_POINTS = 2000;

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

  const timeline = prices.bands.length === 0 ? undefined : new BandTimeline(prices.bands, startMs, stopMs, input.timeZone);
  const energyPrices = [...prices.bands.map((band) => BigInt(band.energyPricePerKwhMinor ?? prices.energyPricePerKwhMinor)), BigInt(prices.energyPricePerKwhMinor)];
  const timePrices = [...prices.bands.map((band) => BigInt(band.timePricePerHourMinor ?? prices.timePricePerHourMinor)), BigInt(prices.timePricePerHourMinor)];
  /** Σ milliseconds × price over the bands (the last entry is the base price outside every band). */
  const weighted = (spentMs: readonly number[], perBand: readonly bigint[]) => spentMs.reduce((sum, ms, band) => sum + BigInt(ms) * perBand[band]!, 0n);

  // Exact sums grouped by denominator, so thousands of readings add up without ever-growing fractions.
  const energyByDenominator = new Map<bigint, bigint>();
  const addEnergy = (numerator: bigint, denominator: bigint) => energyByDenominator.set(denominator, (energyByDenominator.get(denominator) ?? 0n) + numerator);
  for (const segment of energyCurve(input, startMs, stopMs)) {
    if (segment.energyWh === 0) continue;
    if (!timeline) {
      addEnergy(BigInt(segment.energyWh) * energyPrices[0]!, WH_PER_KWH);
      continue;
    }
    // Energy between two readings is taken to flow evenly over time, so a band edge splits it pro rata.
    const spanMs = Math.max(1, segment.toMs - segment.fromMs);
    const spentMs = timeline.msPerBand(segment.fromMs, segment.fromMs + spanMs);
    const onlyBand = spentMs.findIndex((ms) => ms === spanMs);
    if (onlyBand >= 0) addEnergy(BigInt(segment.energyWh) * energyPrices[onlyBand]!, WH_PER_KWH);
    else addEnergy(BigInt(segment.energyWh) * weighted(spentMs, energyPrices), BigInt(spanMs) * WH_PER_KWH);
  }
  let energy = Rational.ZERO;
  for (const [denominator, numerator] of energyByDenominator) energy = energy.plus(Rational.of(numerator, denominator));

  const time = timeline
    ? Rational.of(weighted(timeline.msPerBand(startMs, stopMs), timePrices), MS_PER_HOUR)
    : Rational.of(BigInt(stopMs - startMs) * timePrices[0]!, MS_PER_HOUR);

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
  const sorted = input.readings
    .map((reading) => ({ ms: Date.parse(reading.at), wh: reading.registerWh - input.meterStartWh }))
    .filter((reading) => Number.isFinite(reading.ms) && reading.ms > startMs && reading.ms < stopMs)
    .sort((a, b) => a.ms - b.ms);
  const step = Math.ceil(sorted.length / MAX_ENERGY_POINTS);
  const kept = step <= 1 ? sorted : sorted.filter((_reading, index) => index % step === step - 1 || index === sorted.length - 1);
  const points: { ms: number; cumulativeWh: number }[] = [{ ms: startMs, cumulativeWh: 0 }];
  for (const reading of kept) {
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

/** The index of the band covering `minute`, or `bands.length` when none does (base prices). */
function findBandIndex(bands: readonly TimeBand[], minute: number): number {
  const index = bands.findIndex((band) =>
    band.startMinute < band.endMinute ? minute >= band.startMinute && minute < band.endMinute : minute >= band.startMinute || minute < band.endMinute,
  );
  return index < 0 ? bands.length : index;
}

/** A stretch of time within one band (`band` = bands.length: outside every band). */
interface Piece {
  fromMs: number;
  toMs: number;
  band: number;
}

/**
 * Where a session's time falls among the time-of-day bands, in the site's zone. The first and
 * last WALKED_DAYS_EACH_END local days are walked day by day, exact across DST changes. Between
 * them (only sessions over two months long) the bands repeat every 24 hours at the zone's offset
 * where the walk ended: closed form, a few operations per band whatever the span. Summer-time
 * shifts inside that middle move band edges by their hour; every millisecond is still priced once.
 */
class BandTimeline {
  private readonly pieces: Piece[] = [];
  /** The closed-form middle [fromMs, toMs) and the zone offset used there, when the session has one. */
  private readonly middle: { fromMs: number; toMs: number; offsetMs: number } | undefined;
  private readonly cutMinutes: number[];

  constructor(
    private readonly bands: readonly TimeBand[],
    startMs: number,
    stopMs: number,
    private readonly timeZone: string,
  ) {
    this.cutMinutes = [...new Set([0, 1440, ...bands.flatMap((band) => [band.startMinute, band.endMinute])])].sort((a, b) => a - b);
    const firstDay = localMidnightWallMs(startMs, timeZone);
    const lastDay = localMidnightWallMs(stopMs, timeZone);
    const days = Math.round((lastDay - firstDay) / MS_PER_DAY) + 1;
    if (days <= 2 * WALKED_DAYS_EACH_END) {
      this.walk(firstDay, days, startMs, stopMs);
      this.middle = undefined;
      return;
    }
    const headEndMs = this.walk(firstDay, WALKED_DAYS_EACH_END, startMs, stopMs);
    const tailFirstDay = lastDay - (WALKED_DAYS_EACH_END - 1) * MS_PER_DAY;
    const tailStartMs = wallTimeToUtcMs(tailFirstDay, timeZone);
    this.walk(tailFirstDay, WALKED_DAYS_EACH_END, startMs, stopMs);
    this.middle = { fromMs: headEndMs, toMs: tailStartMs, offsetMs: wallClockMs(headEndMs, timeZone) - headEndMs };
  }

  /** Milliseconds of [fromMs, toMs) spent in each band; the last entry is the time outside every band. */
  msPerBand(fromMs: number, toMs: number): number[] {
    const spent = new Array<number>(this.bands.length + 1).fill(0);
    for (let i = this.firstPieceEndingAfter(fromMs); i < this.pieces.length; i++) {
      const piece = this.pieces[i]!;
      if (piece.fromMs >= toMs) break;
      spent[piece.band]! += Math.min(toMs, piece.toMs) - Math.max(fromMs, piece.fromMs);
    }
    if (this.middle) {
      const from = Math.max(fromMs, this.middle.fromMs);
      const to = Math.min(toMs, this.middle.toMs);
      if (to > from) {
        let inBandsMs = 0;
        this.bands.forEach((band, index) => {
          const ms = periodicOverlapMs(band, from + this.middle!.offsetMs, to + this.middle!.offsetMs);
          spent[index]! += ms;
          inBandsMs += ms;
        });
        spent[this.bands.length]! += to - from - inBandsMs;
      }
    }
    return spent;
  }

  /**
   * Cuts `days` local days from `firstDayWallMs` into pieces of one band each, clipped to the
   * session; returns the UTC instant the last day ends.
   */
  private walk(firstDayWallMs: number, days: number, startMs: number, stopMs: number): number {
    let dayStartMs = wallTimeToUtcMs(firstDayWallMs, this.timeZone);
    for (let day = 0; day < days; day++) {
      const dayWallMs = firstDayWallMs + day * MS_PER_DAY;
      const nextDayStartMs = wallTimeToUtcMs(dayWallMs + MS_PER_DAY, this.timeZone);
      // A day of exactly 24 hours has one offset throughout: its edges need no zone lookups.
      const steady = nextDayStartMs - dayStartMs === MS_PER_DAY;
      let cursorMs = dayStartMs;
      for (let i = 1; i < this.cutMinutes.length; i++) {
        const cutMinute = this.cutMinutes[i]!;
        const cutMs =
          cutMinute === 1440 ? nextDayStartMs : Math.max(cursorMs, steady ? dayStartMs + cutMinute * 60_000 : wallTimeToUtcMs(dayWallMs + cutMinute * 60_000, this.timeZone));
        const fromMs = Math.max(cursorMs, startMs);
        const toMs = Math.min(cutMs, stopMs);
        if (toMs > fromMs) this.pieces.push({ fromMs, toMs, band: findBandIndex(this.bands, this.cutMinutes[i - 1]!) });
        cursorMs = cutMs;
      }
      dayStartMs = nextDayStartMs;
    }
    return dayStartMs;
  }

  private firstPieceEndingAfter(ms: number): number {
    let low = 0;
    let high = this.pieces.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.pieces[mid]!.toMs <= ms) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * Milliseconds of local wall time [fromWallMs, toWallMs) inside `band`, which recurs every day:
 * the measure of [0, x) within the band is whole days × the band's length plus the part of the
 * last day, so the overlap is a difference of two such measures.
 */
function periodicOverlapMs(band: TimeBand, fromWallMs: number, toWallMs: number): number {
  const startMs = band.startMinute * 60_000;
  const endMs = band.endMinute * 60_000;
  const intervals = startMs < endMs ? [[startMs, endMs]] : [[startMs, MS_PER_DAY], [0, endMs]];
  let totalMs = 0;
  for (const [from, to] of intervals as [number, number][]) {
    const measure = (x: number) => Math.floor(x / MS_PER_DAY) * (to - from) + Math.min(Math.max(mod(x, MS_PER_DAY) - from, 0), to - from);
    totalMs += measure(toWallMs) - measure(fromWallMs);
  }
  return totalMs;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** Local midnight (as wall-clock ms) of the site-local day containing `epochMs`. */
function localMidnightWallMs(epochMs: number, timeZone: string): number {
  const wallMs = wallClockMs(epochMs, timeZone);
  return wallMs - mod(wallMs, MS_PER_DAY);
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
