export { Authorizer } from './authorize';
export type { AuthorizationDecision, AuthorizationStatus, StartTagHold } from './authorize';
export { DriverService, MAX_UNKNOWN_CARDS } from './service';
export type { CardRow, DriverRow } from './service';
export { normaliseUid } from './uid';
