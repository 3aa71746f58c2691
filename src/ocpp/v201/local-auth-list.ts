import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block D, LocalAuthorizationListManagement: staff may send a list (D01)
 * or ask its version (D02) through the commands API. The station sends nothing of its own here;
 * the appliance decides every authorization online.
 */
export const localAuthListManagement: V201Profile = {
  name: 'D LocalAuthorizationListManagement',
  allowedBeforeAcceptance: [],
  outbound: ['GetLocalListVersion', 'SendLocalList'],
  handlers: () => ({}),
};
