import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block K, SmartCharging: charging profiles go to the station (K01
 * SetChargingProfile, K08 GetCompositeSchedule, K09 GetChargingProfiles, K10
 * ClearChargingProfile); what it reports about limits is kept for staff.
 */
export const smartCharging: V201Profile = {
  name: 'K SmartCharging',
  allowedBeforeAcceptance: [],
  outbound: ['SetChargingProfile', 'ClearChargingProfile', 'GetChargingProfiles', 'GetCompositeSchedule'],
  handlers: ({ chargers }) => ({
    // K09: the profiles a station holds, answering GetChargingProfiles.
    ReportChargingProfiles: recordOnly(chargers, 'ReportChargingProfiles', {}),
    // K11-K13: a limit set or released by something other than the CSMS (an EMS, the grid operator).
    NotifyChargingLimit: recordOnly(chargers, 'NotifyChargingLimit', {}),
    ClearedChargingLimit: recordOnly(chargers, 'ClearedChargingLimit', {}),
    // K15-K17: the appliance does no ISO 15118 scheduling; the station keeps its own limits.
    NotifyEVChargingNeeds: recordOnly(chargers, 'NotifyEVChargingNeeds', { status: 'Rejected' }),
    NotifyEVChargingSchedule: recordOnly(chargers, 'NotifyEVChargingSchedule', { status: 'Accepted' }),
  }),
};
