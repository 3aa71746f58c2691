import type { ChargerService } from '../../chargers';
import type { Db } from '../../db';
import type { SessionService } from '../../sessions';
import type { SettingsService } from '../../settings';
import { nowIso } from '../../shared';
import type { OcppConnection } from '../connection';
import { OcppError } from '../errors';
import type { ProtocolAdapter } from '../server';
import { DeviceModel, type ReportDataType } from './device-model';
import { connectorStatusFrom201, idTagOf, idTokenInfo201, timestamp, toMeterValueInput, type IdToken201, type MeterValue201 } from './mapping';
import { V201Repository } from './repository';
import { RunningCostNotifier, type RunningCostProvider } from './running-cost';
import { TransactionEventHandler, type TransactionEventRequest } from './transactions';

export { V201Repository } from './repository';
export type { DeviceVariableRow, TransactionEventRow } from './repository';
export { DeviceModel } from './device-model';
export type { RunningCostProvider } from './running-cost';

/**
 * OCPP 2.0.1 adapter: translates a charging station's CALLs into the same version-neutral
 * charger and session services the 1.6 adapter uses, so billing, cards and the staff view see
 * no difference between the versions.
 */
export interface V201Services {
  db: Db;
  chargers: ChargerService;
  sessions: SessionService;
  settings: SettingsService;
  /** Billing's running cost of a session, passed on to stations with CostUpdated. */
  runningCostOf: RunningCostProvider;
}

export interface V201Adapter extends ProtocolAdapter {
  repository: V201Repository;
  deviceModel: DeviceModel;
  /** For CommandService.onResult: keeps what GetVariables / SetVariables answered. */
  onCommandResult(result: { chargerId: string; version: string; action: string; payload: Record<string, unknown>; response: Record<string, unknown> }): Promise<void>;
}

// Payloads reach the handlers only after the official 2.0.1 schema accepted them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Payload = Record<string, any>;
type Handler = (connection: OcppConnection, payload: Payload) => Promise<object>;

/**
 * B02: while a station is Pending the CSMS may still configure it (GetBaseReport, SetVariables),
 * so what a station sends about itself is taken; transactions and authorization wait for Accepted.
 */
const ALLOWED_BEFORE_ACCEPTANCE = new Set([
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'NotifyReport',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'FirmwareStatusNotification',
  'SecurityEventNotification',
  'LogStatusNotification',
  'DataTransfer',
]);

