import { startTestApp, type TestApp } from '../../testing';

describe('OCPP 1.6 charging sessions', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    // The money authorizer accepts registered cards only; personal cards move no money.
    for (const uid of ['TAG1', 'TAG2', 'TAG3', 'TAG4', 'TAG5']) expect((await t.api('POST', '/cards', { uid, kind: 'personal' })).status).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  test('a registered charger boots Accepted and its heartbeat returns the current time', async () => {
    const charger = await t.acceptedCharger('CP-1');
    const boot = await charger.boot({ firmwareVersion: '1.2.3' });
    expect(boot.status).toBe('Accepted');
    expect(boot.interval).toBe(300);
    const heartbeat = await charger.heartbeat();
    expect(Date.parse(heartbeat.currentTime)).toBeGreaterThan(Date.now() - 5000);
    const view = await t.api('GET', '/chargers/CP-1');
    expect(view.body).toMatchObject({ id: 'CP-1', registration: 'accepted', connected: true, vendor: 'SimVendor', firmwareVersion: '1.2.3', ocppVersion: '1.6' });
    // What the connection and the boot wrote to the charger's row (the view shows the live presence over it).
    const row = t.app.services.chargers.repository.get('CP-1')!;
    expect(row).toMatchObject({ ocppVersion: '1.6', vendor: 'SimVendor', model: 'SimModel', firmwareVersion: '1.2.3', imsi: null, lastBootAt: boot.currentTime, updatedAt: boot.currentTime });
    expect(Date.parse(row.lastConnectedAt!)).toBeLessThanOrEqual(Date.parse(boot.currentTime));
    expect(Date.parse(row.lastSeenAt!)).toBeGreaterThanOrEqual(Date.parse(boot.currentTime));
  });

  test('a session started and stopped is stored with the charger timestamps and energy', async () => {
    const charger = await t.acceptedCharger('CP-2');
    const startedAt = '2026-11-28T10:00:00.000Z';
    const start = await charger.startTransaction(1, 'TAG1', 1000, startedAt);
    expect(start.idTagInfo.status).toBe('Accepted');
    expect(Number.isInteger(start.transactionId)).toBe(true);
    await charger.meterValues(1, start.transactionId, 2500);
    const stop = await charger.stopTransaction(start.transactionId, 4000, { idTag: 'TAG1', reason: 'EVDisconnected' }, '2026-11-28T11:00:00.000Z');
    expect(stop.idTagInfo?.status).toBe('Accepted');
    const sessions = await t.api('GET', '/sessions?chargerId=CP-2');
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0]).toMatchObject({
      transactionId: start.transactionId,
      chargerId: 'CP-2',
      connectorId: 1,
      status: 'completed',
      startedAt,
      stoppedAt: '2026-11-28T11:00:00.000Z',
      meterStartWh: 1000,
      meterStopWh: 4000,
      energyWh: 3000,
      stopReason: 'EVDisconnected',
    });
  });

  test('a repeated StartTransaction gets the same transactionId and creates no second session', async () => {
    const charger = await t.acceptedCharger('CP-3');
    const timestamp = '2026-11-28T10:00:00.000Z';
    const first = await charger.startTransaction(1, 'TAG2', 500, timestamp);
    const again = await charger.startTransaction(1, 'TAG2', 500, timestamp);
    expect(again.transactionId).toBe(first.transactionId);
    expect(again.idTagInfo.status).toBe('Accepted');
    const sessions = await t.api('GET', '/sessions?chargerId=CP-3');
    expect(sessions.body.items).toHaveLength(1);
  });

  test('a repeated StopTransaction is answered like the first and changes nothing', async () => {
    const charger = await t.acceptedCharger('CP-4');
    const start = await charger.startTransaction(1, 'TAG3', 0, '2026-11-28T10:00:00.000Z');
    const first = await charger.stopTransaction(start.transactionId, 1500, { idTag: 'TAG3' }, '2026-11-28T10:30:00.000Z');
    const again = await charger.stopTransaction(start.transactionId, 1500, { idTag: 'TAG3' }, '2026-11-28T10:30:00.000Z');
    expect(again).toEqual(first);
    const session = await t.api('GET', '/sessions?chargerId=CP-4');
    expect(session.body.items[0]).toMatchObject({ energyWh: 1500, stoppedAt: '2026-11-28T10:30:00.000Z' });
  });

  test('a StopTransaction for an unknown transaction is accepted and recorded for staff', async () => {
    const charger = await t.acceptedCharger('CP-5');
    const reply = await charger.stopTransaction(987654, 100);
    expect(reply).toEqual({});
    const unmatched = t.app.services.sessions.repository.unmatched(10);
    expect(unmatched[0]).toMatchObject({ chargerId: 'CP-5', transactionId: '987654', action: 'StopTransaction' });
  });

  test('meter values going backwards are flagged and not trusted', async () => {
    const charger = await t.acceptedCharger('CP-6');
    const start = await charger.startTransaction(1, 'TAG4', 1000);
    await charger.meterValues(1, start.transactionId, 3000);
    await charger.meterValues(1, start.transactionId, 2000);
    const session = await t.api('GET', `/sessions/${start.transactionId}`);
    expect(session.body.energyWh).toBe(2000);
    expect(session.body.meterValues.map((value: { rollback: boolean }) => value.rollback)).toEqual([false, true]);
  });

  test('a tag with an active session is refused a second one (ConcurrentTx)', async () => {
    const charger = await t.acceptedCharger('CP-7');
    await charger.startTransaction(1, 'TAG5', 0);
    const second = await charger.startTransaction(2, 'TAG5', 0);
    expect(second.idTagInfo.status).toBe('ConcurrentTx');
  });
});
