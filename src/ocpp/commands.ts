import crypto from 'node:crypto';
import { AppError, assert, badRequest, conflict, minorToDecimalString, notFound } from '../shared';
import type { ChargerService } from '../chargers';
import { ChargerOfflineError, ChargerTimeoutError, InvalidResponseError, QueueFullError } from './connection';
import { OcppCallError, OcppError, type OcppVersion } from './errors';
import { schemaValidator } from './schemas';
import type { OcppServer } from './server';

/** How much longer than the deadline the API waits for the answer (CONTRACT: answered within 2 s after it). */
export const MAX_COMMAND_TIMEOUT_S = 120;

/** Told of every answered command (e.g. to keep the 2.0.1 device model up to date). */
export type CommandResultListener = (result: {
  chargerId: string;
  version: OcppVersion;
  action: string;
  payload: Record<string, unknown>;
  response: Record<string, unknown>;
}) => Promise<void> | void;

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
  setVariablesFor(chargerId: string, key: string, value: string): Record<string, unknown> | undefined;
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
    const reply = await this.send(chargerId, 'GetConfiguration', {}, timeoutMs);
    const keys = Array.isArray(reply.configurationKey) ? (reply.configurationKey as { key: string; value?: string; readonly: boolean }[]) : [];
    return keys.map((entry) => ({ key: entry.key, value: entry.value ?? null, readonly: entry.readonly }));
  }

  /** The call that changes one configuration key: ChangeConfiguration (1.6) or SetVariables (2.0.1). */
  configurationChange(chargerId: string, key: string, value: string): { ocppAction: string; payload: Record<string, unknown> } {
    if (this.versionOf(chargerId) !== '2.0.1') return { ocppAction: 'ChangeConfiguration', payload: { key, value } };
    const payload = this.deviceModel.setVariablesFor(chargerId, key, value);
    if (!payload) throw badRequest('unknown_configuration_key', `The station has not reported a variable ${key}`);
    return { ocppAction: 'SetVariables', payload };
  }

  versionOf(chargerId: string): OcppVersion {
    const connected = this.server.versionOf(chargerId);
    if (connected) return connected;
    return this.chargers.view(chargerId)?.ocppVersion === '2.0.1' ? '2.0.1' : '1.6';
  }

  /** Validates without sending (400 invalid_payload / unknown_action). */
  validate(chargerId: string, action: string, payload: unknown): OcppVersion {
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

  async send(chargerId: string, action: string, payload: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    if (!this.chargers.view(chargerId)) throw notFound('Charger', chargerId);
    this.validate(chargerId, action, payload);
    if (!this.server.isConnected(chargerId)) throw conflict('charger_offline', `Charger ${chargerId} is not connected`);
    let response: Record<string, unknown>;
    try {
      response = await this.server.call(chargerId, action, payload as object, timeoutMs);
    } catch (error) {
      throw toApiError(error, chargerId);
    }
    const version = this.versionOf(chargerId);
    await this.onResult({ chargerId, version, action, payload: payload as Record<string, unknown>, response });
    return response;
  }

  /**
   * Starts a session remotely in the charger's own version: RemoteStartTransaction (1.6) or
   * RequestStartTransaction (2.0.1, F01/F02), where the connector number is the EVSE id.
   * Throws the API errors of `send` (charger_offline, charger_timeout, ...).
   */
  async remoteStart(chargerId: string, connectorId: number, idTag: string, timeoutMs: number): Promise<RemoteCommandResult> {
    const response =
      this.versionOf(chargerId) === '2.0.1'
        ? await this.send(
            chargerId,
            'RequestStartTransaction',
            { evseId: connectorId, remoteStartId: crypto.randomInt(1, REMOTE_START_ID_MAX), idToken: { idToken: idTag, type: 'Central' } },
            timeoutMs,
          )
        : await this.send(chargerId, 'RemoteStartTransaction', { connectorId, idTag }, timeoutMs);
    return { accepted: response.status === 'Accepted', response };
  }

  /** Stops a session remotely: RemoteStopTransaction (1.6) or RequestStopTransaction (2.0.1, F03). */
  async remoteStop(session: RemoteStopTarget, timeoutMs: number): Promise<RemoteCommandResult> {
    assert(session.transactionId !== null, 'a session to stop has a transactionId');
    const response =
      this.versionOf(session.chargerId) === '2.0.1'
        ? await this.send(session.chargerId, 'RequestStopTransaction', { transactionId: session.transactionId }, timeoutMs)
        : await this.send(session.chargerId, 'RemoteStopTransaction', { transactionId: Number(session.transactionId) }, timeoutMs);
    return { accepted: response.status === 'Accepted', response };
  }

  /**
   * Shows the running cost on a 2.0.1 station (I02, CostUpdated); 1.6 has no such message, so
   * for a 1.6 charger nothing is sent and false is returned.
   */
  async costUpdated(session: RemoteStopTarget, totalCostMinor: number, currency: string, timeoutMs: number): Promise<boolean> {
    if (this.versionOf(session.chargerId) !== '2.0.1' || session.transactionId === null) return false;
    const totalCost = Number(minorToDecimalString(totalCostMinor, currency));
    await this.send(session.chargerId, 'CostUpdated', { totalCost, transactionId: session.transactionId }, timeoutMs);
    return true;
  }
}

export function toApiError(error: unknown, chargerId: string): unknown {
  if (error instanceof ChargerOfflineError) return conflict('charger_offline', `Charger ${chargerId} is not connected`);
  if (error instanceof ChargerTimeoutError) return new AppError('charger_timeout', error.message, 504);
  if (error instanceof QueueFullError) return new AppError('charger_busy', error.message, 503);
  if (error instanceof OcppCallError) {
    return new AppError('charger_error', error.message, 502, { errorCode: error.errorCode, errorDescription: error.errorDescription });
  }
  if (error instanceof InvalidResponseError) return new AppError('charger_invalid_response', error.message, 502, { response: error.response });
  return error;
}
