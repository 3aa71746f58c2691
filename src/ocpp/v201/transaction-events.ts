import type { ChargerService } from '../../chargers';
import type { Db } from '../../db';
import type { AuthorizationDecision } from '../../drivers';
import { energyRegisterWh, type MeterValueInput, type SessionRow, type SessionService } from '../../sessions';
import type { SettingsService } from '../../settings';
import { minorToDecimalString, nowIso } from '../../shared';
import type { TransactionEventRequest, TransactionEventResponse } from '../generated/v201';
import { connectorStatusFromChargingState, idTagOf, idTokenInfo201, lastRegisterWh, timestamp, toMeterValueInput } from './mapping';
import type { V201Repository } from './repository';

export interface TransactionEventDependencies {
  db: Db;
  repository: V201Repository;
  sessions: SessionService;
  chargers: ChargerService;
  settings: SettingsService;
}

/**
 * A station names the EVSE in the first event of a transaction; one that does not is almost
 * always a single-EVSE station, so its sessions are recorded on EVSE 1.
 */
const EVSE_WHEN_UNNAMED = 1;

/**
 * OCPP 2.0.1 TransactionEvent (functional block E) onto the version-neutral SessionService: one
 * session per transactionId, started by the first event that carries an idToken (or, for free
 * vend, the first that shows charging without one), fed with the
 * meter values of every event, stopped (and so billed, once) by Ended. A repeated seqNo changes
 * nothing and gets the answer the current state gives.
 */
export class TransactionEventHandler {
  /** Events of one charger are applied in the order they arrived, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: TransactionEventDependencies) {}

  /** The connector within its EVSE that a transaction's events named, if any did. */
  evseConnectorOf(chargerId: string, transactionId: string): number | undefined {
    return this.deps.repository.firstEvseConnectorId(chargerId, transactionId);
  }

  handle(chargerId: string, request: TransactionEventRequest): Promise<TransactionEventResponse> {
    const previous = this.queues.get(chargerId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.apply(chargerId, request));
    this.queues.set(chargerId, next);
    next
      .finally(() => {
        if (this.queues.get(chargerId) === next) this.queues.delete(chargerId);
      })
      .catch(() => undefined);
    return next;
  }

  private async apply(chargerId: string, request: TransactionEventRequest): Promise<TransactionEventResponse> {
    const { repository, sessions } = this.deps;
    const transactionId = request.transactionInfo.transactionId;
    if (repository.event(chargerId, transactionId, request.seqNo)) {
      // The charger lost our answer and sent the event again: answer from the current state.
      return this.answer(chargerId, request, sessions.byTransaction(chargerId, transactionId), undefined);
    }
    const at = timestamp(request.timestamp);
    const meterValues = (request.meterValue ?? []).map(toMeterValueInput);
    const idTag = request.idToken ? idTagOf(request.idToken) : undefined;

    let session = sessions.byTransaction(chargerId, transactionId);
    let decision: AuthorizationDecision | undefined;
    // The transaction's earlier events are read whole only while it has no session (they begin
    // it): every event of a running session would otherwise read its ever longer log again.
    const earlier = session ? undefined : repository.events(chargerId, transactionId);
    const evseId = request.evse?.id ?? (earlier ? earlier.find((event) => event.evseId !== null)?.evseId ?? undefined : repository.firstEvseId(chargerId, transactionId));
    if (earlier) {
      // A transaction may start before anyone is identified (E02: cable plugged in first); the
      // session begins with the first event that names an idToken, from the transaction's start.
      const knownStart = earlier.length > 0 || request.eventType !== 'Ended';
      // NoAuthorization names nobody (idTagOf gives ''): like no idToken at all.
      const identified = idTag !== undefined && idTag !== '';
      const freeVend = !identified && knownStart && chargesWithoutIdentity(request, earlier, meterValues);
      if (knownStart && (identified || freeVend)) {
        const started = await sessions.start({
          chargerId,
          connectorId: evseId ?? EVSE_WHEN_UNNAMED,
          evseId: evseId ?? EVSE_WHEN_UNNAMED,
          idTag: identified ? idTag : '',
          freeVend,
          meterStartWh: earlier.find((event) => event.energyRegisterWh !== null)?.energyRegisterWh ?? firstRegisterWh(meterValues),
          timestamp: earlier[0]?.timestamp ?? at,
          receivedAt: earlier[0]?.receivedAt,
          reservationId: request.reservationId,
          ocppVersion: '2.0.1',
          transactionId,
        });
        session = started.session;
        decision = started.decision;
      }
    }

    if (request.eventType === 'Ended') {
      const stopped = await sessions.stop({
        chargerId,
        transactionId,
        // `session` is the row as stored now: found above, or started by this very event.
        meterStopWh: lastRegisterWh(meterValues) ?? session?.lastMeterWh ?? session?.meterStartWh ?? 0,
        timestamp: at,
        // TransactionType.stoppedReason (E06): it may be left out only when it is Local.
        reason: request.transactionInfo.stoppedReason ?? 'Local',
        idTag,
        transactionData: meterValues,
      });
      session = stopped.session;
    } else if (session && meterValues.length > 0) {
      session = (await sessions.meterValues({ chargerId, connectorId: session.connectorId, transactionId, meterValue: meterValues })) ?? session;
    }

    // G01/E01: the plug within the EVSE, named by this event or an earlier one of the transaction.
    const evseConnectorId =
      request.evse?.connectorId ?? (earlier ? earlier.find((event) => event.connectorId !== null)?.connectorId ?? undefined : repository.firstEvseConnectorId(chargerId, transactionId));
    await this.updateConnector(chargerId, request, evseId, evseConnectorId, at);
    await this.deps.db.write(() =>
      repository.recordEvent({
        chargerId,
        transactionId,
        seqNo: request.seqNo,
        eventType: request.eventType,
        triggerReason: request.triggerReason,
        offline: request.offline ?? false,
        timestamp: at,
        evseId: evseId ?? null,
        connectorId: request.evse?.connectorId ?? null,
        idToken: request.idToken?.idToken ?? null,
        idTokenType: request.idToken?.type ?? null,
        chargingState: request.transactionInfo.chargingState ?? null,
        stoppedReason: request.transactionInfo.stoppedReason ?? null,
        remoteStartId: request.transactionInfo.remoteStartId ?? null,
        energyRegisterWh: firstRegisterWh(meterValues) ?? null,
        receivedAt: nowIso(),
      }),
    );
    return this.answer(chargerId, request, session, decision);
  }

