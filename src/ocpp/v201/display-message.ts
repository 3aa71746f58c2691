import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block O, DisplayMessage: staff may set, list and clear messages on the
 * station's display (O01-O06); the messages a station lists (O03, O04) are kept for staff.
 */
export const displayMessage: V201Profile = {
  name: 'O DisplayMessage',
  allowedBeforeAcceptance: [],
  outbound: ['SetDisplayMessage', 'GetDisplayMessages', 'ClearDisplayMessage'],
  handlers: ({ chargers }) => ({
    NotifyDisplayMessages: recordOnly(chargers, 'NotifyDisplayMessages', {}),
  }),
};
