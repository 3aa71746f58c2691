import { minutesAgo, prepaidSite, startTestApp, WebClient, type SimulatedCharger, type TestApp, testActor } from '../testing';
import { REBOOT_GRACE_MS } from './service';

/** CONTRACT `POST /sessions/{id}/close`: nothing stays stuck when a charger will never end a session. */
describe('staff close a session whose charger will never end it', () => {
  let t: TestApp;
  let charger: SimulatedCharger;

  beforeEach(async () => {
    t = await startTestApp();
    charger = await prepaidSite(t, 'CP-C');
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
    const cashier = await t.app.services.tokens.create('desk', 'cashier', testActor('test'));
    expect((await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: 'gone' }, { token: cashier.token })).status).toBe(403);
    const noReason = await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect((await t.api('POST', '/sessions/999999/close', { reason: 'gone' })).status).toBe(404);
    await charger.stopTransaction(start.transactionId, 100);
    const ended = await t.api('POST', `/sessions/${start.transactionId}/close`, { reason: 'gone' });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('session_not_active');
  });

  test('a charger that boots with a session still open: ended by its own Stop, or flagged open_after_reboot for staff after the grace', async () => {
    const ended = await charger.startTransaction(1, 'PRE1', 0, minutesAgo(30));
    expect((await t.api('POST', '/cards', { uid: 'PRE2', kind: 'prepaid' })).status).toBe(201);
    await t.api('POST', '/cards/PRE2/topups', { amount: 1000, method: 'cash' });
    const forgotten = await charger.startTransaction(2, 'PRE2', 0, minutesAgo(30));
    await charger.meterValues(2, forgotten.transactionId, 500, minutesAgo(20));
    // Power cut: the charger comes back, boots, and sends the Stop it had queued for connector 1 only.
    charger.ws.terminate();
    charger = await t.charger('CP-C');
    await charger.boot();
    await charger.stopTransaction(ended.transactionId, 1000, { idTag: 'PRE1' }, minutesAgo(1));
    const { sessions, chargers } = t.app.services;
    const lastBootOf = (id: string) => chargers.repository.get(id)?.lastBootAt ?? null;
    // Within the grace a Stop may still come: nothing flagged yet.
    await sessions.flagStuck(new Date(Date.now() + 60_000), 24 * 3_600_000, lastBootOf);
    expect((await t.api('GET', `/sessions/${forgotten.transactionId}`)).body.flags).not.toContain('open_after_reboot');
    const later = new Date(Date.now() + REBOOT_GRACE_MS + 60_000);
    expect(await sessions.flagStuck(later, 24 * 3_600_000, lastBootOf)).toEqual({ flagged: 1, cleared: 0 });
    expect((await t.api('GET', `/sessions/${forgotten.transactionId}`)).body).toMatchObject({ status: 'active', flags: ['open_after_reboot'] });
    expect((await t.api('GET', `/sessions/${ended.transactionId}`)).body.flags).not.toContain('open_after_reboot');
    // The job does the same on its schedule, and staff see an alert naming what to do.
    expect((await t.app.services.jobs.runJob('stuck-sessions')).result).toBe('ok');
    await t.app.services.staff.users.create({ userName: 'admin-one', role: 'admin', password: 'correct horse battery' }, testActor('test'));
    const staff = new WebClient(t.baseUrl);
    await staff.submit('/login', '/login', { userName: 'admin-one', password: 'correct horse battery' });
    expect((await staff.get('/')).text).toContain(`Session ${forgotten.transactionId} is still open although CP-C restarted`);
    // Closing it ends the matter: billed once up to its last reading.
    const closed = await t.api('POST', `/sessions/${forgotten.transactionId}/close`, { reason: 'forgotten in a power cut' });
    expect(closed.body).toMatchObject({ status: 'completed', energyWh: 500 });
  });
});
