import type { OcppConnection } from '../connection';
import type { Action, Requests, Responses } from '../generated/v201';

/**
 * A CALL of ours to a 2.0.1 charging station, typed by the generated 2.0.1 messages. The answer
 * passed the action's official response schema (connection.ts) before it resolves.
 */
export async function callV201<A extends Action>(connection: OcppConnection, action: A, request: Requests[A], timeoutMs: number): Promise<Responses[A]> {
  const response: object = await connection.call(action, request, timeoutMs);
  return response as Responses[A];
}
