import type { AuthorizationDecision } from '../../drivers';
import type { MeterValueInput } from '../../sessions';
import { nowIso, toUtcIso } from '../../shared';
import type { IdTagInfo, MeterValue } from '../generated/v16';

/** Translations between OCPP 1.6 payloads and the version-neutral vocabulary of the domains. */

/** The charger's time in UTC, or the time it arrived when the charger's cannot be read. */
export function timestamp(value: string): string {
  return toUtcIso(value) ?? nowIso();
}

/** OCPP 1.6 AuthorizationStatus has no NoCredit / NotAtThisLocation: the nearest 1.6 words. */
export function idTagInfo16(decision: AuthorizationDecision): IdTagInfo {
  const status =
    decision.status === 'NoCredit'
      ? 'Blocked'
      : decision.status === 'NotAtThisLocation' || decision.status === 'Unknown'
        ? 'Invalid'
        : decision.status;
  const info: IdTagInfo = { status };
  if (decision.expiryDate) info.expiryDate = decision.expiryDate;
  if (decision.parentIdTag) info.parentIdTag = decision.parentIdTag;
  return info;
}

export function toMeterValue(element: MeterValue): MeterValueInput {
  return { timestamp: timestamp(element.timestamp), sampledValue: element.sampledValue };
}
