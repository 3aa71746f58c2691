import { profilePurposeOf, scheduleKindOf, schedulePeriods, type ChargingProfileOrder } from '../charging-profile-order';
import type { SetChargingProfileRequest } from '../generated/v16';

/**
 * Load management's profile as 1.6 SetChargingProfile (§5.16): the charger's default is a
 * TxDefaultProfile on connector 0 (it applies to every connector, §3.13.2); a running transaction
 * gets a TxProfile on its connector naming the transaction (§3.13.3). No duration: the last period
 * holds until replaced. A TxDefaultProfile's Relative schedule starts with each transaction
 * (§3.13.2), so its two periods read "0 until the appliance sends a share, then the fallback". A
 * TxProfile above the fallback share is Absolute from the moment it is sent (startSchedule), its
 * second period the share: without renewal the charger falls back by itself (§3.13.1).
 * An A limit is per phase and says how many phases (3 is assumed when absent, §7.14).
 */
export function setChargingProfile16(order: ChargingProfileOrder): SetChargingProfileRequest {
  const transaction = order.purpose === 'transaction';
  const { kind, startSchedule } = scheduleKindOf(order);
  return {
    connectorId: transaction ? order.connectorId : 0,
    csChargingProfiles: {
      chargingProfileId: order.profileId,
      ...(transaction ? { transactionId: Number(order.transactionId) } : {}),
      stackLevel: 0,
      chargingProfilePurpose: profilePurposeOf(order),
      chargingProfileKind: kind,
      chargingSchedule: {
        ...(startSchedule !== undefined ? { startSchedule } : {}),
        chargingRateUnit: order.unit,
        chargingSchedulePeriod: schedulePeriods(order),
      },
    },
  };
}

/** 1.6 ChargingScheduleAllowedChargingRateUnit (§9.4) "Current", "Power" or both → A / W. */
export function rateUnitsOf16(value: string | null | undefined): ('A' | 'W')[] | undefined {
  const units = (value ?? '').split(',').map((unit) => unit.trim());
  const result: ('A' | 'W')[] = [];
  if (units.includes('Current')) result.push('A');
  if (units.includes('Power')) result.push('W');
  return result.length > 0 ? result : undefined;
}
