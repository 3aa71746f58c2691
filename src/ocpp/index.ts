export { OcppServer, DEFAULT_SERVER_OPTIONS, identityFromUrl, parseBasicAuth } from './server';
export type { ProtocolAdapter, OcppServerOptions } from './server';
export { CommandService, registerOutboundActions, toApiError, MAX_COMMAND_TIMEOUT_S } from './commands';
export { createV16Adapter, idTagInfo16 } from './v16';
export { OcppError, OcppCallError, errorCodeFor } from './errors';
export type { OcppVersion, OcppErrorKind } from './errors';
export { schemaValidator } from './schemas';
export { ChargerOfflineError, ChargerTimeoutError } from './connection';
export type { OcppConnection, InboundDispatcher } from './connection';
