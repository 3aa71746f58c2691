import { startTestApp, type SimulatedCharger, type TestApp, testActor } from '../testing';

/** Money through the real appliance: OCPP 1.6 chargers over WebSockets and the JSON API. */
describe('money through OCPP and the API', () => {
  let app: TestApp;
  let charger: SimulatedCharger;

  beforeEach(async () => {
    app = await startTestApp();
    await app.api('PATCH', '/settings', { timeZone: 'UTC', currency: 'INR' });
    expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    charger = await app.acceptedCharger('CP1');
  });
  afterEach(async () => {
    await app.close();
  });

  async function card(uid: string, kind: 'personal' | 'prepaid', extra: Record<string, unknown> = {}) {
    const created = await app.api('POST', '/cards', { uid, kind, ...extra });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function topUp(uid: string, amount: number, key?: string) {
    return app.api('POST', `/cards/${uid}/topups`, { amount, method: 'cash' }, key ? { headers: { 'Idempotency-Key': key } } : {});
  }

  async function ledgerIsSound() {
    const check = await app.api('GET', '/ledger/check');
    expect(check.body).toMatchObject({ ok: true, totalMinor: 0 });
  }

  test('every authorization outcome reaches the charger in OCPP 1.6 words', async () => {
    await card('A1', 'personal');
    await card('A2', 'prepaid');
    await card('A3', 'personal');
    await app.api('PATCH', '/cards/A3', { status: 'blocked' });
    await card('A4', 'personal', { expiresAt: '2020-01-01T00:00:00Z' });
    await card('A5', 'personal', { allowedChargers: ['OTHER'] });
    await card('A6', 'personal');
    await charger.startTransaction(1, 'A6', 0);
    const status = async (idTag: string) => ((await charger.authorize(idTag)) as { idTagInfo: { status: string } }).idTagInfo.status;
    expect(await status('a1')).toBe('Accepted');
    expect(await status('A2')).toBe('Blocked'); // prepaid with no balance: NoCredit, which 1.6 calls Blocked
    expect(await status('A3')).toBe('Blocked');
    expect(await status('A4')).toBe('Expired');
    expect(await status('A5')).toBe('Invalid'); // NotAtThisLocation has no 1.6 word
    expect(await status('A6')).toBe('Accepted'); // a tap to stop is never refused
    expect((await charger.startTransaction(2, 'A6', 0)).idTagInfo.status).toBe('ConcurrentTx');
    expect(await status('FFEE99')).toBe('Invalid');
    // The unknown tag is remembered in the background (never delaying the answer): wait for it.
    let unknownUids: string[] = [];
    for (let tries = 0; unknownUids.length === 0 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      unknownUids = (await app.api('GET', '/unknown-cards')).body.items.map((item: { uid: string }) => item.uid);
    }
    expect(unknownUids).toEqual(['FFEE99']);
  });

  test('a prepaid session is billed once at stop, also when the charger repeats the stop', async () => {
    await card('B1', 'prepaid');
    expect((await topUp('B1', 10000)).body).toMatchObject({ receiptNo: 1, balance: { amount: 10000, currency: 'INR' } });
    const start = await charger.startTransaction(1, 'B1', 5000, '2026-03-01T10:00:00.000Z');
    expect(start.idTagInfo.status).toBe('Accepted');
    await charger.meterValues(1, start.transactionId, 6000, '2026-03-01T10:30:00.000Z');
    await charger.stopTransaction(start.transactionId, 7001, {}, '2026-03-01T11:00:00.000Z');
    await charger.stopTransaction(start.transactionId, 7001, {}, '2026-03-01T11:00:00.000Z');
    const sessions = await app.api('GET', '/sessions?cardUid=b1');
    expect(sessions.body.items).toHaveLength(1);
    // 2001 Wh at 20.00/kWh = 4002.
    expect(sessions.body.items[0]).toMatchObject({ energyWh: 2001, cost: { amount: 4002, currency: 'INR' } });
    expect((await app.api('GET', '/cards/B1')).body.balance).toEqual({ amount: 10000 - 4002, currency: 'INR' });
    const ledger = await app.api('GET', '/ledger');
    expect(ledger.body.items.map((entry: { code: string; amount: { amount: number } }) => [entry.code, entry.amount.amount])).toEqual([
      ['topup', 10000],
      ['topup', -10000],
      ['session_charge', 4002],
      ['session_charge', -4002],
    ]);
    await ledgerIsSound();
  });

  test('a stop that arrives after a restart is billed once', async () => {
    await card('C1', 'prepaid');
    await topUp('C1', 5000);
    const start = await charger.startTransaction(1, 'C1', 0, '2026-03-01T10:00:00.000Z');
    app = await app.restart();
    charger = await app.charger('CP1');
    await charger.boot();
    await charger.stopTransaction(start.transactionId, 1000, {}, '2026-03-01T10:30:00.000Z');
    await charger.stopTransaction(start.transactionId, 1000, {}, '2026-03-01T10:30:00.000Z');
    expect((await app.api('GET', '/cards/C1')).body.balance.amount).toBe(3000);
    await ledgerIsSound();
  });

  test('the running cost reaching the balance stops the session remotely; the overrun is a debt that blocks', async () => {
    await card('D1', 'prepaid');
    await topUp('D1', 1000);
    const start = await charger.startTransaction(1, 'D1', 0, '2026-03-01T10:00:00.000Z');
    await charger.meterValues(1, start.transactionId, 400, '2026-03-01T10:05:00.000Z');
    const stopCall = charger.waitForCall('RemoteStopTransaction', 5000);
    await charger.meterValues(1, start.transactionId, 520, '2026-03-01T10:06:00.000Z');
    expect((await stopCall).payload).toEqual({ transactionId: start.transactionId });
    await charger.stopTransaction(start.transactionId, 600, { reason: 'Remote' }, '2026-03-01T10:07:00.000Z');
    expect((await app.api('GET', '/cards/D1')).body.balance.amount).toBe(-200);
    expect(((await charger.authorize('D1')) as { idTagInfo: { status: string } }).idTagInfo.status).toBe('Blocked');
    const billing = await app.api('GET', `/sessions/${start.transactionId}/billing`);
    expect(billing.body).toMatchObject({ payer: 'prepaid', remoteStopReason: 'balance_exhausted', debt: { amount: 200, currency: 'INR' } });
    await topUp('D1', 500);
    expect(((await charger.authorize('D1')) as { idTagInfo: { status: string } }).idTagInfo.status).toBe('Accepted');
    await ledgerIsSound();
  });

  test('top-up idempotency: a repeated key returns the first answer, a changed body is 409, concurrent requests move money once', async () => {
    await card('E1', 'prepaid');
    const first = await topUp('E1', 700, 'key-1');
    const again = await topUp('E1', 700, 'key-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect((await topUp('E1', 701, 'key-1')).body.error.code).toBe('idempotency_key_reused');
    expect((await topUp('E1', 701, 'key-1')).status).toBe(409);
    expect((await topUp('E1', 1, 'k'.repeat(201))).status).toBe(400);
    const concurrent = await Promise.all([topUp('E1', 300, 'key-2'), topUp('E1', 300, 'key-2'), topUp('E1', 300, 'key-2')]);
    expect(new Set(concurrent.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect((await app.api('GET', '/cards/E1')).body.balance.amount).toBe(1000);
    const receipts = (await app.api('GET', '/topups')).body.items.map((item: { receiptNo: number }) => item.receiptNo);
    expect(receipts).toEqual([2, 1]);
    await ledgerIsSound();
  });

  test('an Idempotency-Key belongs to its client: another cashier token sending the same key and body gets its own top-up', async () => {
    await card('I1', 'prepaid');
    const deskA = (await app.app.services.tokens.create('desk A', 'cashier', testActor('test'))).token;
    const deskB = (await app.app.services.tokens.create('desk B', 'cashier', testActor('test'))).token;
    const send = (token: string) => app.api('POST', '/cards/I1/topups', { amount: 400, method: 'cash' }, { token, headers: { 'Idempotency-Key': 'shared-key' } });
    // Sent at the same moment, as two desks would.
    const [a, b] = await Promise.all([send(deskA), send(deskB)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.topupId).not.toBe(b.body.topupId);
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')]).toEqual([null, null]);
    // Each desk's own retry is still its own first answer, moving no money again.
    const retryA = await send(deskA);
    expect(retryA.body).toEqual(a.body);
    expect(retryA.headers.get('idempotent-replayed')).toBe('true');
    expect((await app.api('GET', '/cards/I1')).body.balance.amount).toBe(800);
    await ledgerIsSound();
  });

  test('a card charging now cannot change owner (409 card_in_session); once the session ended it can', async () => {
    await card('J1', 'prepaid');
    await topUp('J1', 5000);
    const user = await app.api('POST', '/users', { name: 'Meera', phone: '98140 00009' });
    const started = await charger.startTransaction(1, 'J1', 0);
    expect(started.idTagInfo.status).toBe('Accepted');
    const refused = await app.api('PATCH', '/cards/J1', { userId: user.body.id });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'card_in_session']);
    expect((await app.api('GET', '/cards/J1')).body).toMatchObject({ userId: null, balance: { amount: 5000 } });
    await charger.stopTransaction(started.transactionId, 1000);
    // 1 kWh at 20.00 was billed to the card's own balance; what is left goes with the card.
    const given = await app.api('PATCH', '/cards/J1', { userId: user.body.id });
    expect(given.status).toBe(200);
    expect((await app.api('GET', `/users/${user.body.id}`)).body.balance.amount).toBe(3000);
    await ledgerIsSound();
  });

  test('top-ups refuse a personal card, bad amounts and another currency', async () => {
    await card('F1', 'personal');
    await card('F2', 'prepaid');
    const personal = await topUp('F1', 100);
    expect([personal.status, personal.body.error.code]).toEqual([409, 'card_not_prepaid']);
    for (const amount of [0, -5, 1.5, '100', 2 ** 53]) {
      expect((await app.api('POST', '/cards/F2/topups', { amount, method: 'cash' })).status).toBe(400);
    }
    expect((await app.api('POST', '/cards/F2/topups', { amount: 5, method: 'cash', currency: 'USD' })).status).toBe(400);
    expect((await app.api('POST', '/cards/NOPE/topups', { amount: 5, method: 'cash' })).status).toBe(404);
    expect((await app.api('POST', '/cards/F2/topups', { amount: 5, method: 'cash', currency: 'INR' })).status).toBe(201);
    const overflow = await app.api('POST', '/cards/F2/topups', { amount: Number.MAX_SAFE_INTEGER, method: 'cash' });
    expect([overflow.status, overflow.body.error.code]).toEqual([409, 'balance_limit']);
  });

  test('users have a balance and available amount shared by their prepaid cards; the currency locks once money moved', async () => {
    const user = await app.api('POST', '/users', { name: 'Asha', phone: '+91 98765 43210', pin: '1234' });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({ phone: '+919876543210', balance: { amount: 0, currency: 'INR' } });
    expect((await app.api('POST', '/users', { name: 'Dup', phone: '+919876543210' })).status).toBe(409);
    await card('G1', 'prepaid', { userId: user.body.id });
    await app.api('POST', `/users/${user.body.id}/topups`, { amount: 2500, method: 'transfer' });
    expect((await app.api('GET', '/cards/G1')).body).toMatchObject({ userId: user.body.id, accountId: user.body.accountId, balance: { amount: 2500 } });
    expect((await app.api('GET', `/users/${user.body.id}`)).body).toMatchObject({ balance: { amount: 2500 }, available: { amount: 2500 }, cards: [{ uid: 'G1' }] });
    expect((await app.api('PATCH', '/settings', { currency: 'USD' })).status).toBe(409);
  });

  test('giving an anonymous prepaid card to a driver moves its balance by a ledger transfer', async () => {
    await card('K1', 'prepaid');
    await topUp('K1', 1200);
    const user = await app.api('POST', '/users', { name: 'Ravi', phone: '98140 00001' });
    await app.api('POST', `/users/${user.body.id}/topups`, { amount: 300, method: 'cash' });
    const patched = await app.api('PATCH', '/cards/K1', { userId: user.body.id });
    expect(patched.body).toMatchObject({ userId: user.body.id, accountId: user.body.accountId, balance: { amount: 1500 } });
    const entries = (await app.api('GET', '/ledger')).body.items.filter((entry: { code: string }) => entry.code === 'card_to_driver');
    expect(entries.map((entry: { amount: { amount: number } }) => entry.amount.amount)).toEqual([1200, -1200]);
    await ledgerIsSound();
  });

  test('the ledger, accounts, users and cards page with cursors, each item exactly once', async () => {
    for (const uid of ['P1', 'P2', 'P3']) {
      await card(uid, 'prepaid');
      await topUp(uid, 100);
    }
    for (const [path, key] of [
      ['/ledger', 'id'],
      ['/accounts', 'id'],
      ['/cards', 'uid'],
    ] as const) {
      const all = (await app.api('GET', `${path}?limit=500`)).body.items.map((item: Record<string, unknown>) => item[key]);
      const walked: unknown[] = [];
      let cursor: string | null = null;
      do {
        const pageResponse: { body: { items: Record<string, unknown>[]; nextCursor: string | null } } = await app.api('GET', `${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        walked.push(...pageResponse.body.items.map((item) => item[key]));
        cursor = pageResponse.body.nextCursor;
      } while (cursor);
      expect(walked).toEqual(all);
      expect(all.length).toBeGreaterThanOrEqual(3);
    }
    expect((await app.api('GET', '/ledger?limit=0')).status).toBe(400);
    expect((await app.api('GET', '/ledger?cursor=nonsense')).status).toBe(400);
    expect((await app.api('GET', '/ledger?accountId=999999')).body.items).toEqual([]);
  });

  test('refunds and adjustments need a reason and are new transfers pointing at what they correct', async () => {
    await card('H1', 'prepaid');
    const topup = await topUp('H1', 1000);
    expect((await app.api('POST', `/topups/${topup.body.topupId}/refunds`, { amount: 400 })).status).toBe(400);
    const refund = await app.api('POST', `/topups/${topup.body.topupId}/refunds`, { amount: 400, reason: 'customer left' });
    expect(refund.body).toMatchObject({ amount: { amount: 400 }, balance: { amount: 600 } });
    expect((await app.api('POST', `/topups/${topup.body.topupId}/refunds`, { amount: 601, reason: 'too much' })).status).toBe(409);
    const accountId = (await app.api('GET', '/cards/H1')).body.accountId;
    const adjusted = await app.api('POST', `/accounts/${accountId}/adjustments`, { amount: -100, reason: 'meter fault credit reversed' });
    expect(adjusted.body.balance.amount).toBe(500);
    await ledgerIsSound();
  });

  test('a cashier shift sums top-ups per method and records the counted cash difference', async () => {
    await card('S1', 'prepaid');
    expect((await app.api('POST', '/shifts', { openingFloat: 1000 })).status).toBe(201);
    await topUp('S1', 500);
    await app.api('POST', '/cards/S1/topups', { amount: 250, method: 'card' });
    const closed = await app.api('POST', '/shifts/current/close', { countedCash: 1490 });
    expect(closed.body).toMatchObject({ totals: { cash: { amount: 500 }, card: { amount: 250 }, transfer: { amount: 0 } }, expectedCash: { amount: 1500 }, difference: { amount: -10 } });
  });

  test('a session is priced with the tariff version in force when it started, and a charger override wins over the default', async () => {
    await card('T1', 'prepaid');
    await topUp('T1', 100000);
    const cp2 = await app.acceptedCharger('CP2');
    expect((await app.api('PUT', '/tariffs/chargers/CP2', { energyPricePerKwh: 1000, sessionFee: 0 })).status).toBe(200);
    const first = await cp2.startTransaction(1, 'T1', 0, '2026-03-01T10:00:00.000Z');
    await app.api('PUT', '/tariffs/chargers/CP2', { energyPricePerKwh: 9000 });
    await cp2.stopTransaction(first.transactionId, 1000, {}, '2026-03-01T10:30:00.000Z');
    const session = await app.api('GET', `/sessions/${first.transactionId}`);
    expect(session.body.cost.amount).toBe(1000);
    const tariffs = await app.api('GET', '/tariffs');
    expect(tariffs.body).toMatchObject({ default: { energyPricePerKwh: 2000 }, overrides: [{ chargerId: 'CP2', energyPricePerKwh: 9000 }] });
    expect((await app.api('DELETE', '/tariffs/chargers/CP2')).status).toBe(204);
    expect((await app.api('GET', '/tariffs')).body.overrides).toEqual([]);
    expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: -1 })).status).toBe(400);
    expect((await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 1, bands: [{ start: '10:00', end: '12:00' }, { start: '11:00', end: '13:00' }] })).status).toBe(400);
  });

  test('idle time reported as SuspendedEV is charged after the grace period', async () => {
    await app.api('PUT', '/tariffs/default', { energyPricePerKwh: 0, idleFeePerHour: 600, idleGraceS: 600 });
    await card('I1', 'prepaid');
    await topUp('I1', 100000);
    // An hour that already passed: a charger's time more than 5 minutes ahead is not trusted (CONTRACT).
    const startedAt = new Date(Date.now() - 3_600_000).toISOString();
    const start = await charger.startTransaction(1, 'I1', 0, startedAt);
    await charger.call('StatusNotification', { connectorId: 1, status: 'SuspendedEV', errorCode: 'NoError', timestamp: new Date(Date.parse(startedAt) + 1000).toISOString() });
    await charger.stopTransaction(start.transactionId, 0, {}, new Date().toISOString());
    const session = await app.api('GET', `/sessions/${start.transactionId}`);
    // About an hour idle, ten minutes free: about 50 minutes at 600/h = 500 (seconds of test time aside).
    expect(session.body.costBreakdown.billableIdleS).toBeGreaterThan(2950);
    expect(session.body.cost.amount).toBeGreaterThanOrEqual(490);
    expect(session.body.cost.amount).toBeLessThanOrEqual(500);
    expect((await app.api('GET', '/cards/I1')).body.balance.amount).toBe(100000 - session.body.cost.amount);
  });

  test('the daily report counts sessions on the site-local day they ended; CSV defuses formulas', async () => {
    await app.api('POST', '/chargers', { id: '=HYPERLINK' });
    await card('R1', 'prepaid');
    await card('R2', 'personal');
    await topUp('R1', 100000);
    const a = await charger.startTransaction(1, 'R1', 0, '2026-03-01T10:00:00.000Z');
    await charger.stopTransaction(a.transactionId, 1500, {}, '2026-03-01T10:30:00.000Z');
    const b = await charger.startTransaction(2, 'R2', 0, '2026-03-01T11:00:00.000Z');
    await charger.stopTransaction(b.transactionId, 500, {}, '2026-03-01T11:10:00.000Z');
    const report = await app.api('GET', '/reports/daily?date=2026-03-01');
    expect(report.body).toMatchObject({ date: '2026-03-01', timeZone: 'UTC', currency: 'INR' });
    expect(report.body.items).toEqual([
      { chargerId: '=HYPERLINK', sessions: 0, chargingSeconds: 0, energyWh: 0, revenue: { amount: 0, currency: 'INR' } },
      { chargerId: 'CP1', sessions: 2, chargingSeconds: 2400, energyWh: 2000, revenue: { amount: 3000, currency: 'INR' } },
    ]);
    const csv = await app.api('GET', '/reports/daily?date=2026-03-01&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      "date,chargerId,sessions,chargingSeconds,energyWh,revenue,currency\n2026-03-01,'=HYPERLINK,0,0,0,0.00,INR\n2026-03-01,CP1,2,2400,2000,30.00,INR\n",
    );
    expect((await app.api('GET', '/reports/daily?date=2026-02-30')).status).toBe(400);
    const byCard = await app.api('GET', '/reports/cards?from=2026-03-01&to=2026-03-01');
    expect(byCard.body.items.map((item: { cardUid: string }) => item.cardUid)).toEqual(['R1', 'R2']);
  });
});
