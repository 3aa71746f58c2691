import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Smart Charging profile (§3.3): charging profiles go to the charge point
 * (SetChargingProfile, ClearChargingProfile, GetCompositeSchedule); it sends nothing of its own
 * in this profile.
 */
export const smartCharging: V16Profile = {
  name: 'Smart Charging',
  allowedBeforeAcceptance: [],
  outbound: ['ClearChargingProfile', 'GetCompositeSchedule', 'SetChargingProfile'],
  handlers: () => ({}),
};
