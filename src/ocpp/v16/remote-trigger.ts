import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Remote Trigger profile (§3.3): staff ask for a message with TriggerMessage; what the
 * charge point then sends is handled by the profile the message belongs to.
 */
export const remoteTrigger: V16Profile = {
  name: 'Remote Trigger',
  allowedBeforeAcceptance: [],
  outbound: ['TriggerMessage'],
  handlers: () => ({}),
};
