import crypto from 'node:crypto';
import { AppError, assert, badRequest, conflict, minorToDecimalString, notFound, redactSecrets, type AuditActor, type AuditAlone } from '../shared';
import type { ChargerService } from '../chargers';
import { ChargerOfflineError, ChargerTimeoutError, InvalidResponseError, QueueFullError } from './connection';
import { OcppCallError, OcppError, type OcppVersion } from './errors';
import type { ActionOf, MessageSet } from './feature-profile';
import type { OcppMessages as V16Messages } from './generated/v16';
import type { OcppMessages as V201Messages, SetVariablesRequest } from './generated/v201';
import type { ChargingProfileOrder } from './charging-profile-order';
import { schemaValidator } from './schemas';
import type { OcppServer } from './server';
import { rateUnitsOf16, setChargingProfile16 } from './v16/set-charging-profile';
import { RATE_UNIT_VARIABLE, rateUnitsOf201, setChargingProfile201 } from './v201/set-charging-profile';

/** How much longer than the deadline the API waits for the answer (CONTRACT: answered within 2 s after it). */
export const MAX_COMMAND_TIMEOUT_S = 120;

/** An answered command: both payloads passed the action's official schemas. */
export interface CommandResult {
  chargerId: string;
  version: OcppVersion;
  action: string;
  payload: object;
  response: object;
}

/** Told of every answered command (e.g. to keep the 2.0.1 device model up to date). */
export type CommandResultListener = (result: CommandResult) => Promise<void> | void;

/** A remote start or stop in words both versions share. */
export interface RemoteCommandResult {
  accepted: boolean;
  response: Record<string, unknown>;
}

/** The session fields a version-neutral remote stop needs. */
export interface RemoteStopTarget {
  chargerId: string;
  transactionId: string | null;
}

/** A charger setting in the words of 1.6 GetConfiguration (2.0.1 variables are shown the same way). */
export interface ConfigurationKeyView {
  key: string;
  value: string | null;
  readonly: boolean;
}

/** Where the 2.0.1 device model lives (the v201 adapter). */
export interface DeviceModelConfiguration {
  configurationKeys(chargerId: string): ConfigurationKeyView[];
  setVariablesFor(chargerId: string, key: string, value: string): SetVariablesRequest | undefined;
}

/** OCPP 2.0.1 remoteStartId is a positive integer the station echoes in its TransactionEvent. */
const REMOTE_START_ID_MAX = 2 ** 31 - 1;

/**
 * Sends CSMS-initiated CALLs: checks the action and payload against the charger's version and
 * the official schema before anything is sent, and turns every failure into an API error.
 */
export class CommandService {
  constructor(
    private readonly server: OcppServer,
    private readonly chargers: ChargerService,
    /** The 2.0.1 device model (configuration keys without a round trip). */
    private readonly deviceModel: DeviceModelConfiguration,
    /** Told of every answered command, e.g. to keep the 2.0.1 device model up to date. */
    private readonly onResult: CommandResultListener,
    /** The audit log: a command staff or an API client sent is on the record, answered or not. */
    private readonly audit: AuditAlone,
  ) {}

  /**
   * The charger's settings as configuration keys: GetConfiguration for 1.6; for 2.0.1 the device
   * model the station reported (NotifyReport, GetVariables, SetVariables), with no round trip.
   */
  async readConfiguration(chargerId: string, timeoutMs: number): Promise<ConfigurationKeyView[]> {
    if (this.versionOf(chargerId) === '2.0.1') {
      if (!this.chargers.view(chargerId)) throw notFound('Charger', chargerId);
      return this.deviceModel.configurationKeys(chargerId);
    }
    const reply = await this.sendTyped<V16Messages, 'GetConfiguration'>(chargerId, 'GetConfiguration', {}, timeoutMs);
    return (reply.configurationKey ?? []).map((entry) => ({ key: entry.key, value: entry.value ?? null, readonly: entry.readonly }));
  }

  /** The call that changes one configuration key: ChangeConfiguration (1.6) or SetVariables (2.0.1). */
  configurationChange(chargerId: string, key: string, value: string): { ocppAction: string; payload: Record<string, unknown> } {
    if (this.versionOf(chargerId) !== '2.0.1') return { ocppAction: 'ChangeConfiguration', payload: { key, value } };
    const payload = this.deviceModel.setVariablesFor(chargerId, key, value);
    if (!payload) throw badRequest('unknown_configuration_key', `The station has not reported a variable ${key}`);
    return { ocppAction: 'SetVariables', payload: { ...payload } };
  }

