/**
 * How much a connector can use, judged from what it draws (MeterValues Power.Active.Import, or
 * the energy register's rise). A car that draws close to its limit might take more: it may use
 * up to its maximum. A car that draws clearly less (a full battery tapering, a car that charges
 * at 3.7 kW on any charger) gets what it draws plus headroom, and the rest goes to the others.
 * The headroom is wide enough that a car at a steady draw never looks saturated (draw ≥ 90 % of
 * draw + headroom cannot hold), so allocations do not swing back and forth on their own.
 */

/** Drawing at least this share of its limit means the car may want more. */
export const SATURATED_SHARE = 0.9;
/** Headroom above the measured draw: the larger of this and HEADROOM_SHARE of the draw. */
export const HEADROOM_MIN_W = 1000;
export const HEADROOM_SHARE = 0.2;

export interface DemandInput {
  maxW: number;
  minW: number;
  /** Measured draw; undefined before the first reading of the session. */
  drawW: number | undefined;
  /**
   * The limit the connector was charging under when the draw was measured (not the newest one:
   * a car measured at 8 kW under an 8 kW limit is saturated even after its limit rose to 10 kW).
   */
  limitW: number | undefined;
}

export function estimateDemandW(input: DemandInput): number {
  const { maxW, minW, drawW, limitW } = input;
  if (drawW === undefined || limitW === undefined || limitW <= 0) return maxW;
  if (drawW >= limitW * SATURATED_SHARE) return maxW;
  const headroomW = Math.max(HEADROOM_MIN_W, drawW * HEADROOM_SHARE);
  return Math.min(maxW, Math.max(minW, Math.ceil(drawW + headroomW)));
}