  /** The connector view follows the chargingState; events replayed from an offline queue are history, not the present. */
  private async updateConnector(chargerId: string, request: TransactionEventRequest, evseId: number | undefined, evseConnectorId: number | undefined, at: string): Promise<void> {
    const chargingState = request.transactionInfo.chargingState;
    if (chargingState === undefined || evseId === undefined || request.offline === true) return;
    const status = connectorStatusFromChargingState(chargingState, request.eventType);
    if (status === undefined) return;
    await this.deps.chargers.recordStatus(chargerId, { connectorId: evseId, evseConnectorId, evseId, status, errorCode: 'NoError', timestamp: at });
  }

  private answer(
    chargerId: string,
    request: TransactionEventRequest,
    session: SessionRow | undefined,
    decision: AuthorizationDecision | undefined,
  ): TransactionEventResponse {
    const response: TransactionEventResponse = {};
    if (request.idToken) {
      // TransactionEventResponse.idTokenInfo is required whenever the event carried an idToken.
      const idTag = idTagOf(request.idToken);
      if (decision) response.idTokenInfo = idTokenInfo201(decision);
      else if (session && session.idTag === idTag) response.idTokenInfo = idTokenInfo201({ status: session.authorizationStatus as AuthorizationDecision['status'] });
      else response.idTokenInfo = idTokenInfo201(this.deps.sessions.authorize(chargerId, idTag));
    }
    if (request.eventType === 'Ended' && session?.costMinor !== null && session?.costMinor !== undefined) {
      // I03.FR.02: the final cost of the transaction, in the site currency's major units.
      response.totalCost = Number(minorToDecimalString(session.costMinor, this.deps.settings.get().currency));
    }
    return response;
  }
}

/**
 * Free vend: the station charges with no one identified. It says so with an idToken of type
 * NoAuthorization, by charging (chargingState Charging) before any idToken, or by ending a
 * transaction that delivered energy without ever naming one. A cable plugged in and pulled out
 * again while waiting for a card (E02 timing out) delivered nothing and is no session.
 */
function chargesWithoutIdentity(
  request: TransactionEventRequest,
  earlier: readonly { energyRegisterWh: number | null }[],
  meterValues: readonly MeterValueInput[],
): boolean {
  if (request.idToken?.type === 'NoAuthorization') return true;
  if (request.transactionInfo.chargingState === 'Charging') return true;
  if (request.eventType !== 'Ended') return false;
  const startWh = earlier.find((event) => event.energyRegisterWh !== null)?.energyRegisterWh ?? undefined;
  const endWh = lastRegisterWh(meterValues);
  return startWh !== undefined && endWh !== undefined && endWh > startWh;
}

function firstRegisterWh(meterValues: readonly MeterValueInput[]): number | undefined {
  for (const meterValue of meterValues) {
    const registerWh = energyRegisterWh(meterValue.sampledValue);
    if (registerWh !== undefined) return registerWh;
  }
  return undefined;
}
