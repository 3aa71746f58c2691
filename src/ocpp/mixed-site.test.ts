import { runMixedSite } from '../../bench/mixed';
import { startTestApp, V16_SCRIPT, V201_SCRIPT, type TestApp } from '../testing';

describe('a site with both OCPP 1.6 and 2.0.1 chargers', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test('chargers of both versions charge at once and staff see one list of chargers and sessions', async () => {
    expect((await t.api('PATCH', '/settings', { unknownChargerPolicy: 'accept' })).status).toBe(200);
    const result = await runMixedSite({ ocppUrl: t.ocppUrl, chargersPerVersion: 4, meterValuesPerSession: 3 });
    expect(result).toMatchObject({ errors: 0, sessionsCompleted: 8, roundTrips: 8 * (1 + 1 + 3 + 1) });
    const chargers = await t.api('GET', '/chargers?limit=50');
    const versions = chargers.body.items.map((charger: { ocppVersion: string }) => charger.ocppVersion).sort();
    expect(versions).toEqual([...Array(4).fill('1.6'), ...Array(4).fill('2.0.1')]);
    const sessions = await t.api('GET', '/sessions?status=completed&limit=50');
    expect(sessions.body.items).toHaveLength(8);
    for (const session of sessions.body.items) expect(session).toMatchObject({ energyWh: 1000, connectorId: 1, status: 'completed' });
  });

  test('the same tag cannot hold a session on a 1.6 and a 2.0.1 charger at once', async () => {
    expect((await t.api('POST', '/cards', { uid: 'SHARED', kind: 'personal' })).status).toBe(201);
    const old = await t.acceptedCharger('OLD-1', { protocols: V16_SCRIPT.protocols });
    const fresh = await t.acceptedCharger('NEW-1', { protocols: V201_SCRIPT.protocols });
    expect((await V16_SCRIPT.start(old, { connectorId: 1, idTag: 'SHARED', meterStartWh: 0 })).status).toBe('Accepted');
    expect((await V201_SCRIPT.start(fresh, { connectorId: 1, idTag: 'SHARED', meterStartWh: 0 })).status).toBe('ConcurrentTx');
  });
});
