import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Local Auth List Management profile (§3.3): staff may send SendLocalList and
 * GetLocalListVersion through the commands API. The charge point sends nothing of its own here;
 * the appliance decides every authorization online (Authorize, StartTransaction).
 */
export const localAuthListManagement: V16Profile = {
  name: 'Local Auth List Management',
  allowedBeforeAcceptance: [],
  outbound: ['GetLocalListVersion', 'SendLocalList'],
  handlers: () => ({}),
};
