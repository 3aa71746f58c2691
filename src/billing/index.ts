export { BillingService } from './service';
export type { RemoteStopRequester } from './service';
export { BillingRepository } from './repository';

