import { startTestApp, type SimulatedCharger, type TestApp } from '../testing';

/** CONTRACT `POST /sessions/{id}/close`: nothing stays stuck when a charger will never end a session. */
describe('staff close a session whose charger will never end it', () => {
  let t: TestApp;
  let charger: SimulatedCharger;
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  beforeEach(async () => {
    t = await startTestApp();
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 100, sessionFee: 0, timePricePerHour: 600 })).status).toBe(200);
    expect((await t.api('POST', '/cards', { uid: 'PRE1', kind: 'prepaid' })).status).toBe(201);
    expect((await t.api('POST', '/cards/PRE1/topups', { amount: 100_000, method: 'cash' })).status).toBe(201);
    charger = await t.acceptedCharger('CP-C');
  });
  afterEach(async () => {
    await t.close();
  });

  test('billed once up to its last trusted reading, ClosedByStaff, flagged; the card is free and a later stop bills nothing more', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 1000, minutesAgo(60));
    await charger.meterValues(1, start.transactionId, 3000, minutesAgo(30));
    const closed = await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: 'charger replaced' });
    expect(closed.status).toBe(200);
    // 2 kWh at 100 and the 30 minutes up to the last reading at 600/h: 200 + 300.
    expect(closed.body).toMatchObject({ status: 'completed', stopReason: 'ClosedByStaff', closeReason: 'charger replaced', energyWh: 2000, cost: { amount: 500 } });
    expect(closed.body.flags).toContain('closed_by_staff');
    expect((await t.api('GET', '/cards/PRE1')).body.balance.amount).toBe(100_000 - 500);
    // Audited in the same transaction as the close.
    expect(t.app.services.staff.audit.list({ objectType: 'session' }, 10)).toEqual([
      expect.objectContaining({ action: 'session.close', objectId: String(start.transactionId), afterJson: expect.stringContaining('charger replaced') }),
    ]);

    // The card and the connector are free at once.
    const next = await charger.startTransaction(1, 'PRE1', 5000);
    expect(next.idTagInfo.status).toBe('Accepted');

    // The charger comes back and reports the end after all: answered, and nothing more is billed.
    const late = await charger.stopTransaction(start.transactionId, 9000, { idTag: 'PRE1' }, minutesAgo(1));
    expect(late.idTagInfo?.status).toBeDefined();
    const after = await t.api('GET', `/sessions/${start.transactionId}`);
    expect(after.body).toMatchObject({ stopReason: 'ClosedByStaff', energyWh: 2000, cost: { amount: 500 } });
    expect((await t.api('GET', '/cards/PRE1')).body.balance.amount).toBe(100_000 - 500);
    const ledger = await t.api('GET', '/ledger/check');
    expect(ledger.body).toMatchObject({ ok: true });
  });

  test('needs an admin and a reason; an ended session is 409, an unknown one 404', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 0, minutesAgo(5));
    const cashier = await t.app.services.tokens.create('desk', 'cashier', 'test');
    expect((await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: 'gone' }, { token: cashier.token })).status).toBe(403);
    const noReason = await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect((await t.api('POST', '/sessions/999999/close', { reason: 'gone' })).status).toBe(404);
    await charger.stopTransaction(start.transactionId, 100);
    const ended = await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: 'gone' });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('session_not_active');
  });
});
