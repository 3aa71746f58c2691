import type express from 'express';
import type { AppServices } from '../../../services';
import { badRequest, localDate, money, notFound } from '../../../shared';
import { tariffView } from '../../../tariffs';
import { actorOf, allowQuery, decodeCursor, idempotencyKeyOf, page, parseLimit, queryId, queryString, requireRole, sendOutcome } from './http';


function positiveId(raw: string, what: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw notFound(what, raw);
  return Number(raw);
}

function isoDate(raw: string | undefined, name: string, fallback: string): string {
  if (raw === undefined) return fallback;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw badRequest('invalid_request', `${name} must be a date YYYY-MM-DD`);
  }
  return raw;
}

function wantsCsv(request: express.Request): boolean {
  const format = queryString(request.query, 'format');
  if (format !== undefined && format !== 'csv' && format !== 'json') throw badRequest('invalid_request', 'format must be csv or json');
  return format === 'csv';
}

function sendCsv(response: express.Response, fileName: string, csv: string): void {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  response.send(csv);
}

/** Drivers, cards, top-ups, shifts, tariffs, reports and the ledger (CONTRACT "JSON API" and "Money rules"). */
export function moneyRoutes(router: express.Router, services: AppServices): void {
  const { drivers, till, shifts, tariffs, reports, ledger } = services;
  const currency = () => services.settings.get().currency;

  // ---- drivers ----------------------------------------------------------------------------------

  router.get('/users', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'phone']);
    const limit = parseLimit(request.query);
    const phone = queryString(request.query, 'phone');
    if (phone !== undefined) {
      // CONTRACT: every way of writing one number finds the same driver (at most one).
      if (drivers.normalisePhone(phone) === undefined) throw badRequest('invalid_request', 'phone must be a phone number, such as +919814012345');
      const user = drivers.userByPhone(phone);
      response.json({ items: user ? [drivers.userView(user)] : [], nextCursor: null });
      return;
    }
    const after = decodeCursor<[number]>(request.query, ['number']);
    response.json(page(drivers.users(limit + 1, after?.[0]), limit, (user) => drivers.userView(user), (user) => [user.id]));
  });

  router.post('/users', requireRole('cashier'), async (request, response) => {
    response.status(201).json(drivers.userView(await drivers.createUser(request.body, actorOf(request))));
  });

  router.get('/users/:userId', (request, response) => {
    response.json(drivers.userView(drivers.requireUser(positiveId(request.params.userId as string, 'User'))));
  });

  router.patch('/users/:userId', requireRole('cashier'), async (request, response) => {
    response.json(drivers.userView(await drivers.updateUser(positiveId(request.params.userId as string, 'User'), request.body, actorOf(request))));
  });

  router.post('/users/:userId/topups', requireRole('cashier'), async (request, response) => {
    const userId = positiveId(request.params.userId as string, 'User');
    sendOutcome(response, await till.topUpUser(userId, request.body, actorOf(request), idempotencyKeyOf(request)));
  });

  // ---- cards ------------------------------------------------------------------------------------

  router.get('/cards', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'userId']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const rows = drivers.cards(limit + 1, after?.[0], { userId: queryId(request.query, 'userId') });
    response.json(page(rows, limit, (card) => drivers.cardView(card), (card) => [card.id]));
  });

  router.post('/cards', requireRole('cashier'), async (request, response) => {
    response.status(201).json(drivers.cardView(await drivers.createCard(request.body, actorOf(request))));
  });

  router.get('/cards/:uid', (request, response) => {
    response.json(drivers.cardView(drivers.requireCard(request.params.uid as string)));
  });

  router.patch('/cards/:uid', requireRole('cashier'), async (request, response) => {
    response.json(drivers.cardView(await drivers.updateCard(request.params.uid as string, request.body, actorOf(request))));
  });

  router.post('/cards/:uid/topups', requireRole('cashier'), async (request, response) => {
    sendOutcome(response, await till.topUpCard(request.params.uid as string, request.body, actorOf(request), idempotencyKeyOf(request)));
  });

  router.get('/unknown-cards', (request, response) => {
    allowQuery(request.query, ['limit']);
    response.json({ items: drivers.unknownCards(parseLimit(request.query)), nextCursor: null });
  });

  // ---- top-ups, refunds, adjustments, shifts ------------------------------------------------------

  router.get('/topups', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'accountId']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const accountId = queryId(request.query, 'accountId');
    const rows = till.topups(limit + 1, after?.[0], { accountId: accountId });
    response.json(
      page(
        rows,
        limit,
        (row) => ({
          id: row.id,
          receiptNo: row.receiptNo,
          accountId: row.accountId,
          cardUid: row.cardUid,
          userId: row.userId,
          amount: money(row.amountMinor, currency()),
          refunded: money(till.refundedMinor(row.id), currency()),
          method: row.method,
          note: row.note,
          createdBy: row.createdBy,
          shiftId: row.shiftId,
          transferId: row.transferId,
          createdAt: row.createdAt,
        }),
        (row) => [row.id],
      ),
    );
  });

  router.post('/topups/:topupId/refunds', requireRole('admin'), async (request, response) => {
    const topupId = positiveId(request.params.topupId as string, 'Top-up');
    sendOutcome(response, await till.refundTopup(topupId, request.body, actorOf(request), idempotencyKeyOf(request)));
  });

  router.post('/accounts/:accountId/adjustments', requireRole('admin'), async (request, response) => {
    const accountId = positiveId(request.params.accountId as string, 'Account');
    sendOutcome(response, await till.adjust(accountId, request.body, actorOf(request), idempotencyKeyOf(request)));
  });

  router.get('/accounts', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    response.json(
      page(
        ledger.accountsPage(limit + 1, after?.[0]),
        limit,
        (account) => {
          const balance = ledger.balance(account.id);
          return {
            id: account.id,
            kind: account.kind,
            name: account.name,
            normalSide: account.normalSide,
            balance: money(balance.balanceMinor, account.currency),
            available: money(balance.availableMinor, account.currency),
          };
        },
        (account) => [account.id],
      ),
    );
  });

  router.get('/shifts', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    response.json(page(shifts.shifts(limit + 1, after?.[0]), limit, (shift) => shifts.shiftView(shift), (shift) => [shift.id]));
  });

  router.get('/shifts/current', requireRole('cashier'), (request, response) => {
    const shift = shifts.openShift(actorOf(request).name);
    if (!shift) throw notFound('open shift for', actorOf(request).name);
    response.json(shifts.shiftView(shift));
  });

  router.post('/shifts', requireRole('cashier'), async (request, response) => {
    response.status(201).json(await shifts.startShift(actorOf(request), request.body ?? {}));
  });

  router.post('/shifts/current/close', requireRole('cashier'), async (request, response) => {
    response.json(await shifts.closeShift(actorOf(request), request.body));
  });

  /** How a session pays and what billing did: payer, tariff version, remote stop and its reason, debt. */
  router.get('/sessions/:sessionId/billing', (request, response) => {
    const sessionId = positiveId(request.params.sessionId as string, 'Session');
    if (!services.sessions.get(sessionId)) throw notFound('Session', sessionId);
    const billing = services.billing.billing(sessionId);
    response.json({
      sessionId,
      payer: billing?.payer ?? 'none',
      accountId: billing?.accountId ?? null,
      tariffVersionId: billing?.tariffVersionId ?? null,
      holdTransferId: billing?.holdTransferId ?? null,
      remoteStopRequestedAt: billing?.remoteStopRequestedAt ?? null,
      remoteStopReason: billing?.remoteStopReason ?? null,
      chargeTransferId: billing?.chargeTransferId ?? null,
      debt: money(billing?.debtMinor ?? 0, currency()),
      billedAt: billing?.billedAt ?? null,
    });
  });

  // ---- tariffs ----------------------------------------------------------------------------------

  router.get('/tariffs', (request, response) => {
    allowQuery(request.query, []);
    const current = tariffs.current();
    response.json({
      currency: currency(),
      default: current.default ? tariffView(current.default) : null,
      overrides: current.overrides.map(tariffView),
    });
  });

  router.put('/tariffs/default', requireRole('admin'), async (request, response) => {
    response.json(tariffView(await tariffs.setDefault(request.body, actorOf(request))));
  });

  router.put('/tariffs/chargers/:chargerId', requireRole('admin'), async (request, response) => {
    const chargerId = request.params.chargerId as string;
    if (!services.chargers.view(chargerId)) throw notFound('Charger', chargerId);
    response.json(tariffView(await tariffs.setOverride(chargerId, request.body, actorOf(request))));
  });

  router.delete('/tariffs/chargers/:chargerId', requireRole('admin'), async (request, response) => {
    await tariffs.removeOverride(request.params.chargerId as string, actorOf(request));
    response.status(204).end();
  });

  // ---- reports ----------------------------------------------------------------------------------

  router.get('/reports/daily', (request, response) => {
    allowQuery(request.query, ['date', 'format']);
    const today = localDate(new Date().toISOString(), services.settings.get().timeZone);
    const report = reports.daily(isoDate(queryString(request.query, 'date'), 'date', today));
    if (wantsCsv(request)) return sendCsv(response, `daily-${report.date}.csv`, reports.dailyCsv(report));
    response.json(report);
  });

  for (const [path, by, keyColumn] of [
    ['/reports/users', 'user', 'userId'],
    ['/reports/cards', 'card', 'cardUid'],
  ] as const) {
    router.get(path, (request, response) => {
      allowQuery(request.query, ['from', 'to', 'format']);
      const today = localDate(new Date().toISOString(), services.settings.get().timeZone);
      const from = isoDate(queryString(request.query, 'from'), 'from', today);
      const to = isoDate(queryString(request.query, 'to'), 'to', from);
      if (to < from) throw badRequest('invalid_request', 'to must not be before from');
      const report = reports.period(by, from, to);
      if (wantsCsv(request)) return sendCsv(response, `${by}s-${from}-${to}.csv`, reports.periodCsv(report, keyColumn));
      response.json({ ...report, items: report.items.map(({ key, ...rest }) => ({ [keyColumn]: by === 'user' ? Number(key) : key, ...rest })) });
    });
  }

  // ---- ledger -----------------------------------------------------------------------------------

  router.get('/ledger', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'accountId']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const accountId = queryId(request.query, 'accountId');
    const rows = ledger.entries({ accountId: accountId }, limit + 1, after?.[0]);
    response.json(
      page(
        rows,
        limit,
        (row) => ({
          id: row.id,
          transferId: row.transferId,
          accountId: row.accountId,
          amount: money(row.amountMinor, currency()),
          code: row.code,
          reference: row.reference,
          createdAt: row.createdAt,
        }),
        (row) => [row.id],
      ),
    );
  });

  router.get('/ledger/check', requireRole('admin'), (_request, response) => {
    response.json(ledger.check());
  });
}
