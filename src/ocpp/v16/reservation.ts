import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Reservation profile (§3.3): staff may send ReserveNow and CancelReservation through
 * the commands API. A reservation that is used arrives as StartTransaction.reservationId (Core).
 */
export const reservation: V16Profile = {
  name: 'Reservation',
  allowedBeforeAcceptance: [],
  outbound: ['CancelReservation', 'ReserveNow'],
  handlers: () => ({}),
};
