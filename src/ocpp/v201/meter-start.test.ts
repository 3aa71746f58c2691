import { startTestApp, type TestApp } from '../../testing';

describe('a 2.0.1 transaction started without an energy register', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await t.api('POST', '/cards', { uid: 'LIFETIME', kind: 'personal' });
  });
  afterEach(async () => {
    await t.close();
  });

  test("the first reading becomes the start, so the meter's lifetime total is never billed", async () => {
    const charger = await t.acceptedCharger('CS-NOSTART', { protocols: ['ocpp2.0.1'] });
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'tx-life', evseId: 1, idTag: 'LIFETIME', chargingState: 'Charging' });
    let session = (await t.api('GET', '/sessions?chargerId=CS-NOSTART')).body.items[0];
    expect(session.flags).toContain('meter_start_unknown');
    expect(session.energyWh).toBe(0);
    await charger.transactionEvent({ eventType: 'Updated', transactionId: 'tx-life', evseId: 1, energyWh: 1_234_567 });
    await charger.transactionEvent({ eventType: 'Updated', transactionId: 'tx-life', evseId: 1, energyWh: 1_236_567 });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'tx-life', evseId: 1, energyWh: 1_240_567, stoppedReason: 'EVDisconnected' });
    session = (await t.api('GET', '/sessions?chargerId=CS-NOSTART')).body.items[0];
    expect(session).toMatchObject({ status: 'completed', meterStartWh: 1_234_567, meterStopWh: 1_240_567, energyWh: 6000 });
    expect(session.flags).not.toContain('meter_start_unknown');
  });

  test('with no reading at all the session delivered no known energy and stays flagged', async () => {
    const charger = await t.acceptedCharger('CS-NOREAD', { protocols: ['ocpp2.0.1'] });
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'tx-none', evseId: 1, idTag: 'LIFETIME' });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'tx-none', evseId: 1, stoppedReason: 'Local' });
    const session = (await t.api('GET', '/sessions?chargerId=CS-NOREAD')).body.items[0];
    expect(session).toMatchObject({ status: 'completed', energyWh: 0 });
  });
});
