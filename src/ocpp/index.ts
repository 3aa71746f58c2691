export { OcppServer, DEFAULT_SERVER_OPTIONS } from './server';
export type { OcppServerOptions } from './server';
export { CommandService, MAX_COMMAND_TIMEOUT_S } from './commands';
export { createV16Adapter } from './v16';
export { createV201Adapter } from './v201';
export { ChargingProfileCommands } from './charging-profiles';
