export { Authorizer } from './authorize';
export type { AuthorizationDecision, AuthorizationStatus } from './authorize';
export { DriverService } from './service';
export type { CardRow, DriverRow } from './service';
export { driverIdTag, normaliseUid } from './uid';

