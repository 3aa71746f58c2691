import type { OcppConnection } from '../connection';
import { callCharger } from '../feature-profile';
import type { Action, OcppMessages, Requests, Responses } from '../generated/v201';

/** A CALL of ours to a 2.0.1 charging station, typed by the generated 2.0.1 messages. */
export function callV201<A extends Action>(connection: OcppConnection, action: A, request: Requests[A], timeoutMs: number): Promise<Responses[A]> {
  return callCharger<OcppMessages, A>(connection, action, request, timeoutMs);
}
