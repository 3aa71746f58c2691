import { schema } from '../../db';
import { startTestApp, type SimulatedCharger, type TestApp } from '../../testing';

const V201 = { protocols: ['ocpp2.0.1'] };

describe('OCPP 2.0.1 charging stations', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    for (const uid of ['CARD5', 'CARD6', 'CARD7', 'CARD8', 'CARD13']) expect((await t.api('POST', '/cards', { uid, kind: 'personal' })).status).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  const events = () => t.app.services.db.orm.select().from(schema.ocpp201TransactionEvents).all();

  test('the server picks ocpp2.0.1 when the charger prefers it and shows the charger as 2.0.1', async () => {
    const charger = await t.acceptedCharger('CS-1', { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
    expect(charger.protocol).toBe('ocpp2.0.1');
    const view = await t.api('GET', '/chargers/CS-1');
    expect(view.body).toMatchObject({ ocppVersion: '2.0.1', vendor: 'SimVendor', model: 'SimModel', connected: true });
  });

  test('an accepted first boot is followed by GetBaseReport FullInventory', async () => {
    const charger = await t.acceptedCharger('CS-2', V201);
    const call = await charger.waitForCall('GetBaseReport');
    expect(call.payload).toMatchObject({ reportBase: 'FullInventory' });
    expect(Number.isInteger(call.payload.requestId)).toBe(true);
  });

  test('a NotifyReport stores the device model and shows each reported EVSE as a connector', async () => {
    const charger = await t.acceptedCharger('CS-3', V201);
    await charger.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value: 'Available', mutability: 'ReadOnly' }] },
        { component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value: 'Unavailable' }] },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          variableAttribute: [{ value: '300', mutability: 'ReadWrite' }],
          variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
        },
      ],
    });
    const view = await t.api('GET', '/chargers/CS-3');
    expect(view.body.connectors.map((connector: { connectorId: number; status: string }) => [connector.connectorId, connector.status])).toEqual([
      [1, 'Available'],
      [2, 'Unavailable'],
    ]);
    const heartbeat = t.app.services.db.orm.select().from(schema.ocpp201DeviceVariables).all().find((row) => row.variableName === 'HeartbeatInterval');
    expect(heartbeat).toMatchObject({ componentName: 'OCPPCommCtrlr', value: '300', mutability: 'ReadWrite', dataType: 'integer' });
  });

  test('StatusNotification of an EVSE updates the same connector view staff use for 1.6', async () => {
    const charger = await t.acceptedCharger('CS-4', V201);
    await charger.statusNotification201(1, 'Available');
    await charger.statusNotification201(2, 'Faulted');
    const view = await t.api('GET', '/chargers/CS-4');
    expect(view.body.connectors).toEqual([
      expect.objectContaining({ connectorId: 1, evseId: 1, status: 'Available', errorCode: 'NoError' }),
      expect.objectContaining({ connectorId: 2, evseId: 2, status: 'Faulted', errorCode: 'OtherError' }),
    ]);
  });

  test('a transaction started before anyone is identified becomes a session when the idToken arrives', async () => {
    const charger = await t.acceptedCharger('CS-5', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'T5', triggerReason: 'CablePluggedIn', evseId: 1, energyWh: 2000, chargingState: 'EVConnected', timestamp: '2026-11-28T09:00:00.000Z' });
    expect(t.app.services.sessions.byTransaction('CS-5', 'T5')).toBeUndefined();
    const authorized = await charger.transactionEvent({ eventType: 'Updated', transactionId: 'T5', triggerReason: 'Authorized', idTag: 'CARD5', chargingState: 'Charging' });
    expect(authorized.idTokenInfo).toEqual({ status: 'Accepted' });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'T5', energyWh: 5000, timestamp: '2026-11-28T10:00:00.000Z', stoppedReason: 'EVDisconnected' });
    expect(t.app.services.sessions.byTransaction('CS-5', 'T5')).toMatchObject({
      idTag: 'CARD5',
      connectorId: 1,
      evseId: 1,
      ocppVersion: '2.0.1',
      startedAt: '2026-11-28T09:00:00.000Z',
      stoppedAt: '2026-11-28T10:00:00.000Z',
      meterStartWh: 2000,
      energyWh: 3000,
      status: 'completed',
      stopReason: 'EVDisconnected',
    });
  });

  test('events sent late from the offline queue are recorded with their flag and do not move the connector status', async () => {
    const charger = await t.acceptedCharger('CS-6', V201);
    await charger.statusNotification201(1, 'Available');
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'T6', evseId: 1, idTag: 'CARD6', energyWh: 0, chargingState: 'Charging', offline: true });
    await charger.transactionEvent({ eventType: 'Ended', transactionId: 'T6', energyWh: 700, offline: true });
    expect(events().map((event) => [event.seqNo, event.eventType, event.offline])).toEqual([
      [0, 'Started', true],
      [1, 'Ended', true],
    ]);
    expect(t.app.services.sessions.byTransaction('CS-6', 'T6')).toMatchObject({ status: 'completed', energyWh: 700 });
    const view = await t.api('GET', '/chargers/CS-6');
    expect(view.body.connectors[0].status).toBe('Available');
  });

  test('a repeated Updated event (same seqNo) stores its meter values once', async () => {
    const charger = await t.acceptedCharger('CS-7', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'T7', evseId: 1, idTag: 'CARD7', energyWh: 100 });
    await charger.transactionEvent({ eventType: 'Updated', transactionId: 'T7', seqNo: 1, energyWh: 400 });
    await charger.transactionEvent({ eventType: 'Updated', transactionId: 'T7', seqNo: 1, energyWh: 400 });
    const session = t.app.services.sessions.byTransaction('CS-7', 'T7')!;
    expect(t.app.services.sessions.repository.meterValues(session.id).map((value) => value.energyRegisterWh)).toEqual([100, 400]);
  });

  test('an Ended event for a transaction never seen is kept for staff', async () => {
    const charger = await t.acceptedCharger('CS-8', V201);
    const reply = await charger.transactionEvent({ eventType: 'Ended', transactionId: 'GHOST', seqNo: 3, idTag: 'CARD8', energyWh: 10 });
    expect(reply.idTokenInfo?.status).toBe('Accepted');
    expect(t.app.services.sessions.repository.unmatched(5)[0]).toMatchObject({ chargerId: 'CS-8', transactionId: 'GHOST' });
  });

  test('CALLERRORs carry the 2.0.1 code names', async () => {
    const charger = await t.acceptedCharger('CS-9', V201);
    expect((await charger.sendRaw('not json', '-1')).slice(0, 3)).toEqual([4, '-1', 'RpcFrameworkError']);
    expect((await charger.sendRaw('[9,"m-1",{}]', 'm-1')).slice(0, 3)).toEqual([4, 'm-1', 'MessageTypeNotSupported']);
    expect((await charger.sendRaw('[2,"m-2","Heartbeat"]', 'm-2')).slice(0, 3)).toEqual([4, 'm-2', 'RpcFrameworkError']);
    expect((await charger.sendRaw('[2,"m-3","Authorize",{}]', 'm-3')).slice(0, 3)).toEqual([4, 'm-3', 'OccurrenceConstraintViolation']);
    expect((await charger.sendRaw('[2,"m-4","Authorize",{"idToken":{"idToken":"A","type":"Barcode"}}]', 'm-4')).slice(0, 3)).toEqual([
      4,
      'm-4',
      'PropertyConstraintViolation',
    ]);
    expect((await charger.sendRaw('[2,"m-5","StartTransaction",{}]', 'm-5')).slice(0, 3)).toEqual([4, 'm-5', 'NotImplemented']);
    expect((await charger.sendRaw('[2,"m-6","RequestStartTransaction",{"remoteStartId":1,"idToken":{"idToken":"A","type":"Central"}}]', 'm-6')).slice(0, 3)).toEqual([
      4,
      'm-6',
      'NotSupported',
    ]);
    // The connection stays up after every error.
    expect((await charger.heartbeat()).currentTime).toEqual(expect.any(String));
  });

  test('certificate messages the appliance cannot serve are answered NotSupported', async () => {
    const charger = await t.acceptedCharger('CS-10', V201);
    await expect(charger.call('SignCertificate', { csr: 'x' })).rejects.toMatchObject({ errorCode: 'NotSupported' });
  });

  test('a pending station may report itself but not start transactions', async () => {
    const charger = await t.charger('CS-11', V201);
    expect((await charger.boot()).status).toBe('Pending');
    await charger.statusNotification201(1, 'Available');
    await expect(charger.transactionEvent({ eventType: 'Started', transactionId: 'T11', evseId: 1, idTag: 'CARD11', energyWh: 0 })).rejects.toMatchObject({
      errorCode: 'SecurityError',
    });
  });

  test('the commands API sends 2.0.1 actions and keeps what GetVariables and SetVariables answered', async () => {
    const charger = await t.acceptedCharger('CS-12', V201);
    const component = { name: 'OCPPCommCtrlr' };
    const get = await t.api('POST', '/chargers/CS-12/commands/GetVariables', { getVariableData: [{ component, variable: { name: 'HeartbeatInterval' } }] });
    expect(get.status).toBe(200);
    expect(get.body.response.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '300' });
    const set = await t.api('POST', '/chargers/CS-12/commands/SetVariables', {
      setVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '90' }],
    });
    expect(set.status).toBe(200);
    const rows = t.app.services.db.orm.select().from(schema.ocpp201DeviceVariables).all();
    expect(rows.map((row) => [row.componentName, row.variableName, row.value])).toEqual(
      expect.arrayContaining([
        ['OCPPCommCtrlr', 'HeartbeatInterval', '300'],
        ['TxCtrlr', 'EVConnectionTimeOut', '90'],
      ]),
    );
    for (const [action, payload] of [
      ['Reset', { type: 'Immediate' }],
      ['ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } }],
      ['UnlockConnector', { evseId: 1, connectorId: 1 }],
      ['TriggerMessage', { requestedMessage: 'StatusNotification' }],
      ['ClearCache', {}],
      ['GetBaseReport', { requestId: 7, reportBase: 'ConfigurationInventory' }],
      ['ClearChargingProfile', {}],
      ['DataTransfer', { vendorId: 'com.example' }],
      [
        'SetChargingProfile',
        {
          evseId: 1,
          chargingProfile: {
            id: 1,
            stackLevel: 0,
            chargingProfilePurpose: 'TxDefaultProfile',
            chargingProfileKind: 'Absolute',
            chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-11-28T00:00:00.000Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
          },
        },
      ],
    ] as const) {
      const reply = await t.api('POST', `/chargers/CS-12/commands/${action}`, payload);
      expect([action, reply.status]).toEqual([action, 200]);
    }
    expect(charger.received.map((call) => call.action)).toEqual(expect.arrayContaining(['Reset', 'UnlockConnector', 'SetChargingProfile']));
    const legacy = await t.api('POST', '/chargers/CS-12/commands/RemoteStartTransaction', { idTag: 'A' });
    expect(legacy.status).toBe(400);
    expect(legacy.body.error.code).toBe('unknown_action');
  });

  test('the final cost is sent back on Ended and CostUpdated can show a running cost', async () => {
    // 1000 Wh at 10.63 per kWh: the session costs 1063 minor units.
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 1063, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    const charger = await t.acceptedCharger('CS-13', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'T13', evseId: 1, idTag: 'CARD13', energyWh: 0 });
    const session = t.app.services.sessions.byTransaction('CS-13', 'T13')!;
    expect(await t.app.services.commands.costUpdated(session, 525, 'INR', 5000)).toBe(true);
    const costUpdated = await charger.waitForCall('CostUpdated');
    expect(costUpdated.payload).toEqual({ totalCost: 5.25, transactionId: 'T13' });
    const ended = await charger.transactionEvent({ eventType: 'Ended', transactionId: 'T13', energyWh: 1000 });
    expect(ended.totalCost).toBe(10.63);
  });

  test('a priced session running on a 2.0.1 station is shown its running cost with CostUpdated', async () => {
    await t.api('PATCH', '/settings', { timeZone: 'UTC', currency: 'INR' });
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    expect((await t.api('POST', '/cards', { uid: 'PRE14', kind: 'prepaid' })).status).toBe(201);
    expect((await t.api('POST', '/cards/PRE14/topups', { amount: 100000, method: 'cash' })).status).toBe(201);
    const charger = await t.acceptedCharger('CS-14', V201);
    await charger.transactionEvent({ eventType: 'Started', transactionId: 'T14', evseId: 1, idTag: 'PRE14', energyWh: 0, timestamp: '2026-03-01T10:00:00.000Z' });
    const seen = charger.received.length;
    await charger.transactionEvent({ eventType: 'Updated', transactionId: 'T14', energyWh: 1500, timestamp: '2026-03-01T10:30:00.000Z' });
    // 1500 Wh at 20.00/kWh
    expect((await charger.waitForCall('CostUpdated', 5000, seen)).payload).toEqual({ totalCost: 30, transactionId: 'T14' });
  });

  test('a station’s variables are read and changed like 1.6 configuration keys', async () => {
    const charger = await t.acceptedCharger('CS-15', V201);
    await charger.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300', mutability: 'ReadWrite' }] },
        { component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' }, variableAttribute: [{ value: 'cType2', mutability: 'ReadOnly' }] },
      ],
    });
    const { commands } = t.app.services;
    expect(await commands.readConfiguration('CS-15', 5000)).toEqual([
      { key: 'Connector@1.1/ConnectorType', value: 'cType2', readonly: true },
      { key: 'OCPPCommCtrlr/HeartbeatInterval', value: '300', readonly: false },
    ]);
    const change = commands.configurationChange('CS-15', 'OCPPCommCtrlr/HeartbeatInterval', '120');
    expect(change.ocppAction).toBe('SetVariables');
    await commands.send('CS-15', change.ocppAction, change.payload, 5000);
    expect((await charger.waitForCall('SetVariables')).payload).toEqual({
      setVariableData: [{ attributeValue: '120', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect((await commands.readConfiguration('CS-15', 5000)).find((entry) => entry.key === 'OCPPCommCtrlr/HeartbeatInterval')?.value).toBe('120');
    expect(() => commands.configurationChange('CS-15', 'Nope/Nothing', '1')).toThrow(/has not reported/);
  });
});

export type { SimulatedCharger };
