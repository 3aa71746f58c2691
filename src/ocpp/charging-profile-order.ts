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
