export { Ledger } from './ledger';
export type { TransferRow } from './ledger';
export { balanceOf } from './accounts';
export type { SystemAccountKind } from './accounts';
export { IdempotencyStore, parseIdempotencyKey, requestHash } from './idempotency';
export type { IdempotencyKey, StoredOutcome } from './idempotency';
