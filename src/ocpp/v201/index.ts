import type { ChargerService } from '../../chargers';
import type { Db } from '../../db';
import type { SessionService } from '../../sessions';
import type { SettingsService } from '../../settings';
import type { CommandResult } from '../commands';
import { createProtocolAdapter } from '../feature-profile';
import type { GetVariablesResponse, SetVariablesRequest, SetVariablesResponse } from '../generated/v201';
import type { ProtocolAdapter } from '../server';
import { authorization } from './authorization';
import { availability } from './availability';
import { certificateManagement } from './certificates';
import { dataTransfer } from './data-transfer';
import { DeviceModel } from './device-model';
import { diagnostics } from './diagnostics';
import { displayMessage } from './display-message';
import { firmwareManagement } from './firmware';
import { localAuthListManagement } from './local-auth-list';
import { meterValues } from './meter-values';
import type { V201Context, V201Profile } from './profile';
import { provisioning } from './provisioning';
import { remoteControl } from './remote-control';
import { V201Repository } from './repository';
import { reservation } from './reservation';
import { RunningCostNotifier, type RunningCostProvider } from './running-cost';
import { security } from './security';
import { smartCharging } from './smart-charging';
import { tariffAndCost } from './tariff-and-cost';
import { TransactionEventHandler } from './transaction-events';
import { transactions } from './transactions';

export type { RunningCostProvider } from './running-cost';

/**
 * The OCPP 2.0.1 adapter: the functional blocks of part 2 (A to P), one file each, every one
 * following the FeatureProfile contract (../feature-profile.ts). It translates a charging
 * station's CALLs into the same version-neutral charger and session services the 1.6 adapter
 * uses, so billing, cards and the staff view see no difference between the versions.
 */
const PROFILES: readonly V201Profile[] = [
  security,
  provisioning,
  authorization,
  localAuthListManagement,
  transactions,
  remoteControl,
  availability,
  reservation,
  tariffAndCost,
  meterValues,
  smartCharging,
  firmwareManagement,
  certificateManagement,
  diagnostics,
  displayMessage,
  dataTransfer,
];

export interface V201Services {
  db: Db;
  chargers: ChargerService;
  sessions: SessionService;
  settings: SettingsService;
  /** Billing's running cost of a session, passed on to stations with CostUpdated. */
  runningCostOf: RunningCostProvider;
}

export interface V201Adapter extends ProtocolAdapter {
  /** Where CommandService reads a station's settings as configuration keys. */
  deviceModel: DeviceModel;
  /** For CommandService: keeps what GetVariables / SetVariables answered. */
  onCommandResult(result: CommandResult): Promise<void>;
}

export function createV201Adapter(services: V201Services): V201Adapter {
  const { chargers, sessions, settings, db } = services;
  const repository = new V201Repository(db);
  const context: V201Context = {
    chargers,
    sessions,
    deviceModel: new DeviceModel(db, repository, chargers),
    transactionEvents: new TransactionEventHandler({ db, repository, sessions, chargers, settings }),
    runningCost: new RunningCostNotifier(repository, settings, services.runningCostOf),
  };
  const { deviceModel } = context;
  const adapter = createProtocolAdapter({
    version: '2.0.1',
    subprotocol: 'ocpp2.0.1',
    profiles: PROFILES.map((profile) => ({ ...profile, handlers: profile.handlers(context) })),
    isAccepted: (chargerId) => chargers.registrationOf(chargerId) === 'accepted',
  });
  return {
    ...adapter,
    deviceModel,
    async onCommandResult({ chargerId, version, action, payload, response }) {
      if (version !== '2.0.1') return;
      // CommandService validated both against the action's official schemas.
      if (action === 'GetVariables') await deviceModel.recordGetVariables(chargerId, response as GetVariablesResponse);
      if (action === 'SetVariables') await deviceModel.recordSetVariables(chargerId, payload as SetVariablesRequest, response as SetVariablesResponse);
    },
  };
}
