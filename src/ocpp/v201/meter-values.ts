import { toMeterValueInput } from './mapping';
import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block J, MeterValues: readings outside a transaction (J01; evseId 0 is
 * the station's main meter). Readings of a transaction come in its TransactionEvents (J02).
 */
export const meterValues: V201Profile = {
  name: 'J MeterValues',
  allowedBeforeAcceptance: [],
  outbound: [],
  handlers: ({ sessions }) => ({
    async MeterValues(connection, request) {
      await sessions.meterValues({
        chargerId: connection.chargerId,
        connectorId: request.evseId,
        meterValue: request.meterValue.map(toMeterValueInput),
      });
      return {};
    },
  }),
};
