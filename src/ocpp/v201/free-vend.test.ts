import { startTestApp, type TestApp } from '../../testing';

const V201 = { protocols: ['ocpp2.0.1'] };

/**
 * Issue 14: a 2.0.1 transaction that never carries an idToken (free vend) is a session, priced
 * with the tariff, posted to nobody's balance, flagged for staff; not only an unmatched message.
 */
describe('OCPP 2.0.1 free vend', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 1500, sessionFee: 100, timePricePerHour: 0 })).status).toBe(200);
  });
  afterEach(async () => {
    await t.close();
  });

  test('a transaction that charges without any idToken is a priced session with no card, no driver and no money moved', async () => {
    const charger = await t.acceptedCharger('FV-1', V201);
    const started = await charger.transactionEvent({
      eventType: 'Started',
      transactionId: 'FREE-1',
      triggerReason: 'CablePluggedIn',
      evseId: 1,
      energyWh: 1000,
      chargingState: 'Charging',
      timestamp: '2026-11-28T09:00:00.000Z',
    });
    expect(started.idTokenInfo).toBeUndefined();
    const ended = await charger.transactionEvent({
      eventType: 'Ended',
      transactionId: 'FREE-1',
      energyWh: 3000,
      timestamp: '2026-11-28T10:00:00.000Z',
      stoppedReason: 'EVDisconnected',
    });
    // 2 kWh at 15.00 plus the 1.00 session fee, in major units (I03.FR.02).
    expect(ended.totalCost).toBe(31);

    const list = await t.api('GET', '/sessions?chargerId=FV-1');
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.objectContaining({
        items: [
          expect.objectContaining({
            transactionId: 'FREE-1',
            cardUid: null,
            userId: null,
            status: 'completed',
            energyWh: 2000,
            cost: expect.objectContaining({ amount: 3100 }),
            flags: ['free_vend'],
          }),
        ],
      }),
    );
    expect(t.app.services.sessions.repository.unmatched(5)).toEqual([]);
    expect(t.app.services.ledger.hasMoneyMoved()).toBe(false);
  });

  test('an idToken of type NoAuthorization starts a free-vend session, accepted', async () => {
    const charger = await t.acceptedCharger('FV-2', V201);
    const started = await charger.transactionEvent({
      eventType: 'Started',
      transactionId: 'FREE-2',
      evseId: 1,
      idTag: '',
      idTokenType: 'NoAuthorization',
      energyWh: 0,
      timestamp: '2026-11-28T09:00:00.000Z',
    });
    expect(started.idTokenInfo).toEqual({ status: 'Accepted' });
    expect(t.app.services.sessions.byTransaction('FV-2', 'FREE-2')).toMatchObject({ status: 'active', cardUid: null, userId: null, authorizationStatus: 'Accepted' });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'FREE-2', energyWh: 1000, timestamp: '2026-11-28T09:30:00.000Z' });
    const session = t.app.services.sessions.byTransaction('FV-2', 'FREE-2');
    expect(session).toMatchObject({ status: 'completed', energyWh: 1000, costMinor: 1600 });
    expect(JSON.parse(session!.flagsJson)).toEqual(['free_vend']);
  });

  test('a transaction that ends having delivered energy, never naming anyone nor a charging state, is still a session', async () => {
    const charger = await t.acceptedCharger('FV-3', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'FREE-3', evseId: 1, energyWh: 500, timestamp: '2026-11-28T09:00:00.000Z' });
    expect(t.app.services.sessions.byTransaction('FV-3', 'FREE-3')).toBeUndefined();
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'FREE-3', energyWh: 1500, timestamp: '2026-11-28T09:30:00.000Z' });
    expect(t.app.services.sessions.byTransaction('FV-3', 'FREE-3')).toMatchObject({ status: 'completed', meterStartWh: 500, energyWh: 1000, cardUid: null });
    expect(t.app.services.sessions.repository.unmatched(5)).toEqual([]);
  });

  test('a cable plugged in and pulled out while waiting for a card is no session', async () => {
    const charger = await t.acceptedCharger('FV-4', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'WAIT-4', evseId: 1, energyWh: 500, chargingState: 'EVConnected' });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'WAIT-4', energyWh: 500, stoppedReason: 'Timeout' });
    expect(t.app.services.sessions.byTransaction('FV-4', 'WAIT-4')).toBeUndefined();
  });
});
