import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block H, Reservation: staff may reserve an EVSE (H01) or cancel it (H02)
 * through the commands API; a reservation that ends unused is reported (H04) and kept for staff.
 */
export const reservation: V201Profile = {
  name: 'H Reservation',
  allowedBeforeAcceptance: [],
  outbound: ['ReserveNow', 'CancelReservation'],
  handlers: ({ chargers }) => ({
    ReservationStatusUpdate: recordOnly(chargers, 'ReservationStatusUpdate', {}),
  }),
};
