import type { ChargerService } from '../../chargers';
import type { SessionService } from '../../sessions';
import { callCharger, type FeatureProfile } from '../feature-profile';
import type { OcppConnection } from '../connection';
import type { Action, OcppMessages, Requests, Responses } from '../generated/v16';

/** What the OCPP 1.6 handlers work with: the version-neutral charger and session services. */
export interface V16Services {
  chargers: ChargerService;
  sessions: SessionService;
}

/** Every other file in v16/ exports one: an OCPP 1.6 feature profile (§3.3) or the security whitepaper. */
export type V16Profile = FeatureProfile<OcppMessages, V16Services>;

/** A CALL to a 1.6 charge point, typed by the generated 1.6 messages. */
export function callV16<A extends Action>(connection: OcppConnection, action: A, request: Requests[A], timeoutMs: number): Promise<Responses[A]> {
  return callCharger<OcppMessages, A>(connection, action, request, timeoutMs);
}
