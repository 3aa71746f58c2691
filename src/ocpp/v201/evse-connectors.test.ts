import { schema } from '../../db';
import { startTestApp, WebClient, type TestApp, testActor } from '../../testing';

const V201 = { protocols: ['ocpp2.0.1'] };
const PASSWORD = 'correct horse battery';

/**
 * Issue 14: an OCPP 2.0.1 EVSE with several connectors shows each connector (G01 StatusNotification
 * names evseId and connectorId), while what is started, priced and steered stays the EVSE.
 */
describe('OCPP 2.0.1 EVSEs with several connectors', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  type ConnectorJson = { connectorId: number; evseConnectorId: number; status: string; errorCode: string | null };
  const connectorsOf = async (chargerId: string) =>
    ((await t.api('GET', `/chargers/${chargerId}`)).body.connectors as ConnectorJson[]).map(({ connectorId, evseConnectorId, status, errorCode }) => ({ connectorId, evseConnectorId, status, errorCode }));

  async function staff(language: 'en' | 'pa' | 'hi' = 'en'): Promise<WebClient> {
    const userName = `staff-${language}`;
    await t.app.services.staff.users.create({ userName, role: 'admin', password: PASSWORD, language }, testActor('test'));
    const client = new WebClient(t.baseUrl);
    expect((await client.submit('/login', '/login', { userName, password: PASSWORD })).status).toBe(303);
    return client;
  }

  test('two connectors of EVSE 1 with different statuses are two entries in the API, two rows on the page and in the history', async () => {
    const charger = await t.acceptedCharger('EV-TWIN', V201);
    await charger.statusNotification201(1, 'Available', 1);
    await charger.statusNotification201(1, 'Faulted', 2);
    await charger.statusNotification201(2, 'Available', 1);
    expect(await connectorsOf('EV-TWIN')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 1, evseConnectorId: 2, status: 'Faulted', errorCode: 'OtherError' },
      { connectorId: 2, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
    ]);
    // CONTRACT's shape stands: the fields it names are all there for every connector.
    const body = (await t.api('GET', '/chargers/EV-TWIN')).body;
    expect(body).toMatchObject({ id: 'EV-TWIN', registration: 'accepted', connected: true, ocppVersion: '2.0.1' });
    for (const connector of body.connectors) expect(Object.keys(connector)).toEqual(expect.arrayContaining(['connectorId', 'evseConnectorId', 'status', 'errorCode']));
    const history = t.app.services.db.orm.select().from(schema.connectorStatusHistory).all().filter((row) => row.chargerId === 'EV-TWIN');
    expect(history.map((row) => [row.connectorId, row.evseConnectorId, row.status])).toEqual([
      [1, 1, 'Available'],
      [1, 2, 'Faulted'],
      [2, 1, 'Available'],
    ]);

    const admin = await staff();
    const page = (await admin.get('/chargers/EV-TWIN')).text;
    expect(page).toMatch(/<tr data-connector="1" data-evse-connector="1"><td>1 \(EVSE 1, connector 1\)<\/td><td><span class="badge [^"]*">Available<\/span>/);
    expect(page).toMatch(/<tr data-connector="1" data-evse-connector="2"><td>1 \(EVSE 1, connector 2\)<\/td><td><span class="badge [^"]*">Faulted<\/span>/);
    // EVSE 2 has one connector: shown as before, by its number alone.
    expect(page).toContain('<tr data-connector="2" data-evse-connector="1"><td>2</td>');
    expect((await (await staff('pa')).get('/chargers/EV-TWIN')).text).toContain('1 (EVSE 1, ਕਨੈਕਟਰ 2)');
    expect((await (await staff('hi')).get('/chargers/EV-TWIN')).text).toContain('1 (EVSE 1, कनेक्टर 2)');
    // The list and the dashboard tell the two apart; the fault alert names the connector.
    expect((await admin.get('/chargers')).text).toMatch(/1\.1: Available<\/span> <span class="badge [^"]*">1\.2: Faulted/);
    const dashboard = (await admin.get('/')).text;
    expect(dashboard).toContain('data-connector="1" data-evse-connector="2">1.2: Faulted');
    expect(dashboard).toContain('Charger EV-TWIN connector 1.2 reports');
    // One QR label per EVSE, not per connector.
    const labels = (await admin.get('/chargers/EV-TWIN/qr-labels')).text;
    expect(labels.match(/<figure class="qr-label">/g)).toHaveLength(2);
    expect(labels).toContain('/chargers/EV-TWIN/connectors/1/qr-label');
    expect(labels).toContain('/chargers/EV-TWIN/connectors/2/qr-label');
  });

  test('a QR start on EVSE 1 is refused while one of its connectors charges, and allowed again once it is free', async () => {
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    expect((await t.api('POST', '/cards', { uid: 'CARD-TWIN', kind: 'personal' })).status).toBe(201);
    const charger = await t.acceptedCharger('EV-QR', V201);
    await charger.statusNotification201(1, 'Available', 1);
    await charger.statusNotification201(1, 'Available', 2);
    const created = await t.api('POST', '/users', { name: 'Asha', phone: '+919800000001', pin: '2468' });
    expect((await t.api('POST', `/users/${created.body.id}/topups`, { amount: 50000, method: 'cash' })).status).toBe(201);
    const driver = t.app.services.drivers.requireUser(created.body.id);
    const { qrStart } = t.app.services;
    expect(qrStart.refusalFor('EV-QR', 1, driver)).toBeUndefined();

    // A card session on connector 2 of EVSE 1; the charger's own StatusNotification follows.
    const started = await charger.transactionEvent({ eventType: 'Started', transactionId: 'tx-twin', evseId: 1, evseConnectorId: 2, idTag: 'CARD-TWIN', chargingState: 'Charging', energyWh: 0 });
    expect(started).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    await charger.statusNotification201(1, 'Occupied', 2);
    expect(await connectorsOf('EV-QR')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 1, evseConnectorId: 2, status: 'Charging', errorCode: 'NoError' },
    ]);
    const session = t.app.services.sessions.byTransaction('EV-QR', 'tx-twin')!;
    expect(session).toMatchObject({ connectorId: 1, status: 'active' });

    expect(qrStart.refusalFor('EV-QR', 1, driver)).toBe('connector_occupied');
    await expect(qrStart.start({ formKey: 'twin-1', user: driver, chargerId: 'EV-QR', connectorId: 1, amountMinor: 10000 })).rejects.toMatchObject({ code: 'connector_occupied' });
    expect(charger.received.filter((call) => call.action === 'RequestStartTransaction')).toHaveLength(0);
    expect((await t.api('GET', `/users/${driver.id}`)).body.available.amount).toBe(50000);
    // The driver's QR page says so too.
    const qrPage = await new WebClient(t.baseUrl).get('/q/EV-QR/1');
    expect(qrPage.status).toBe(200);
    expect(qrPage.text).toContain('This connector is in use.');

    // A cable in the other connector while the session runs is Preparing there, not a second Charging.
    await charger.statusNotification201(1, 'Occupied', 1);
    expect((await connectorsOf('EV-QR'))[0]).toMatchObject({ evseConnectorId: 1, status: 'Preparing' });
    await charger.statusNotification201(1, 'Available', 1);

    // Later events may leave the EVSE out: the transaction's connector is remembered.
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'tx-twin', chargingState: 'EVConnected', stoppedReason: 'Local', energyWh: 1000 });
    const events = t.app.services.db.orm.select().from(schema.ocpp201TransactionEvents).all();
    expect(events.map((event) => [event.evseId, event.connectorId])).toEqual([
      [1, 2],
      [1, null],
    ]);
    expect(await connectorsOf('EV-QR')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 1, evseConnectorId: 2, status: 'Finishing', errorCode: 'NoError' },
    ]);
    expect(qrStart.refusalFor('EV-QR', 1, driver)).toBe('connector_occupied');
    await charger.statusNotification201(1, 'Available', 2);
    expect(await connectorsOf('EV-QR')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 1, evseConnectorId: 2, status: 'Available', errorCode: 'NoError' },
    ]);
    expect(qrStart.refusalFor('EV-QR', 1, driver)).toBeUndefined();
  });

  test('a NotifyReport naming the connectors of an EVSE shows each; an EVSE that names none shows its connector 1', async () => {
    const charger = await t.acceptedCharger('EV-REPORT', V201);
    const availability = (component: Record<string, unknown>, value: string) => ({ component, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value }] });
    await charger.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        availability({ name: 'EVSE', evse: { id: 1 } }, 'Available'),
        availability({ name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'Available'),
        availability({ name: 'Connector', evse: { id: 1, connectorId: 2 } }, 'Unavailable'),
        availability({ name: 'EVSE', evse: { id: 2 } }, 'Faulted'),
      ],
    });
    expect(await connectorsOf('EV-REPORT')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 1, evseConnectorId: 2, status: 'Unavailable', errorCode: 'NoError' },
      { connectorId: 2, evseConnectorId: 1, status: 'Faulted', errorCode: 'NoError' },
    ]);
    // A later StatusNotification is newer than a report: the report does not overwrite it.
    await charger.statusNotification201(1, 'Occupied', 2);
    await charger.call('NotifyReport', { requestId: 2, generatedAt: new Date().toISOString(), seqNo: 0, reportData: [availability({ name: 'Connector', evse: { id: 1, connectorId: 2 } }, 'Available')] });
    expect((await connectorsOf('EV-REPORT'))[1]).toMatchObject({ evseConnectorId: 2, status: 'Preparing' });
  });

  test('a 1.6 charger keeps one row per connector, each connector 1 of its own', async () => {
    const charger = await t.acceptedCharger('CP-16');
    await charger.status(1, 'Charging');
    await charger.status(1, 'Available');
    await charger.call('StatusNotification', { connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', info: '<img src=x onerror=alert(1)>' });
    expect(await connectorsOf('CP-16')).toEqual([
      { connectorId: 1, evseConnectorId: 1, status: 'Available', errorCode: 'NoError' },
      { connectorId: 2, evseConnectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' },
    ]);
    const admin = await staff();
    const page = (await admin.get('/chargers/CP-16')).text;
    expect(page).toContain('<tr data-connector="1" data-evse-connector="1"><td>1</td>');
    expect(page).toContain('<tr data-connector="2" data-evse-connector="1"><td>2</td>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect((await admin.get('/chargers')).text).toMatch(/>1: Available<\/span> <span class="badge [^"]*">2: Faulted</);
  });
});
