export { Ledger, SYSTEM_ACCOUNTS, balanceOf, insufficientFunds } from './ledger';
export type { AccountKind, AccountRow, BalanceView, EntryRow, HoldInput, LedgerCheck, SystemAccountKind, TransferInput, TransferRow } from './ledger';
export { IdempotencyStore, canonicalJson, parseIdempotencyKey, requestHash } from './idempotency';
export type { StoredOutcome } from './idempotency';
