import { profilePurposeOf, scheduleKindOf, schedulePeriods, type ChargingProfileOrder } from '../charging-profile-order';
import type { SetChargingProfileRequest } from '../generated/v201';

/**
 * Load management's profile as 2.0.1 SetChargingProfile (K01): the default is a TxDefaultProfile
 * on EVSE 0, which applies to each EVSE; a running transaction gets a TxProfile on its EVSE with
 * its transactionId (K01.FR.03). No duration; Relative (a default's periods count from the start
 * of each transaction), or Absolute from the moment it is sent for a TxProfile above the fallback
 * share, whose second period is that share (renewed while the appliance runs); A limits per phase with numberPhases. The same id again replaces the
 * profile (K01.FR.05).
 */
export function setChargingProfile201(order: ChargingProfileOrder): SetChargingProfileRequest {
  const transaction = order.purpose === 'transaction';
  const { kind, startSchedule } = scheduleKindOf(order);
  return {
    evseId: transaction ? order.connectorId : 0,
    chargingProfile: {
      id: order.profileId,
      stackLevel: 0,
      chargingProfilePurpose: profilePurposeOf(order),
      chargingProfileKind: kind,
      ...(transaction && order.transactionId !== undefined ? { transactionId: order.transactionId } : {}),
      chargingSchedule: [
        {
          id: 1,
          ...(startSchedule !== undefined ? { startSchedule } : {}),
          chargingRateUnit: order.unit,
          chargingSchedulePeriod: schedulePeriods(order),
        },
      ],
    },
  };
}

/** The device model variable SmartChargingCtrlr.RateUnit, a member list such as "A,W". */
export const RATE_UNIT_VARIABLE = 'SmartChargingCtrlr/RateUnit';

export function rateUnitsOf201(value: string | null | undefined): ('A' | 'W')[] | undefined {
  const units = (value ?? '').split(',').map((unit) => unit.trim()).filter((unit): unit is 'A' | 'W' => unit === 'A' || unit === 'W');
  return units.length > 0 ? units : undefined;
}
