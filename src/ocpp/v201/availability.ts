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
  handlers: ({ chargers, sessions }) => ({
    // G02: only "still here"; the transport already noted the time it arrived.
    async Heartbeat() {
      return { currentTime: nowIso() };
    },

    // G01: staff see the same connector words for both versions.
    async StatusNotification(connection, request) {
      const evseId = request.evseId;
      const hasActiveSession = sessions.repository.active(connection.chargerId).some((session) => session.connectorId === evseId);
      await chargers.recordStatus(connection.chargerId, {
        connectorId: evseId,
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
