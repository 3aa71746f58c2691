import type { AuthorizationStatus } from '../../drivers';
import { energyRegisterWh, type MeterValueInput, type SampledValueLike } from '../../sessions';
import { nowIso, toUtcIso } from '../../shared';
import type { IdTokenInfoType, IdTokenType, MeterValueType } from '../generated/v201';

/**
 * Translations between OCPP 2.0.1 payloads and the version-neutral vocabulary of the domains.
 * The payloads were validated against the official schemas before they reach these functions.
 */

/** The station's time in UTC, or the time it arrived when the station's cannot be read. */
export function timestamp(value: string): string {
  return toUtcIso(value) ?? nowIso();
}

/**
 * The 2.0.1 IdTokenInfo. 2.0.1 names every status of the neutral decision itself, so unlike 1.6
 * nothing is approximated: NoCredit stays NoCredit.
 */
export function idTokenInfo201(decision: { status: AuthorizationStatus; expiryDate?: string | undefined; parentIdTag?: string | undefined }): IdTokenInfoType {
  const info: IdTokenInfoType = { status: decision.status };
  if (decision.expiryDate) info.cacheExpiryDateTime = decision.expiryDate;
  if (decision.parentIdTag) info.groupIdToken = { idToken: decision.parentIdTag, type: 'Central' };
  return info;
}

/**
 * The idTag the card and driver domain knows. Every token type that names a card or a driver
 * (ISO14443 and ISO15693 UIDs, KeyCode, Local, Central tokens the CSMS issued, eMAID) is the same
 * string a 1.6 charger sends as idTag; NoAuthorization carries no identity at all.
 */
export function idTagOf(token: IdTokenType): string {
  return token.type === 'NoAuthorization' ? '' : token.idToken;
}

export function toMeterValueInput(meterValue: MeterValueType): MeterValueInput {
  return {
    timestamp: timestamp(meterValue.timestamp),
    sampledValue: meterValue.sampledValue.map(
      (sampled): SampledValueLike => ({
        value: sampled.value,
        measurand: sampled.measurand,
        phase: sampled.phase,
        context: sampled.context,
        unitOfMeasure: sampled.unitOfMeasure,
      }),
    ),
  };
}

/** The last energy register reading among the meter values, in Wh. */
export function lastRegisterWh(meterValues: readonly MeterValueInput[]): number | undefined {
  let last: number | undefined;
  for (const meterValue of meterValues) {
    const registerWh = energyRegisterWh(meterValue.sampledValue);
    if (registerWh !== undefined) last = registerWh;
  }
  return last;
}

/**
 * Staff see the same connector words for both versions. 2.0.1 reports Occupied where 1.6 tells
 * Preparing / Charging / Finishing apart; the transaction's chargingState refines it later.
 */
export function connectorStatusFrom201(connectorStatus: string, hasActiveSession: boolean): string {
  if (connectorStatus === 'Occupied') return hasActiveSession ? 'Charging' : 'Preparing';
  return connectorStatus;
}

/** The 1.6 connector word for a TransactionEvent's chargingState (E02), or undefined to keep the current one. */
export function connectorStatusFromChargingState(chargingState: string, eventType: string): string | undefined {
  switch (chargingState) {
    case 'Charging':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
      return chargingState;
    case 'EVConnected':
      return eventType === 'Ended' ? 'Finishing' : 'Preparing';
    default:
      return undefined;
  }
}
