import { nowIso } from '../../shared';
import { idTagInfo16, timestamp, toMeterValue } from './mapping';
import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Core profile (§3.3; the charge point's operations in chapter 4): boot, heartbeat,
 * connector status, authorization and the transactions with their meter values, onto the
 * version-neutral charger and session services.
 */
export const core: V16Profile = {
  name: 'Core',
  // §4.2: a charge point answered Pending may keep sending these while staff decide.
  allowedBeforeAcceptance: ['BootNotification', 'Heartbeat', 'StatusNotification', 'DataTransfer'],
  outbound: [
    'ChangeAvailability',
    'ChangeConfiguration',
    'ClearCache',
    'DataTransfer',
    'GetConfiguration',
    'RemoteStartTransaction',
    'RemoteStopTransaction',
    'Reset',
    'UnlockConnector',
  ],
  handlers: ({ chargers, sessions }) => ({
    // §4.2: the answer says whether staff (or the site's policy) accepted the charge point.
    async BootNotification(connection, request) {
      const result = await chargers.boot(connection.chargerId, {
        vendor: request.chargePointVendor,
        model: request.chargePointModel,
        serialNumber: request.chargePointSerialNumber ?? request.chargeBoxSerialNumber,
        firmwareVersion: request.firmwareVersion,
        iccid: request.iccid,
        imsi: request.imsi,
        meterType: request.meterType,
        meterSerialNumber: request.meterSerialNumber,
      });
      return { status: result.status, currentTime: result.currentTime, interval: result.intervalS };
    },

    // §4.6: only "still here"; the transport already noted the time it arrived.
    async Heartbeat() {
      return { currentTime: nowIso() };
    },

    // §4.9
    async StatusNotification(connection, request) {
      await chargers.recordStatus(connection.chargerId, {
        connectorId: request.connectorId,
        status: request.status,
        errorCode: request.errorCode,
        info: request.info,
        vendorId: request.vendorId,
        vendorErrorCode: request.vendorErrorCode,
        timestamp: request.timestamp ? timestamp(request.timestamp) : undefined,
      });
      return {};
    },

    // §4.1
    async Authorize(connection, request) {
      return { idTagInfo: idTagInfo16(sessions.authorize(connection.chargerId, request.idTag)) };
    },

    // §4.8: the CSMS numbers the transaction; the charge point uses that number from now on.
    async StartTransaction(connection, request) {
      const result = await sessions.start({
        chargerId: connection.chargerId,
        connectorId: request.connectorId,
        idTag: request.idTag,
        meterStartWh: request.meterStart,
        timestamp: timestamp(request.timestamp),
        reservationId: request.reservationId,
        ocppVersion: '1.6',
      });
      return { transactionId: Number(result.session.transactionId), idTagInfo: idTagInfo16(result.decision) };
    },

    // §4.10
    async StopTransaction(connection, request) {
      await sessions.stop({
        chargerId: connection.chargerId,
        transactionId: String(request.transactionId),
        meterStopWh: request.meterStop,
        timestamp: timestamp(request.timestamp),
        reason: request.reason,
        idTag: request.idTag,
        transactionData: (request.transactionData ?? []).map(toMeterValue),
      });
      // §6.50: idTagInfo only when the charger sent an idTag.
      return request.idTag ? { idTagInfo: idTagInfo16(sessions.authorize(connection.chargerId, request.idTag)) } : {};
    },

    // §4.7
    async MeterValues(connection, request) {
      await sessions.meterValues({
        chargerId: connection.chargerId,
        connectorId: request.connectorId,
        transactionId: request.transactionId === undefined ? undefined : String(request.transactionId),
        meterValue: request.meterValue.map(toMeterValue),
      });
      return {};
    },

    // §4.3: no vendor extensions are implemented; the message is stored for staff.
    async DataTransfer(connection, request) {
      await chargers.recordEvent(connection.chargerId, 'DataTransfer', request);
      return { status: 'UnknownVendorId' };
    },
  }),
};