  versionOf(chargerId: string): OcppVersion {
    const connected = this.server.versionOf(chargerId);
    if (connected) return connected;
    return this.chargers.view(chargerId)?.ocppVersion === '2.0.1' ? '2.0.1' : '1.6';
  }

  /** Validates without sending (400 invalid_payload / unknown_action). */
  private validate(chargerId: string, action: string, payload: unknown): OcppVersion {
    const version = this.versionOf(chargerId);
    if (!this.server.outboundActions(version).has(action)) {
      throw badRequest('unknown_action', `${action} is not an OCPP ${version} action the CSMS sends`);
    }
    try {
      schemaValidator(version).validate(action, 'req', payload);
    } catch (error) {
      if (error instanceof OcppError) throw badRequest('invalid_payload', `${action}: ${error.message}`, error.details);
      throw error;
    }
    return version;
  }

  /**
   * Sends one CALL and answers the charger's reply (secrets as ***). With `actor` (staff or an API
   * client asked for it, from either door) the command is put on the record once it went out,
   * answered or not: it changes the charger even though it changes no row here. The appliance's
   * own commands (charging profiles, remote stops for an empty balance, QR starts) have none.
   */
  async send(chargerId: string, action: string, payload: unknown, timeoutMs: number, actor?: AuditActor): Promise<Record<string, unknown>> {
    if (!this.chargers.view(chargerId)) throw notFound('Charger', chargerId);
    this.validate(chargerId, action, payload);
    if (!this.server.isConnected(chargerId)) throw conflict('charger_offline', `Charger ${chargerId} is not connected`);
    // While the disk refuses writes a command staff asked for could not be put on record: it is
    // not sent (503 storage_unavailable), rather than changing the charger unrecorded.
    const refusal = actor ? this.audit.refusal() : undefined;
    if (refusal) throw refusal;
    const onRecord = (outcome: { response: unknown } | { failure: string }) =>
      actor ? this.audit.record(actor, { action: `charger.command.${action}`, objectType: 'charger', objectId: chargerId, after: { payload, ...outcome } }) : Promise.resolve();
    let response: Record<string, unknown>;
    try {
      response = await this.server.call(chargerId, action, payload as object, timeoutMs);
    } catch (error) {
      const failure = toApiError(error, chargerId);
      await onRecord({ failure: failure instanceof AppError ? failure.code : 'failed' });
      throw failure;
    }
    await onRecord({ response });
    const version = this.versionOf(chargerId);
    await this.onResult({ chargerId, version, action, payload: payload as object, response });
    // CONTRACT: a secret a charger reports (GetConfiguration's AuthorizationKey, a 2.0.1
    // BasicAuthPassword) never reaches an API answer, a page or an audit entry.
    return redactSecrets(response);
  }

  /**
   * `send` with one version's generated types: the payload is checked when compiling as well,
   * and the answer, which passed the action's response schema (connection.ts), has its type.
   */
  private async sendTyped<Messages extends MessageSet, Action extends ActionOf<Messages>>(
    chargerId: string,
    action: Action,
    payload: Messages['requests'][Action],
    timeoutMs: number,
    actor?: AuditActor,
  ): Promise<Messages['responses'][Action]> {
    return (await this.send(chargerId, action, payload, timeoutMs, actor)) as Messages['responses'][Action];
  }

  /**
   * Starts a session remotely in the charger's own version: RemoteStartTransaction (1.6) or
   * RequestStartTransaction (2.0.1, F01/F02), where the connector number is the EVSE id.
   * Throws the API errors of `send` (charger_offline, charger_timeout, ...).
   */
  async remoteStart(chargerId: string, connectorId: number, idTag: string, timeoutMs: number, actor?: AuditActor): Promise<RemoteCommandResult> {
    const response =
      this.versionOf(chargerId) === '2.0.1'
        ? await this.sendTyped<V201Messages, 'RequestStartTransaction'>(
            chargerId,
            'RequestStartTransaction',
            { evseId: connectorId, remoteStartId: crypto.randomInt(1, REMOTE_START_ID_MAX), idToken: { idToken: idTag, type: 'Central' } },
            timeoutMs,
            actor,
          )
        : await this.sendTyped<V16Messages, 'RemoteStartTransaction'>(chargerId, 'RemoteStartTransaction', { connectorId, idTag }, timeoutMs, actor);
    return { accepted: response.status === 'Accepted', response: { ...response } };
  }

