import type express from 'express';
import { MAX_COMMAND_TIMEOUT_S } from '../../../ocpp';
import type { AppServices } from '../../../services';
import { badRequest, notFound } from '../../../shared';
import { allowQuery, actorOf, decodeCursor, page, parseLimit, queryString, requireRole } from './http';

/** Charge points (CONTRACT `/chargers`), their commands and their OCPP message log. */
export function chargerRoutes(router: express.Router, services: AppServices): void {
  const { chargers, commands, messageLog } = services;

  router.get('/chargers', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[string, string]>(request.query, ['string', 'string']);
    const rows = chargers.list(limit + 1, after && { createdAt: after[0], id: after[1] });
    const maxPowerW = new Map(services.load.repository.chargers().map((row) => [row.chargerId, row.maxPowerW]));
    response.json(page(rows, limit, (charger) => ({ ...charger, maxPowerW: maxPowerW.get(charger.id) ?? null }), (charger) => [charger.createdAt, charger.id]));
  });

  router.post('/chargers', requireRole('admin'), async (request, response) => {
    response.status(201).json(await chargers.register(request.body, actorOf(request)));
  });

  router.get('/chargers/:chargerId', (request, response) => {
    const charger = chargers.view(request.params.chargerId as string);
    if (!charger) throw notFound('Charger', request.params.chargerId as string);
    response.json(withMaxPower(charger));
  });

  // CONTRACT: `maxPowerW` is the charger's maximum for load management (null: from the charger).
  router.patch('/chargers/:chargerId', requireRole('admin'), async (request, response) => {
    const chargerId = request.params.chargerId as string;
    const body = request.body as unknown;
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const { maxPowerW, ...rest } = isObject ? (body as Record<string, unknown>) : { maxPowerW: undefined };
    const setsMaxPower = isObject && 'maxPowerW' in body;
    // Every field is checked before anything is written.
    const parsedMaxPowerW = setsMaxPower ? services.load.settings.parseMaxPower(maxPowerW) : null;
    if (!chargers.view(chargerId)) throw notFound('Charger', chargerId);
    const updated = !setsMaxPower || Object.keys(rest).length > 0 ? await chargers.update(chargerId, isObject ? rest : body, actorOf(request)) : chargers.view(chargerId)!;
    if (setsMaxPower) await services.load.settings.setMaxPower(chargerId, parsedMaxPowerW, actorOf(request));
    response.json(withMaxPower(updated));
  });

  function withMaxPower<T extends { id: string }>(charger: T): T & { maxPowerW: number | null } {
    return { ...charger, maxPowerW: services.load.repository.charger(charger.id)?.maxPowerW ?? null };
  }

  router.delete('/chargers/:chargerId', requireRole('admin'), async (request, response) => {
    const chargerId = request.params.chargerId as string;
    await chargers.remove(chargerId, actorOf(request));
    response.status(204).end();
  });

  router.post('/chargers/:chargerId/commands/:action', requireRole('admin'), async (request, response) => {
    allowQuery(request.query, ['timeoutS']);
    const timeoutS = parseTimeoutS(queryString(request.query, 'timeoutS'));
    const payload = request.body === undefined ? {} : (request.body as unknown);
    const reply = await commands.send(request.params.chargerId as string, request.params.action as string, payload, timeoutS * 1000, actorOf(request));
    response.json({ response: reply });
  });

  router.get('/chargers/:chargerId/messages', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor']);
    const chargerId = request.params.chargerId as string;
    if (!chargers.view(chargerId)) throw notFound('Charger', chargerId);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const rows = messageLog.list(chargerId, limit + 1, after?.[0]);
    response.json(
      page(
        rows,
        limit,
        (row) => ({ id: row.id, direction: row.direction, messageTypeId: row.messageTypeId, messageId: row.messageId, action: row.action, frame: row.frame, at: row.at }),
        (row) => [row.id],
      ),
    );
  });

  router.get('/chargers/:chargerId/status-history', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor']);
    const chargerId = request.params.chargerId as string;
    if (!chargers.view(chargerId)) throw notFound('Charger', chargerId);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const rows = chargers.repository.statusHistory(chargerId, limit + 1, after?.[0]);
    response.json(page(rows, limit, (row) => row, (row) => [row.id]));
  });
}

function parseTimeoutS(raw: string | undefined): number {
  if (raw === undefined) return 30;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_COMMAND_TIMEOUT_S) {
    throw badRequest('invalid_request', `timeoutS must be an integer from 1 to ${MAX_COMMAND_TIMEOUT_S}`);
  }
  return Number(raw);
}
