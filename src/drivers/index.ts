export * from './authorize';
export { MoneyAuthorizer } from './authorizer';
export type { MoneyAuthorizerOptions } from './authorizer';
export { DriverService, cardCreateSchema, cardPatchSchema, normalisePhone, userCreateSchema, userPatchSchema } from './service';
export type { CardRow, CardView, DriverRow, UnknownCardRow, UserView } from './service';
export { DRIVER_TAG_PREFIX, driverIdTag, isValidUid, normaliseUid, parseUid, uidFromReader, userIdFromDriverTag } from './uid';
export type { CardReaderFormat } from './uid';
