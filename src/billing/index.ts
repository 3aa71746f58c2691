export { BillingService, BALANCE_EXHAUSTED } from './service';
export type { BillingOptions, RemoteStopRequester, SessionHoldAttacher } from './service';
export { BillingRepository } from './repository';
export type { Payer, SessionBillingRow } from './repository';
