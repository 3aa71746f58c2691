export { ChargerService, MAX_CONNECTORS_PER_CHARGER, MAX_EVENT_PAYLOAD_CHARS, MAX_PENDING_CHARGERS } from './service';
export type { ChargerView, ConnectorView } from './service';
export { evsesOf, labelledConnectors, type EvseView, type LabelledConnector } from './evses';
export { isValidChargerId } from './identity';
export { authorizationKeyHex, newChargerPassword } from './password';
export type { ChargerRepository } from './repository';
export { MessageLog } from './message-log';
