import { MAX_CONNECTORS_PER_CHARGER } from '../../chargers';
import { startTestApp, type TestApp } from '../../testing';

/** Minimal valid payloads for every CSMS-initiated OCPP 1.6 action (all six feature profiles). */
const OUTBOUND: [string, Record<string, unknown>][] = [
  ['ChangeAvailability', { connectorId: 1, type: 'Inoperative' }],
  ['ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' }],
  ['ClearCache', {}],
  ['DataTransfer', { vendorId: 'com.example', messageId: 'ping', data: 'x' }],
  ['GetConfiguration', { key: ['HeartbeatInterval'] }],
  ['RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' }],
  ['RemoteStopTransaction', { transactionId: 42 }],
  ['Reset', { type: 'Soft' }],
  ['UnlockConnector', { connectorId: 1 }],
  ['GetDiagnostics', { location: 'ftp://diagnostics.example/upload' }],
  ['UpdateFirmware', { location: 'http://firmware.example/fw.bin', retrieveDate: '2026-12-01T02:00:00Z' }],
  ['GetLocalListVersion', {}],
  ['SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'LOCAL1', idTagInfo: { status: 'Accepted' } }] }],
  ['ReserveNow', { connectorId: 1, expiryDate: '2026-12-01T02:00:00Z', idTag: 'RES1', reservationId: 7 }],
  ['CancelReservation', { reservationId: 7 }],
  [
    'SetChargingProfile',
    {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      },
    },
  ],
  ['ClearChargingProfile', { id: 1 }],
  ['GetCompositeSchedule', { connectorId: 1, duration: 3600 }],
  ['TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }],
];

describe('OCPP 1.6 feature profiles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test.each(OUTBOUND)('%s is validated, sent as a CALL and its answer returned', async (action, payload) => {
    const charger = await t.acceptedCharger(`CP-${action}`);
    const response = await t.api('POST', `/chargers/CP-${action}/commands/${action}`, payload);
    expect(response.status).toBe(200);
    expect(response.body.response).toBeDefined();
    const sent = charger.received.find((call) => call.action === action);
    expect(sent?.payload).toEqual(payload);
  });

  test('firmware, diagnostics and DataTransfer messages from the charger are stored', async () => {
    const charger = await t.acceptedCharger('CP-NOTIFY');
    expect(await charger.call('FirmwareStatusNotification', { status: 'Downloading' })).toEqual({});
    expect(await charger.call('DiagnosticsStatusNotification', { status: 'Uploaded' })).toEqual({});
    expect(await charger.call('DataTransfer', { vendorId: 'com.vendor', messageId: 'temp', data: '41C' })).toEqual({ status: 'UnknownVendorId' });
    const view = await t.api('GET', '/chargers/CP-NOTIFY');
    expect(view.body).toMatchObject({ firmwareStatus: 'Downloading', diagnosticsStatus: 'Uploaded' });
    const events = t.app.services.chargers.repository.events('CP-NOTIFY', 10).map((event) => [event.kind, JSON.parse(event.payloadJson)]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['FirmwareStatusNotification', { status: 'Downloading' }],
        ['DiagnosticsStatusNotification', { status: 'Uploaded' }],
        ['DataTransfer', { vendorId: 'com.vendor', messageId: 'temp', data: '41C' }],
      ]),
    );
  });

  test('status notifications are kept as history per connector', async () => {
    const charger = await t.acceptedCharger('CP-HIST');
    for (const status of ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'Finishing', 'Available']) await charger.status(1, status);
    const history = await t.api('GET', '/chargers/CP-HIST/status-history?limit=10');
    expect(history.body.items.map((item: { status: string }) => item.status)).toEqual(['Available', 'Finishing', 'SuspendedEV', 'Charging', 'Preparing', 'Available']);
  });

  test('a charger that makes up connector ids gets answered, but keeps at most MAX_CONNECTORS_PER_CHARGER rows; known ones still update', async () => {
    const charger = await t.acceptedCharger('CP-MANY');
    for (let connectorId = 1; connectorId <= MAX_CONNECTORS_PER_CHARGER + 5; connectorId++) await charger.status(connectorId, 'Available');
    const connectors = (await t.api('GET', '/chargers/CP-MANY')).body.connectors as { connectorId: number; status: string }[];
    expect(connectors).toHaveLength(MAX_CONNECTORS_PER_CHARGER);
    expect(connectors.map((connector) => connector.connectorId)).not.toContain(MAX_CONNECTORS_PER_CHARGER + 1);
    await charger.status(1, 'Faulted', 'GroundFailure');
    expect((await t.api('GET', '/chargers/CP-MANY')).body.connectors[0]).toMatchObject({ connectorId: 1, status: 'Faulted' });
  });

  test('MeterValues keep every measurand, phase and context exactly as sent', async () => {
    const charger = await t.acceptedCharger('CP-MV');
    await t.api('POST', '/cards', { uid: 'MVTAG', kind: 'personal' });
    const start = await charger.startTransaction(1, 'MVTAG', 100);
    const sampledValue = [
      { value: '1.234', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Clock', location: 'Outlet' },
      { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V', context: 'Sample.Periodic' },
      { value: '16.0', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
      { value: '55', measurand: 'SoC', unit: 'Percent', location: 'EV' },
    ];
    await charger.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: '2026-11-28T10:00:00Z', sampledValue }] });
    const session = await t.api('GET', `/sessions/${start.transactionId}`);
    expect(session.body.meterValues[0].sampledValue).toEqual(sampledValue);
    expect(session.body.meterValues[0].energyRegisterWh).toBe(1234);
    expect(session.body.energyWh).toBe(1134);
  });
});
