import { startTestApp, type TestApp } from '../testing';
import { createProtocolAdapter, type BuiltProfile } from './feature-profile';

const heartbeat = async (): Promise<object> => ({ currentTime: '2026-01-01T00:00:00.000Z' });

function profile(name: string, handlers: BuiltProfile['handlers'], allowedBeforeAcceptance: string[] = [], outbound: string[] = []): BuiltProfile {
  return { name, handlers, allowedBeforeAcceptance, outbound };
}

describe('one handler contract for the feature profiles', () => {
  test('an action handled by two profiles is a programmer error found when the adapter is built', () => {
    expect(() =>
      createProtocolAdapter({
        version: '1.6',
        subprotocol: 'ocpp1.6',
        profiles: [profile('Core', { Heartbeat: heartbeat }), profile('Other', { Heartbeat: heartbeat })],
        isAccepted: () => true,
      }),
    ).toThrow(/Heartbeat is handled by two profiles/);
  });

  test('an action allowed before acceptance that no handler takes is a programmer error', () => {
    expect(() =>
      createProtocolAdapter({ version: '2.0.1', subprotocol: 'ocpp2.0.1', profiles: [profile('G Availability', {}, ['Heartbeat'])], isAccepted: () => true }),
    ).toThrow(/Heartbeat is allowed before acceptance but not handled/);
  });

  test('the adapter handles the union of its profiles and sends the union of their outbound actions', () => {
    const adapter = createProtocolAdapter({
      version: '1.6',
      subprotocol: 'ocpp1.6',
      profiles: [profile('Core', { Heartbeat: heartbeat }, ['Heartbeat'], ['Reset']), profile('Reservation', {}, [], ['ReserveNow', 'CancelReservation'])],
      isAccepted: () => false,
    });
    expect([...adapter.inboundActions]).toEqual(['Heartbeat']);
    expect([...adapter.outboundActions].sort()).toEqual(['CancelReservation', 'ReserveNow', 'Reset']);
  });
});

/** What the commands API may send, per version: the union of the profiles' outbound actions. */
const OUTBOUND = {
  // The six 1.6 feature profiles and the security whitepaper.
  '1.6': `CancelReservation CertificateSigned ChangeAvailability ChangeConfiguration ClearCache ClearChargingProfile DataTransfer
    DeleteCertificate ExtendedTriggerMessage GetCompositeSchedule GetConfiguration GetDiagnostics GetInstalledCertificateIds
    GetLocalListVersion GetLog InstallCertificate RemoteStartTransaction RemoteStopTransaction ReserveNow Reset SendLocalList
    SetChargingProfile SignedUpdateFirmware TriggerMessage UnlockConnector UpdateFirmware`,
  // The 2.0.1 functional blocks A to P.
  '2.0.1': `CancelReservation CertificateSigned ChangeAvailability ClearCache ClearChargingProfile ClearDisplayMessage
    ClearVariableMonitoring CostUpdated CustomerInformation DataTransfer DeleteCertificate GetBaseReport GetChargingProfiles
    GetCompositeSchedule GetDisplayMessages GetInstalledCertificateIds GetLocalListVersion GetLog GetMonitoringReport GetReport
    GetTransactionStatus GetVariables InstallCertificate PublishFirmware RequestStartTransaction RequestStopTransaction ReserveNow
    Reset SendLocalList SetChargingProfile SetDisplayMessage SetMonitoringBase SetMonitoringLevel SetNetworkProfile
    SetVariableMonitoring SetVariables TriggerMessage UnlockConnector UnpublishFirmware UpdateFirmware`,
} as const;

describe('the actions of both OCPP versions, as their profiles declare them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test.each(Object.entries(OUTBOUND))('OCPP %s: the commands API may send exactly what the profiles declare', (version, actions) => {
    const declared = [...t.app.services.ocpp.outboundActions(version as keyof typeof OUTBOUND)].sort();
    expect(declared).toEqual(actions.split(/\s+/).sort());
  });
});
