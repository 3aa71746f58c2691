import { AppError, badRequest, conflict, notFound } from '../shared';
import type { ChargerService } from '../chargers';
import { ChargerOfflineError, ChargerTimeoutError, InvalidResponseError, QueueFullError } from './connection';
import { OcppCallError, OcppError, type OcppVersion } from './errors';
import { schemaValidator } from './schemas';
import type { OcppServer } from './server';
import { V16_OUTBOUND_ACTIONS } from './v16';

/** How much longer than the deadline the API waits for the answer (CONTRACT: answered within 2 s after it). */
export const MAX_COMMAND_TIMEOUT_S = 120;

const outboundActionsByVersion: Record<OcppVersion, Set<string>> = {
  '1.6': V16_OUTBOUND_ACTIONS,
  '2.0.1': new Set(),
};

export function registerOutboundActions(version: OcppVersion, actions: Iterable<string>): void {
  for (const action of actions) outboundActionsByVersion[version].add(action);
}

/**
 * Sends CSMS-initiated CALLs: checks the action and payload against the charger's version and
 * the official schema before anything is sent, and turns every failure into an API error.
 */
export class CommandService {
  constructor(
    private readonly server: OcppServer,
    private readonly chargers: ChargerService,
  ) {}

  versionOf(chargerId: string): OcppVersion {
    const connected = this.server.versionOf(chargerId);
    if (connected) return connected;
    return this.chargers.view(chargerId)?.ocppVersion === '2.0.1' ? '2.0.1' : '1.6';
  }

  /** Validates without sending (400 invalid_payload / unknown_action). */
  validate(chargerId: string, action: string, payload: unknown): OcppVersion {
    const version = this.versionOf(chargerId);
    if (!outboundActionsByVersion[version].has(action)) {
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
    try {
      return await this.server.call(chargerId, action, payload as object, timeoutMs);
    } catch (error) {
      throw toApiError(error, chargerId);
    }
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
