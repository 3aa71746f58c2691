import type { ChargerService } from '../../chargers';
import type { SessionService } from '../../sessions';
import type { OcppConnection } from '../connection';
import type { FeatureProfile } from '../feature-profile';
import type { Action, OcppMessages, Requests, Responses } from '../generated/v201';
import type { DeviceModel } from './device-model';
import type { RunningCostNotifier } from './running-cost';
import type { TransactionEventHandler } from './transaction-events';

/** What the OCPP 2.0.1 handlers work with: the version-neutral services and the adapter's own parts. */
export interface V201Context {
  chargers: ChargerService;
  sessions: SessionService;
  deviceModel: DeviceModel;
  transactionEvents: TransactionEventHandler;
  runningCost: RunningCostNotifier;
}

/** What each profile file in v201/ (provisioning.ts, transactions.ts, ...) exports: an OCPP 2.0.1 functional block (part 2, A to P). */
export type V201Profile = FeatureProfile<OcppMessages, V201Context>;

/**
 * A handler that keeps the message for staff (the charger's event log) and gives the fixed
 * answer: for what the appliance has no use of its own beyond showing it.
 */
export function recordOnly<A extends Action>(chargers: ChargerService, action: A, response: Responses[A]): (connection: OcppConnection, request: Requests[A]) => Promise<Responses[A]> {
  return async (connection, request) => {
    await chargers.recordEvent(connection.chargerId, action, request);
    return response;
  };
}
