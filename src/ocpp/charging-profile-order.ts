/**
 * A charging profile in words both versions share: connector 0 with purpose `default` is the
 * charger's default for every connector; `transaction` limits one running transaction.
 */
export interface ChargingProfileOrder {
  profileId: number;
  connectorId: number;
  purpose: 'default' | 'transaction';
  transactionId?: string | undefined;
  unit: 'A' | 'W';
  /** Whole W, or A per phase with one decimal. */
  limit: number;
  phases: number;
  /** A second period: from this many seconds after the start, this limit (the fallback share). */
  later?: { startPeriodS: number; limit: number } | undefined;
  /**
   * Set: an Absolute schedule starting at this instant (a TxProfile that falls back to the share
   * `later.startPeriodS` after it was sent, 1.6 §3.13.1 / 2.0.1 K01). Absent: Relative, its periods
   * counting from the start of the transaction (1.6 §3.13.2).
   */
  startSchedule?: string | undefined;
}

/** Absolute with its start, or Relative (the words are the same in both versions). */
export function scheduleKindOf(order: ChargingProfileOrder): { kind: 'Absolute' | 'Relative'; startSchedule?: string } {
  return order.startSchedule !== undefined ? { kind: 'Absolute', startSchedule: order.startSchedule } : { kind: 'Relative' };
}

/** The schedule's periods, in the words both versions share (numberPhases only with amperes). */
export function schedulePeriods(order: ChargingProfileOrder): { startPeriod: number; limit: number; numberPhases?: number }[] {
  const phases = order.unit === 'A' ? { numberPhases: order.phases } : {};
  const periods = [{ startPeriod: 0, limit: order.limit, ...phases }];
  if (order.later) periods.push({ startPeriod: order.later.startPeriodS, limit: order.later.limit, ...phases });
  return periods;
}

/** The purpose both versions name the same way (1.6 §7.15, 2.0.1 ChargingProfilePurposeEnumType). */
export function profilePurposeOf(order: ChargingProfileOrder): 'TxProfile' | 'TxDefaultProfile' {
  return order.purpose === 'transaction' ? 'TxProfile' : 'TxDefaultProfile';
}
