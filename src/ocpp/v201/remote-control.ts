import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block F, RemoteControl: staff, the QR start and the balance watchdog
 * start and stop transactions remotely (F01/F02 RequestStartTransaction, F03
 * RequestStopTransaction), unlock a connector (F05) or ask for a message (F06 TriggerMessage).
 * The station answers those CALLs; it starts none of its own here.
 */
export const remoteControl: V201Profile = {
  name: 'F RemoteControl',
  allowedBeforeAcceptance: [],
  outbound: ['RequestStartTransaction', 'RequestStopTransaction', 'UnlockConnector', 'TriggerMessage'],
  handlers: () => ({}),
};
