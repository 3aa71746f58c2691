import type { ChargerCapabilities, ChargingProfileSender, ProfileAnswer, ProfileOrder, RateUnit } from '../load';
import { AppError } from '../shared';
import type { CommandService, DeviceModelConfiguration } from './commands';
import type { ChargingSchedulePeriod, SetChargingProfileRequest as SetChargingProfile16 } from './generated/v16';
import type { ChargingSchedulePeriodType, SetChargingProfileRequest as SetChargingProfile201 } from './generated/v201';

/**
 * Load management's charging profiles on the wire, per OCPP version.
 *
 * OCPP 1.6 (Smart Charging profile, §3.13, §5.16): the default is a TxDefaultProfile on connector
 * 0 (it applies to every connector); a running transaction gets a TxProfile on its connector that
 * names the transaction. A charger takes limits in A or W (configuration key
 * ChargingScheduleAllowedChargingRateUnit: "Current", "Power" or both); in A the limit is per
 * phase and numberPhases says how many phases it applies to.
 * OCPP 2.0.1 (K01): the same purposes on EVSE 0 (TxDefaultProfile for every EVSE) and on the
 * transaction's EVSE (TxProfile with its transactionId, K01.FR.03); units from the device model
 * variable SmartChargingCtrlr.RateUnit ("A,W").
 * Both: one schedule period from the start, no duration, so the limit holds until replaced. The
 * ids are fixed per connector, so a new profile replaces the previous one (1.6 §5.16.3, K01.FR.05).
 */
export const LOAD_PROFILE_ID_BASE = 1800;

/** Relative, one period: the limit applies from now on (1.6 §7.8, 2.0.1 2.13). */
function period(order: ProfileOrder): ChargingSchedulePeriod & ChargingSchedulePeriodType {
  const { limit } = order;
  // A limit in A is per phase: say how many phases (3 is assumed when absent, 1.6 §7.14).
  return { startPeriod: 0, limit: limit.value, ...(limit.unit === 'A' ? { numberPhases: limit.phases } : {}) };
}

function profileId(order: { connectorId: number; purpose: ProfileOrder['purpose'] }): number {
  return order.purpose === 'default' ? LOAD_PROFILE_ID_BASE : LOAD_PROFILE_ID_BASE + order.connectorId;
}

export function setChargingProfile16(order: ProfileOrder): SetChargingProfile16 {
  const transaction = order.purpose === 'transaction';
  return {
    connectorId: transaction ? order.connectorId : 0,
    csChargingProfiles: {
      chargingProfileId: profileId(order),
      ...(transaction ? { transactionId: Number(order.transactionId) } : {}),
      stackLevel: 0,
      chargingProfilePurpose: transaction ? 'TxProfile' : 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: order.limit.unit, chargingSchedulePeriod: [period(order)] },
    },
  };
}

export function setChargingProfile201(order: ProfileOrder): SetChargingProfile201 {
  const transaction = order.purpose === 'transaction';
  return {
    evseId: transaction ? order.connectorId : 0,
    chargingProfile: {
      id: profileId(order),
      stackLevel: 0,
      chargingProfilePurpose: transaction ? 'TxProfile' : 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      ...(transaction ? { transactionId: order.transactionId } : {}),
      chargingSchedule: [{ id: 1, chargingRateUnit: order.limit.unit, chargingSchedulePeriod: [period(order)] }],
    },
  };
}

/** CALLERRORs that say the charger does not do smart charging at all. */
const NOT_SUPPORTED = new Set(['NotSupported', 'NotImplemented']);

/** 1.6 key → units: "Current" is A, "Power" is W (§9.4). */
export function rateUnitsFrom16(value: string | null | undefined): RateUnit[] | undefined {
  if (!value) return undefined;
  const units = value.split(',').map((unit) => unit.trim());
  const result: RateUnit[] = [];
  if (units.includes('Current')) result.push('A');
  if (units.includes('Power')) result.push('W');
  return result.length > 0 ? result : undefined;
}

/** 2.0.1 SmartChargingCtrlr.RateUnit is a member list such as "A,W". */
export function rateUnitsFrom201(value: string | null | undefined): RateUnit[] | undefined {
  if (!value) return undefined;
  const units = value.split(',').map((unit) => unit.trim()).filter((unit): unit is RateUnit => unit === 'A' || unit === 'W');
  return units.length > 0 ? units : undefined;
}

export class ChargingProfileCommands implements ChargingProfileSender {
  constructor(
    private readonly commands: CommandService,
    private readonly deviceModel: DeviceModelConfiguration,
  ) {}

  async send(order: ProfileOrder, timeoutMs: number): Promise<ProfileAnswer> {
    const v201 = this.commands.versionOf(order.chargerId) === '2.0.1';
    try {
      const response = await this.commands.send(order.chargerId, 'SetChargingProfile', v201 ? setChargingProfile201(order) : setChargingProfile16(order), timeoutMs);
      return response.status === 'Accepted' ? 'accepted' : 'rejected';
    } catch (error) {
      return answerOf(error);
    }
  }

  async clear(chargerId: string, profiles: readonly { connectorId: number; purpose: ProfileOrder['purpose'] }[], timeoutMs: number): Promise<boolean> {
    const v201 = this.commands.versionOf(chargerId) === '2.0.1';
    for (const profile of profiles) {
      const id = profileId(profile);
      try {
        await this.commands.send(chargerId, 'ClearChargingProfile', v201 ? { chargingProfileId: id } : { id }, timeoutMs);
      } catch (error) {
        // A CALLERROR means the charger has no such profile to keep; an offline or silent charger
        // is cleared when it comes back.
        if (answerOf(error) === 'failed') return false;
      }
    }
    return true;
  }

  async capabilities(chargerId: string, timeoutMs: number): Promise<ChargerCapabilities> {
    if (this.commands.versionOf(chargerId) === '2.0.1') {
      const keys = this.deviceModel.configurationKeys(chargerId);
      const rateUnits = rateUnitsFrom201(keys.find((entry) => entry.key === 'SmartChargingCtrlr/RateUnit')?.value);
      return rateUnits ? { rateUnits } : {};
    }
    try {
      const response = await this.commands.send(chargerId, 'GetConfiguration', { key: ['ChargingScheduleAllowedChargingRateUnit'] }, timeoutMs);
      const keys = Array.isArray(response.configurationKey) ? (response.configurationKey as { key: string; value?: string }[]) : [];
      const rateUnits = rateUnitsFrom16(keys.find((entry) => entry.key === 'ChargingScheduleAllowedChargingRateUnit')?.value);
      return rateUnits ? { rateUnits } : {};
    } catch {
      // Without an answer the default (A) is used; the profile itself tells whether it works.
      return {};
    }
  }
}

function answerOf(error: unknown): ProfileAnswer {
  if (error instanceof AppError && error.code === 'charger_error') {
    const errorCode = (error.details as { errorCode?: string } | undefined)?.errorCode;
    if (errorCode !== undefined && NOT_SUPPORTED.has(errorCode)) return 'rejected';
  }
  if (error instanceof AppError) return 'failed';
  throw error;
}
