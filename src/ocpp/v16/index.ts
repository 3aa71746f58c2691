import type { ChargerService } from '../../chargers';
import type { AuthorizationDecision } from '../../drivers';
import type { MeterValueInput, SessionService } from '../../sessions';
import { nowIso, toUtcIso } from '../../shared';
import type { OcppConnection } from '../connection';
import { OcppError } from '../errors';
import type { ProtocolAdapter } from '../server';

/**
 * OCPP 1.6 JSON adapter: translates the charge point's CALLs (all six feature profiles, plus
 * the security whitepaper notifications) into the version-neutral charger and session services.
 */
export interface V16Services {
  chargers: ChargerService;
  sessions: SessionService;
}

type Payload = Record<string, any>;
type Handler = (connection: OcppConnection, payload: Payload) => Promise<object>;

/** OCPP 1.6 IdTagInfo.status has no NoCredit / NotAtThisLocation: the nearest 1.6 words. */
export function idTagInfo16(decision: AuthorizationDecision): Payload {
  const status =
    decision.status === 'NoCredit'
      ? 'Blocked'
      : decision.status === 'NotAtThisLocation' || decision.status === 'Unknown'
        ? 'Invalid'
        : decision.status;
  const info: Payload = { status };
  if (decision.expiryDate) info.expiryDate = decision.expiryDate;
  if (decision.parentIdTag) info.parentIdTag = decision.parentIdTag;
  return info;
}

/** Messages a charger may send before staff accepted it (OCPP 1.6 §4.2: Pending / Rejected). */
const ALLOWED_BEFORE_ACCEPTANCE = new Set([
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'FirmwareStatusNotification',
  'DiagnosticsStatusNotification',
  'SecurityEventNotification',
  'LogStatusNotification',
  'SignedFirmwareStatusNotification',
  'DataTransfer',
]);

function timestamp(value: unknown): string {
  return (typeof value === 'string' && toUtcIso(value)) || nowIso();
}

export function createV16Adapter(services: V16Services): ProtocolAdapter {
  const { chargers, sessions } = services;

  const handlers: Record<string, Handler> = {
    async BootNotification(connection, payload) {
      const result = await chargers.boot(connection.chargerId, {
        vendor: payload.chargePointVendor,
        model: payload.chargePointModel,
        serialNumber: payload.chargePointSerialNumber ?? payload.chargeBoxSerialNumber,
        firmwareVersion: payload.firmwareVersion,
        iccid: payload.iccid,
        imsi: payload.imsi,
        meterType: payload.meterType,
        meterSerialNumber: payload.meterSerialNumber,
      });
      return { status: result.status, currentTime: result.currentTime, interval: result.intervalS };
    },

    async Heartbeat() {
      return { currentTime: nowIso() };
    },

    async StatusNotification(connection, payload) {
      await chargers.recordStatus(connection.chargerId, {
        connectorId: payload.connectorId,
        status: payload.status,
        errorCode: payload.errorCode,
        info: payload.info,
        vendorId: payload.vendorId,
        vendorErrorCode: payload.vendorErrorCode,
        timestamp: payload.timestamp ? timestamp(payload.timestamp) : undefined,
      });
      return {};
    },

    async Authorize(connection, payload) {
      return { idTagInfo: idTagInfo16(sessions.authorize(connection.chargerId, payload.idTag)) };
    },

    async StartTransaction(connection, payload) {
      const result = await sessions.start({
        chargerId: connection.chargerId,
        connectorId: payload.connectorId,
        idTag: payload.idTag,
        meterStartWh: payload.meterStart,
        timestamp: timestamp(payload.timestamp),
        reservationId: payload.reservationId,
        ocppVersion: '1.6',
      });
      return { transactionId: Number(result.session.transactionId), idTagInfo: idTagInfo16(result.decision) };
    },

    async StopTransaction(connection, payload) {
      await sessions.stop({
        chargerId: connection.chargerId,
        transactionId: String(payload.transactionId),
        meterStopWh: payload.meterStop,
        timestamp: timestamp(payload.timestamp),
        reason: payload.reason,
        idTag: payload.idTag,
        transactionData: (payload.transactionData ?? []).map(toMeterValue),
      });
      // OCPP 1.6 §6.47: idTagInfo only when the charger sent an idTag.
      return payload.idTag ? { idTagInfo: idTagInfo16(sessions.authorize(connection.chargerId, payload.idTag)) } : {};
    },

    async MeterValues(connection, payload) {
      await sessions.meterValues({
        chargerId: connection.chargerId,
        connectorId: payload.connectorId,
        transactionId: payload.transactionId === undefined ? undefined : String(payload.transactionId),
        meterValue: payload.meterValue.map(toMeterValue),
      });
      return {};
    },

    async DataTransfer(connection, payload) {
      await chargers.recordEvent(connection.chargerId, 'DataTransfer', payload);
      // No vendor extensions are implemented; the message is stored for staff (OCPP 1.6 §4.3).
      return { status: 'UnknownVendorId' };
    },

    async DiagnosticsStatusNotification(connection, payload) {
      await chargers.recordDiagnosticsStatus(connection.chargerId, 'DiagnosticsStatusNotification', payload, payload.status);
      return {};
    },

    async FirmwareStatusNotification(connection, payload) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'FirmwareStatusNotification', payload, payload.status);
      return {};
    },

    async SecurityEventNotification(connection, payload) {
      await chargers.recordEvent(connection.chargerId, 'SecurityEventNotification', payload);
      return {};
    },

    async LogStatusNotification(connection, payload) {
      await chargers.recordEvent(connection.chargerId, 'LogStatusNotification', payload);
      return {};
    },

    async SignedFirmwareStatusNotification(connection, payload) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'SignedFirmwareStatusNotification', payload, payload.status);
      return {};
    },
  };

  return {
    version: '1.6',
    subprotocol: 'ocpp1.6',
    inboundActions: new Set(Object.keys(handlers)),
    async dispatch(connection, action, payload) {
      if (!ALLOWED_BEFORE_ACCEPTANCE.has(action) && chargers.registrationOf(connection.chargerId) !== 'accepted') {
        throw new OcppError('SecurityError', 'This charge point is not accepted by the CSMS yet (BootNotification was answered Pending)');
      }
      return handlers[action]!(connection, payload);
    },
  };
}

function toMeterValue(element: Payload): MeterValueInput {
  return { timestamp: timestamp(element.timestamp), sampledValue: element.sampledValue };
}

/** CSMS-initiated actions of OCPP 1.6 (core, firmware, local list, reservation, smart charging, remote trigger). */
export const V16_OUTBOUND_ACTIONS = new Set([
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  // Security whitepaper extensions, for chargers that implement them.
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'SignedUpdateFirmware',
]);
