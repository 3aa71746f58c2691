import { MAX_EVENT_PAYLOAD_CHARS, MAX_PENDING_CHARGERS } from '../chargers';
import { SimulatedCharger, startTestApp, WebClient, type TestApp, testActor } from '../testing';

/** CONTRACT "OCPP endpoint": charge points nobody registered fill a bounded amount of storage. */
describe('bounded storage from strangers (policy pending)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const eventsKept = (chargerId: string) => t.app.services.chargers.repository.events(chargerId, 1000).length;
  const logged = (chargerId: string, action: string) => t.app.services.messageLog.list(chargerId, 1000).filter((entry) => entry.action === action).length;

  test(`at most ${MAX_PENDING_CHARGERS} identities wait for approval; the next is refused with 503 until staff decide on one`, async () => {
    const strangers: SimulatedCharger[] = [];
    for (let i = 0; i < MAX_PENDING_CHARGERS; i += 20) {
      const wave = await Promise.all(Array.from({ length: 20 }, (_, j) => new SimulatedCharger({ url: t.ocppUrl, id: `STRANGER-${i + j}` }).connect()));
      strangers.push(...wave);
    }
    expect(t.app.services.chargers.repository.pendingCount()).toBe(MAX_PENDING_CHARGERS);
    const refused = await new SimulatedCharger({ url: t.ocppUrl, id: 'STRANGER-LATE' }).connect().catch((error: { statusCode?: number }) => error);
    expect(refused).toMatchObject({ statusCode: 503 });
    expect(t.app.services.chargers.repository.get('STRANGER-LATE')).toBeUndefined();
    // A registered charger is never affected by the full list.
    const known = await t.acceptedCharger('CP-KNOWN');
    expect((await known.heartbeat()).currentTime).toBeDefined();

    // Staff reject one: there is room again.
    expect((await t.api('PATCH', '/chargers/STRANGER-0', { registration: 'rejected' })).status).toBe(200);
    const late = await new SimulatedCharger({ url: t.ocppUrl, id: 'STRANGER-LATE' }).connect();
    expect((await late.boot()).status).toBe('Pending');
    await Promise.all([...strangers, late].map((charger) => charger.close().catch(() => undefined)));

    // The dashboard names the newest few and counts the rest.
    await t.app.services.staff.users.create({ userName: 'admin-one', role: 'admin', password: 'correct horse battery' }, testActor('test'));
    const staff = new WebClient(t.baseUrl);
    await staff.submit('/login', '/login', { userName: 'admin-one', password: 'correct horse battery' });
    const dashboard = await staff.get('/');
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('Charger STRANGER-LATE waits for approval.');
    expect(dashboard.text).not.toContain('Charger STRANGER-1 waits for approval.');
    expect(dashboard.text).toContain(`${MAX_PENDING_CHARGERS - 5} more chargers wait for approval.`);
  }, 60_000);

  test('a pending charger’s 200 KiB DataTransfers are answered but not kept; an accepted charger’s are kept cut', async () => {
    const stranger = await t.charger('STRANGER-DT');
    expect((await stranger.boot()).status).toBe('Pending');
    await stranger.status(1, 'Available');
    const data = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 5; i++) {
      const answer = await stranger.call<{ status: string }>('DataTransfer', { vendorId: 'com.example', messageId: 'blob', data });
      expect(answer.status).toBeDefined();
    }
    const security = await stranger.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: new Date().toISOString(), techInfo: 'y'.repeat(255) });
    expect(security).toEqual({});
    await t.app.services.messageLog.flush();
    expect(eventsKept('STRANGER-DT')).toBe(0);
    expect(logged('STRANGER-DT', 'DataTransfer')).toBe(0);
    expect(logged('STRANGER-DT', 'SecurityEventNotification')).toBe(0);
    // Boot and status are kept: staff decide on a charger by what it said about itself.
    expect(logged('STRANGER-DT', 'BootNotification')).toBeGreaterThan(0);
    expect(t.app.services.chargers.view('STRANGER-DT')!.connectors).toEqual([expect.objectContaining({ connectorId: 1, status: 'Available' })]);

    const known = await t.acceptedCharger('CP-DT');
    await known.call('DataTransfer', { vendorId: 'com.example', messageId: 'blob', data });
    const [event] = t.app.services.chargers.repository.events('CP-DT', 10);
    expect(event!.payloadJson.length).toBeLessThan(MAX_EVENT_PAYLOAD_CHARS + 200);
    expect(JSON.parse(event!.payloadJson)).toMatchObject({ cut: true, chars: expect.any(Number) });
  });
});
