import type { ChargerCapabilities, ChargingProfileSender, ProfileAnswer, ProfileOrder } from '../load';
import { AppError } from '../shared';
import type { ChargingProfileOrder } from './charging-profile-order';
import type { CommandService } from './commands';

/**
 * Load management's charging profiles through the commands (v16/set-charging-profile.ts and
 * v201/set-charging-profile.ts say how each version spells them). The profile ids are fixed per
 * connector, so a new profile replaces the one before (1.6 §5.16.3, 2.0.1 K01.FR.05).
 */
export const LOAD_PROFILE_ID_BASE = 1800;

function profileId(profile: { connectorId: number; purpose: ProfileOrder['purpose'] }): number {
  return profile.purpose === 'default' ? LOAD_PROFILE_ID_BASE : LOAD_PROFILE_ID_BASE + profile.connectorId;
}

function toCommand(order: ProfileOrder): ChargingProfileOrder {
  return {
    profileId: profileId(order),
    connectorId: order.connectorId,
    purpose: order.purpose,
    transactionId: order.transactionId,
    unit: order.limit.unit,
    limit: order.limit.value,
    phases: order.limit.phases,
    later: order.later ? { startPeriodS: order.later.startPeriodS, limit: order.later.limit.value } : undefined,
    startSchedule: order.startSchedule,
  };
}

/** CALLERRORs that say the charger does not do smart charging at all. */
const NOT_SUPPORTED = new Set(['NotSupported', 'NotImplemented']);

/** A CALLERROR NotSupported is a rejection; offline, timeout or any other error is a failure. */
function answerOf(error: unknown): ProfileAnswer {
  if (!(error instanceof AppError)) throw error;
  const errorCode = error.code === 'charger_error' ? (error.details as { errorCode?: string } | undefined)?.errorCode : undefined;
  return errorCode !== undefined && NOT_SUPPORTED.has(errorCode) ? 'rejected' : 'failed';
}

export class ChargingProfileCommands implements ChargingProfileSender {
  constructor(private readonly commands: CommandService) {}

  async send(order: ProfileOrder, timeoutMs: number): Promise<ProfileAnswer> {
    try {
      return (await this.commands.setChargingProfile(order.chargerId, toCommand(order), timeoutMs)) ? 'accepted' : 'rejected';
    } catch (error) {
      return answerOf(error);
    }
  }

  async clear(chargerId: string, profiles: readonly { connectorId: number; purpose: ProfileOrder['purpose'] }[], timeoutMs: number): Promise<boolean> {
    for (const profile of profiles) {
      try {
        await this.commands.clearChargingProfile(chargerId, profileId(profile), timeoutMs);
      } catch (error) {
        // An offline or silent charger is cleared when it comes back (the rows are kept until then).
        if (answerOf(error) === 'failed') return false;
      }
    }
    return true;
  }

  async capabilities(chargerId: string, timeoutMs: number): Promise<ChargerCapabilities> {
    try {
      const rateUnits = await this.commands.chargingRateUnits(chargerId, timeoutMs);
      return rateUnits ? { rateUnits } : {};
    } catch (error) {
      // Without an answer the default unit (A) is tried; the profile itself tells whether it works.
      answerOf(error);
      return {};
    }
  }
}
