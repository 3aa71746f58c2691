/**
 * Reading the energy register out of OCPP sampled values. A sampled value without a measurand is
 * Energy.Active.Import.Register and without a unit is Wh (OCPP 1.6 §7.45, 2.0.1 §2.47).
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

/** Whole Wh of the import register, or undefined when the element has none we can trust. */
export function energyRegisterWh(sampledValues: readonly SampledValueLike[]): number | undefined {
  let phaseSum: number | undefined;
  for (const sampled of sampledValues) {
    if ((sampled.measurand ?? ENERGY_REGISTER) !== ENERGY_REGISTER) continue;
    if (sampled.format === 'SignedData') continue;
    const wh = toWh(sampled);
    if (wh === undefined) continue;
    // A total (no phase) wins; per-phase registers are summed only when no total is given.
    if (sampled.phase === undefined) return wh;
    if (/^L[123](-N)?$/.test(sampled.phase)) phaseSum = (phaseSum ?? 0) + wh;
  }
  return phaseSum;
}

function toWh(sampled: SampledValueLike): number | undefined {
  const raw = typeof sampled.value === 'number' ? sampled.value : Number(String(sampled.value).trim());
  if (!Number.isFinite(raw) || (typeof sampled.value === 'string' && sampled.value.trim() === '')) return undefined;
  const unit = sampled.unitOfMeasure?.unit ?? sampled.unit ?? 'Wh';
  const multiplier = 10 ** (sampled.unitOfMeasure?.multiplier ?? 0);
  let wh: number;
  if (unit === 'Wh') wh = raw * multiplier;
  else if (unit === 'kWh') wh = raw * 1000 * multiplier;
  else return undefined;
  const rounded = Math.round(wh);
  return Number.isSafeInteger(rounded) && rounded >= 0 ? rounded : undefined;
}
