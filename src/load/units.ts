/**
 * Power and current. The appliance thinks in watts (CONTRACT: power in watts); chargers and
 * sites often speak amperes per phase. `W = A × V × phases`, with V the phase-to-neutral voltage
 * (230 V in India and Europe). A current is rounded down to the 0.1 A that OCPP schedules carry
 * (1.6 §7.13 ChargingSchedulePeriod.limit, one decimal), so a converted limit never grows.
 */

/** Phase-to-neutral voltage assumed when a charger does not say otherwise. */
export const DEFAULT_VOLTAGE_V = 230;
/** Chargers are taken as three-phase unless staff or the charger say one. */
export const DEFAULT_PHASES = 3;
/** IEC 61851-1: an EV cannot charge on less than 6 A; below that OCPP pauses it at 0 A. */
export const MINIMUM_CHARGING_CURRENT_A = 6;
/** A 3 × 32 A AC charger: what an unconfigured charger is assumed to draw at most. */
export const DEFAULT_MAX_CURRENT_A = 32;

export type Phases = 1 | 3;
export type RateUnit = 'A' | 'W';

export interface Supply {
  phases: Phases;
  voltageV: number;
}

export function wattsFromAmpsPerPhase(ampsPerPhase: number, supply: Supply): number {
  // The epsilon keeps 6.9 A × 230 V (1586.999… in binary) from flooring to 1586 W.
  return Math.floor(ampsPerPhase * supply.voltageV * supply.phases + 1e-6);
}

/** Amperes per phase for a power, rounded down to 0.1 A. */
export function ampsPerPhaseFromWatts(watts: number, supply: Supply): number {
  if (watts <= 0) return 0;
  // The epsilon keeps 6.9 A (exactly representable only approximately) from flooring to 6.8 A.
  return Math.floor((watts / (supply.voltageV * supply.phases)) * 10 + 1e-9) / 10;
}

/** The minimum power a connector can charge at (6 A per phase). */
export function minimumChargingW(supply: Supply): number {
  return wattsFromAmpsPerPhase(MINIMUM_CHARGING_CURRENT_A, supply);
}

/**
 * A power limit expressed in the unit a charger takes: watts as whole W, amperes as 0.1 A per
 * phase. `effectiveW` is what the sent value allows, never more than asked.
 */
export interface ChargerLimit {
  unit: RateUnit;
  value: number;
  phases: Phases;
  effectiveW: number;
}

export function limitInUnit(watts: number, unit: RateUnit, supply: Supply): ChargerLimit {
  const floored = Math.max(0, Math.floor(watts));
  if (unit === 'W') return { unit, value: floored, phases: supply.phases, effectiveW: floored };
  const amps = ampsPerPhaseFromWatts(floored, supply);
  return { unit, value: amps, phases: supply.phases, effectiveW: Math.min(floored, wattsFromAmpsPerPhase(amps, supply)) };
}

/** Reads a limit a charger was sent (or the simulator received) back as watts. */
export function wattsOfLimit(value: number, unit: RateUnit, supply: Supply): number {
  return unit === 'W' ? Math.floor(value) : wattsFromAmpsPerPhase(value, supply);
}
