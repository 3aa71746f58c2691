export { ChargerService } from './service';
export type { Admission, BootInfo, BootStatus, ChargerChange, ChargerView, ConnectorStatusInput, ConnectorView } from './service';
export { isValidChargerId } from './identity';
export type { ChargerRepository } from './repository';
export { MessageLog } from './message-log';
export type { OcppLogEntry } from './message-log';
