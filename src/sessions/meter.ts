/**
 * Reading the energy register out of OCPP sampled values, and telling readings that can be true
 * from ones that cannot. A sampled value without a measurand is Energy.Active.Import.Register and
 * without a unit is Wh (OCPP 1.6 §7.45, 2.0.1 §2.47).
 */
export interface SampledValueLike {
  value: string | number;
  measurand?: string | undefined;
  unit?: string | undefined;
  phase?: string | undefined;
  format?: string | undefined;
  unitOfMeasure?: { unit?: string | undefined; multiplier?: number | undefined } | undefined;
  context?: string | undefined;
}

const ENERGY_REGISTER = 'Energy.Active.Import.Register';

/**
 * The import register of one MeterValue element: `none` when it has none, `reading` with whole
 * Wh, or `impossible` when it has one that no meter can show (not a number, not a safe integer
 * of Wh, negative).
 */
export type RegisterReading = { kind: 'none' } | { kind: 'reading'; wh: number } | { kind: 'impossible' };

export function readRegister(sampledValues: readonly SampledValueLike[]): RegisterReading {
  let phaseSum: number | undefined;
  let impossible = false;
  for (const sampled of sampledValues) {
    if ((sampled.measurand ?? ENERGY_REGISTER) !== ENERGY_REGISTER) continue;
    if (sampled.format === 'SignedData') continue;
    const wh = toWh(sampled);
    if (wh === 'other unit') continue;
    // A total (no phase) wins; per-phase registers are summed only when no total is given.
    if (sampled.phase === undefined) return wh === 'impossible' ? { kind: 'impossible' } : { kind: 'reading', wh };
    if (!/^L[123](-N)?$/.test(sampled.phase)) continue;
    if (wh === 'impossible') impossible = true;
    else phaseSum = (phaseSum ?? 0) + wh;
  }
  if (impossible) return { kind: 'impossible' };
  if (phaseSum === undefined) return { kind: 'none' };
  return Number.isSafeInteger(phaseSum) ? { kind: 'reading', wh: phaseSum } : { kind: 'impossible' };
}

/** Whole Wh of the import register, or undefined when the element has none that can be true. */
export function energyRegisterWh(sampledValues: readonly SampledValueLike[]): number | undefined {
  const reading = readRegister(sampledValues);
  return reading.kind === 'reading' ? reading.wh : undefined;
}

function toWh(sampled: SampledValueLike): number | 'impossible' | 'other unit' {
  const text = typeof sampled.value === 'string' ? sampled.value.trim() : undefined;
  const raw = typeof sampled.value === 'number' ? sampled.value : text === '' ? Number.NaN : Number(text);
  const unit = sampled.unitOfMeasure?.unit ?? sampled.unit ?? 'Wh';
  const multiplier = 10 ** (sampled.unitOfMeasure?.multiplier ?? 0);
  let wh: number;
  if (unit === 'Wh') wh = raw * multiplier;
  else if (unit === 'kWh') wh = raw * 1000 * multiplier;
  else return 'other unit';
  const rounded = Math.round(wh);
  return Number.isSafeInteger(rounded) && rounded >= 0 ? rounded : 'impossible';
}

/** More than any charger delivers: the bound of a believable rise of the register (CONTRACT). */
export const MAX_PLAUSIBLE_POWER_W = 1_000_000;
/** Slack added to the time between two readings (clocks and sampling are not exact). */
const READING_GAP_SLACK_MS = 60_000;

/** A trusted reading and the charger's clock when it was taken. */
export interface TrustedReading {
  wh: number;
  chargerAt: string;
}

/**
 * Whether a register reading can follow the last trusted one (CONTRACT "OCPP endpoint"): not
 * lower, and not higher by more than 1 MW could deliver in the time between the two readings'
 * charger timestamps plus one minute. The charger's own clock is used for the gap, so a charger
 * whose clock says 1970 is still judged by how far its clock moved between the readings.
 */
export function canFollow(wh: number, chargerAt: string, last: TrustedReading): boolean {
  if (wh < last.wh) return false;
  const gapMs = Math.max(0, Date.parse(chargerAt) - Date.parse(last.chargerAt));
  const maxRiseWh = (MAX_PLAUSIBLE_POWER_W * ((Number.isFinite(gapMs) ? gapMs : 0) + READING_GAP_SLACK_MS)) / 3_600_000;
  return wh - last.wh <= maxRiseWh;
}

const ACTIVE_POWER = 'Power.Active.Import';

/**
 * Whole W the charger reports drawing (Power.Active.Import, W or kW): the total, or the phases
 * summed when only per-phase values are given. Undefined when the element has no such value.
 */
export function activePowerW(sampledValues: readonly SampledValueLike[]): number | undefined {
  let phaseSum: number | undefined;
  for (const sampled of sampledValues) {
    if (sampled.measurand !== ACTIVE_POWER || sampled.format === 'SignedData') continue;
    const raw = typeof sampled.value === 'number' ? sampled.value : Number(String(sampled.value).trim());
    if (!Number.isFinite(raw) || (typeof sampled.value === 'string' && sampled.value.trim() === '')) continue;
    const unit = sampled.unitOfMeasure?.unit ?? sampled.unit ?? 'W';
    const multiplier = 10 ** (sampled.unitOfMeasure?.multiplier ?? 0);
    const watts = unit === 'W' ? raw * multiplier : unit === 'kW' ? raw * 1000 * multiplier : undefined;
    if (watts === undefined || watts < 0 || !Number.isSafeInteger(Math.round(watts))) continue;
    if (sampled.phase === undefined) return Math.round(watts);
    if (/^L[123](-N)?$/.test(sampled.phase)) phaseSum = (phaseSum ?? 0) + Math.round(watts);
  }
  return phaseSum;
}