  /** Stops a session remotely: RemoteStopTransaction (1.6) or RequestStopTransaction (2.0.1, F03). */
  async remoteStop(session: RemoteStopTarget, timeoutMs: number, actor?: AuditActor): Promise<RemoteCommandResult> {
    assert(session.transactionId !== null, 'a session to stop has a transactionId');
    const response =
      this.versionOf(session.chargerId) === '2.0.1'
        ? await this.sendTyped<V201Messages, 'RequestStopTransaction'>(session.chargerId, 'RequestStopTransaction', { transactionId: session.transactionId }, timeoutMs, actor)
        : await this.sendTyped<V16Messages, 'RemoteStopTransaction'>(session.chargerId, 'RemoteStopTransaction', { transactionId: Number(session.transactionId) }, timeoutMs, actor);
    return { accepted: response.status === 'Accepted', response: { ...response } };
  }

  /** Sets a charging profile in the charger's version (1.6 §5.16, 2.0.1 K01); true when accepted. */
  async setChargingProfile(chargerId: string, order: ChargingProfileOrder, timeoutMs: number): Promise<boolean> {
    const response =
      this.versionOf(chargerId) === '2.0.1'
        ? await this.sendTyped<V201Messages, 'SetChargingProfile'>(chargerId, 'SetChargingProfile', setChargingProfile201(order), timeoutMs)
        : await this.sendTyped<V16Messages, 'SetChargingProfile'>(chargerId, 'SetChargingProfile', setChargingProfile16(order), timeoutMs);
    return response.status === 'Accepted';
  }

  /** Removes one charging profile by its id (1.6 §5.5, 2.0.1 K10). */
  async clearChargingProfile(chargerId: string, profileId: number, timeoutMs: number): Promise<void> {
    if (this.versionOf(chargerId) === '2.0.1') await this.sendTyped<V201Messages, 'ClearChargingProfile'>(chargerId, 'ClearChargingProfile', { chargingProfileId: profileId }, timeoutMs);
    else await this.sendTyped<V16Messages, 'ClearChargingProfile'>(chargerId, 'ClearChargingProfile', { id: profileId }, timeoutMs);
  }

  /**
   * The units a charger takes in a charging schedule: 1.6 asks the configuration key
   * ChargingScheduleAllowedChargingRateUnit; 2.0.1 reads SmartChargingCtrlr.RateUnit from the device
   * model. Undefined when the charger does not say.
   */
  async chargingRateUnits(chargerId: string, timeoutMs: number): Promise<('A' | 'W')[] | undefined> {
    if (this.versionOf(chargerId) === '2.0.1') {
      return rateUnitsOf201(this.deviceModel.configurationKeys(chargerId).find((entry) => entry.key === RATE_UNIT_VARIABLE)?.value);
    }
    const reply = await this.sendTyped<V16Messages, 'GetConfiguration'>(chargerId, 'GetConfiguration', { key: ['ChargingScheduleAllowedChargingRateUnit'] }, timeoutMs);
    return rateUnitsOf16((reply.configurationKey ?? []).find((entry) => entry.key === 'ChargingScheduleAllowedChargingRateUnit')?.value);
  }

  /**
   * Shows the running cost on a 2.0.1 station (I02, CostUpdated); 1.6 has no such message, so
   * for a 1.6 charger nothing is sent and false is returned.
   */
  async costUpdated(session: RemoteStopTarget, totalCostMinor: number, currency: string, timeoutMs: number): Promise<boolean> {
    if (this.versionOf(session.chargerId) !== '2.0.1' || session.transactionId === null) return false;
    const totalCost = Number(minorToDecimalString(totalCostMinor, currency));
    await this.sendTyped<V201Messages, 'CostUpdated'>(session.chargerId, 'CostUpdated', { totalCost, transactionId: session.transactionId }, timeoutMs);
    return true;
  }
}

function toApiError(error: unknown, chargerId: string): unknown {
  if (error instanceof ChargerOfflineError) return conflict('charger_offline', `Charger ${chargerId} is not connected`);
  if (error instanceof ChargerTimeoutError) return new AppError('charger_timeout', error.message, 504);
  if (error instanceof QueueFullError) return new AppError('charger_busy', error.message, 503);
  if (error instanceof OcppCallError) {
    return new AppError('charger_error', error.message, 502, { errorCode: error.errorCode, errorDescription: error.errorDescription });
  }
  if (error instanceof InvalidResponseError) return new AppError('charger_invalid_response', error.message, 502, { response: error.response });
  return error;
}
