export { Authorizer } from './authorize';
export type { AuthorizationDecision, AuthorizationRequest, AuthorizationStatus, AuthorizerOptions } from './authorize';
export { DriverService, cardCreateSchema, cardPatchSchema, normalisePhone, userCreateSchema, userPatchSchema } from './service';
export type { CardRow, CardView, DriverRow, UnknownCardRow, UserView } from './service';
export { DRIVER_TAG_PREFIX, driverIdTag, isValidUid, normaliseUid, parseUid, uidFromReader, userIdFromDriverTag } from './uid';
export type { CardReaderFormat } from './uid';
