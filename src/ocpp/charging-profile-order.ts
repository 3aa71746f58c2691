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
}

/** The purpose both versions name the same way (1.6 §7.15, 2.0.1 ChargingProfilePurposeEnumType). */
export function profilePurposeOf(order: ChargingProfileOrder): 'TxProfile' | 'TxDefaultProfile' {
  return order.purpose === 'transaction' ? 'TxProfile' : 'TxDefaultProfile';
}

/** The one period both versions send: from the start, the limit, and with amperes the phases it is per. */
export function singleSchedulePeriod(order: ChargingProfileOrder): { startPeriod: number; limit: number; numberPhases?: number } {
  return { startPeriod: 0, limit: order.limit, ...(order.unit === 'A' ? { numberPhases: order.phases } : {}) };
}
