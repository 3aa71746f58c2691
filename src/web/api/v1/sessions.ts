import type express from 'express';
import { normaliseUid } from '../../../drivers';
import type { AppServices } from '../../../services';
import { closeSessionSchema, type SessionFilter, type SessionRow } from '../../../sessions';
import { badRequest, notFound, parseInput } from '../../../shared';
import { actorOf, allowQuery, decodeCursor, page, parseLimit, queryId, queryString, queryTime, requireRole } from './http';

/** CONTRACT session object. transactionId is the charger's: an integer for 1.6, a string for 2.0.1. */
function sessionView(session: SessionRow, currency: string) {
  return {
    id: session.id,
    transactionId: session.ocppVersion === '1.6' && session.transactionId !== null ? Number(session.transactionId) : session.transactionId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    evseId: session.evseId,
    cardUid: session.cardUid,
    idTag: session.idTag,
    userId: session.userId,
    status: session.status,
    authorizationStatus: session.authorizationStatus,
    startedAt: session.startedAt,
    stoppedAt: session.stoppedAt,
    meterStartWh: session.meterStartWh,
    meterStopWh: session.meterStopWh,
    energyWh: session.status === 'completed' ? session.energyWh : (session.lastMeterWh ?? session.meterStartWh) - session.meterStartWh,
    cost: { amount: session.costMinor ?? 0, currency },
    stopReason: session.stopReason,
    closeReason: session.closeReason,
    flags: JSON.parse(session.flagsJson) as string[],
  };
}

const FILTERS = ['chargerId', 'userId', 'cardUid', 'from', 'to', 'status'] as const;

function parseSessionFilter(query: express.Request['query']): SessionFilter {
  const filter: SessionFilter = {};
  const chargerId = queryString(query, 'chargerId');
  if (chargerId !== undefined) filter.chargerId = chargerId;
  const userId = queryId(query, 'userId');
  if (userId !== undefined) filter.userId = userId;
  const cardUid = queryString(query, 'cardUid');
  if (cardUid !== undefined) filter.cardUid = cardUid;
  const status = queryString(query, 'status');
  if (status !== undefined) {
    if (status !== 'active' && status !== 'completed') throw badRequest('invalid_request', 'status must be active or completed');
    filter.status = status;
  }
  for (const bound of ['from', 'to'] as const) {
    const iso = queryTime(query, bound);
    if (iso !== undefined) filter[bound] = iso;
  }
  return filter;
}

export function sessionRoutes(router: express.Router, services: AppServices): void {
  router.get('/sessions', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', ...FILTERS]);
    const limit = parseLimit(request.query);
    const filter = parseSessionFilter(request.query);
    // Card UIDs are stored normalised: a filter in any spelling of the UID finds the card's sessions.
    if (filter.cardUid !== undefined) filter.cardUid = normaliseUid(filter.cardUid);
    const after = decodeCursor<[string, number]>(request.query, ['string', 'number']);
    const rows = services.sessions.repository.list(filter, limit + 1, after && { startedAt: after[0], id: after[1] });
    const currency = services.settings.get().currency;
    response.json(page(rows, limit, (row) => sessionView(row, currency), (row) => [row.startedAt, row.id]));
  });

  router.get('/sessions/:sessionId', (request, response) => {
    const raw = request.params.sessionId as string;
    const session = /^\d{1,15}$/.test(raw) ? services.sessions.get(Number(raw)) : undefined;
    if (!session) throw notFound('Session', raw);
    response.json({
      ...sessionView(session, services.settings.get().currency),
      // Kept as the charger sent them, also when they could not be true and the arrival time stands in.
      chargerStartedAt: session.chargerStartedAt,
      chargerStoppedAt: session.chargerStoppedAt,
      meterValues: services.sessions.repository.meterValues(session.id).map((row) => ({
        timestamp: row.timestamp,
        receivedAt: row.receivedAt,
        energyRegisterWh: row.energyRegisterWh,
        // Not trusted, so not billed: it went backwards or cannot be true (CONTRACT).
        rollback: row.rollback,
        sampledValue: JSON.parse(row.sampledValueJson) as unknown,
      })),
      costBreakdown: session.costBreakdownJson ? (JSON.parse(session.costBreakdownJson) as unknown) : null,
    });
  });

  router.post('/sessions/:sessionId/close', requireRole('admin'), async (request, response) => {
    const raw = request.params.sessionId as string;
    if (!/^\d{1,15}$/.test(raw)) throw notFound('Session', raw);
    const { reason } = parseInput(closeSessionSchema, request.body);
    const closed = await services.sessions.close(Number(raw), reason, actorOf(request));
    response.json(sessionView(closed, services.settings.get().currency));
  });
}
