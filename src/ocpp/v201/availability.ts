import { nowIso } from '../../shared';
import { connectorStatusFrom201, timestamp } from './mapping';
import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block G, Availability: connector status (G01), heartbeat (G02), and
 * staff changing the availability of an EVSE or the station (G03, G04).
 */
export const availability: V201Profile = {
  name: 'G Availability',
  allowedBeforeAcceptance: ['Heartbeat', 'StatusNotification'],
  outbound: ['ChangeAvailability'],
  handlers: ({ chargers, sessions, transactionEvents }) => ({
    // G02: only "still here"; the transport already noted the time it arrived.
    async Heartbeat() {
      return { currentTime: nowIso() };
    },

    // G01: staff see the same connector words for both versions, one row per connector of the EVSE.
    async StatusNotification(connection, request) {
      const { chargerId } = connection;
      const evseId = request.evseId;
      // Occupied is Charging on the connector the EVSE's transaction runs through (when its events
      // named one); another connector of that EVSE with a cable in is only Preparing.
      const connectorOf = (transactionId: string | null) => (transactionId === null ? undefined : transactionEvents.evseConnectorOf(chargerId, transactionId));
      const hasActiveSession = sessions.repository
        .active(chargerId)
        .some((session) => session.connectorId === evseId && (connectorOf(session.transactionId) ?? request.connectorId) === request.connectorId);
      await chargers.recordStatus(chargerId, {
        connectorId: evseId,
        evseConnectorId: request.connectorId,
        evseId,
        status: connectorStatusFrom201(request.connectorStatus, hasActiveSession),
        // 2.0.1 reports faults through NotifyEvent, not in StatusNotification.
        errorCode: request.connectorStatus === 'Faulted' ? 'OtherError' : 'NoError',
        timestamp: timestamp(request.timestamp),
      });
      return {};
    },
  }),
};