export function createV201Adapter(services: V201Services): V201Adapter {
  const { chargers, sessions, db } = services;
  const repository = new V201Repository(db);
  const deviceModel = new DeviceModel(db, repository, chargers);
  const transactions = new TransactionEventHandler({ db, repository, sessions, chargers, settings: services.settings });
  const runningCost = new RunningCostNotifier(repository, services.settings, services.runningCostOf);

  const recordOnly =
    (kind: string, response: object = {}): Handler =>
    async (connection, payload) => {
      await chargers.recordEvent(connection.chargerId, kind, payload);
      return response;
    };

  const handlers: Record<string, Handler> = {
    async BootNotification(connection, payload) {
      const station = payload.chargingStation as Payload;
      const result = await chargers.boot(connection.chargerId, {
        vendor: station.vendorName,
        model: station.model,
        serialNumber: station.serialNumber,
        firmwareVersion: station.firmwareVersion,
        iccid: station.modem?.iccid,
        imsi: station.modem?.imsi,
      });
      if (result.status === 'Accepted') {
        // Sent once the BootNotification answer is on the wire: a station accepts CSMS calls
        // only after it knows it was accepted.
        setImmediate(() => deviceModel.requestBaseReportIfUnknown(connection));
      }
      return { status: result.status, currentTime: result.currentTime, interval: result.intervalS };
    },

    async Heartbeat() {
      return { currentTime: nowIso() };
    },

    async StatusNotification(connection, payload) {
      const evseId = payload.evseId as number;
      const hasActiveSession = sessions.repository.active(connection.chargerId).some((session) => session.connectorId === evseId);
      await chargers.recordStatus(connection.chargerId, {
        connectorId: evseId,
        evseId,
        status: connectorStatusFrom201(payload.connectorStatus, hasActiveSession),
        // 2.0.1 reports faults through NotifyEvent, not in StatusNotification.
        errorCode: payload.connectorStatus === 'Faulted' ? 'OtherError' : 'NoError',
        timestamp: timestamp(payload.timestamp),
      });
      return {};
    },

    async Authorize(connection, payload) {
      const decision = sessions.authorize(connection.chargerId, idTagOf(payload.idToken as IdToken201));
      return { idTokenInfo: idTokenInfo201(decision) };
    },

    async TransactionEvent(connection, payload) {
      const request = payload as TransactionEventRequest;
      const response = await transactions.handle(connection.chargerId, request);
      // After our answer is on the wire: a CALL of ours must not overtake it.
      setImmediate(() => runningCost.afterEvent(connection, sessions.byTransaction(connection.chargerId, request.transactionInfo.transactionId)));
      return response;
    },

    async MeterValues(connection, payload) {
      // J01: meter values outside a transaction (evseId 0 is the station's main meter).
      await sessions.meterValues({
        chargerId: connection.chargerId,
        connectorId: payload.evseId,
        meterValue: (payload.meterValue as MeterValue201[]).map(toMeterValueInput),
      });
      return {};
    },

    async NotifyReport(connection, payload) {
      await deviceModel.recordReport(connection.chargerId, (payload.reportData ?? []) as ReportDataType[]);
      return {};
    },

    async FirmwareStatusNotification(connection, payload) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'FirmwareStatusNotification', payload, payload.status);
      return {};
    },

    async LogStatusNotification(connection, payload) {
      await chargers.recordDiagnosticsStatus(connection.chargerId, 'LogStatusNotification', payload, payload.status);
      return {};
    },

    // P01: no vendor extensions are implemented; the message is kept for staff.
    DataTransfer: recordOnly('DataTransfer', { status: 'UnknownVendorId' }),
    NotifyEvent: recordOnly('NotifyEvent'),
    SecurityEventNotification: recordOnly('SecurityEventNotification'),
    NotifyMonitoringReport: recordOnly('NotifyMonitoringReport'),
    ReservationStatusUpdate: recordOnly('ReservationStatusUpdate'),
    PublishFirmwareStatusNotification: recordOnly('PublishFirmwareStatusNotification'),
    NotifyCustomerInformation: recordOnly('NotifyCustomerInformation'),
    NotifyDisplayMessages: recordOnly('NotifyDisplayMessages'),
    ReportChargingProfiles: recordOnly('ReportChargingProfiles'),
    NotifyChargingLimit: recordOnly('NotifyChargingLimit'),
    ClearedChargingLimit: recordOnly('ClearedChargingLimit'),
    // K15-K17: the appliance does no ISO 15118 scheduling; the station keeps its own limits.
    NotifyEVChargingNeeds: recordOnly('NotifyEVChargingNeeds', { status: 'Rejected' }),
    NotifyEVChargingSchedule: recordOnly('NotifyEVChargingSchedule', { status: 'Accepted' }),
    // Get15118EVCertificate, GetCertificateStatus and SignCertificate need a certificate
    // authority (security profile 3, ISO 15118 Plug & Charge), which the appliance has not: they
    // are answered NotSupported by the transport because no handler is listed for them here.
  };

  return {
    version: '2.0.1',
    subprotocol: 'ocpp2.0.1',
    inboundActions: new Set(Object.keys(handlers)),
    outboundActions: V201_OUTBOUND_ACTIONS,
    repository,
    deviceModel,
    async onCommandResult({ chargerId, version, action, payload, response }) {
      if (version !== '2.0.1') return;
      if (action === 'GetVariables') await deviceModel.recordGetVariables(chargerId, response);
      if (action === 'SetVariables') await deviceModel.recordSetVariables(chargerId, payload, response);
    },
    async dispatch(connection, action, payload) {
      if (!ALLOWED_BEFORE_ACCEPTANCE.has(action) && chargers.registrationOf(connection.chargerId) !== 'accepted') {
        throw new OcppError('SecurityError', 'This charging station is not accepted by the CSMS yet (BootNotification was answered Pending)');
      }
      return handlers[action]!(connection, payload);
    },
  };
}

/** CSMS-initiated actions of OCPP 2.0.1 the commands API may send. */
export const V201_OUTBOUND_ACTIONS = new Set([
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DataTransfer',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'PublishFirmware',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
]);
