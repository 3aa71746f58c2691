import { redactFrame } from './secrets';

describe('redactFrame', () => {
  test('secrets in 1.6 and 2.0.1 frames are ***, everything else is kept (the 2.0.1 simPin is an integer)', () => {
    const changeConfiguration = JSON.stringify([2, 'm1', 'ChangeConfiguration', { key: 'AuthorizationKey', value: '0011aabb' }]);
    expect(JSON.parse(redactFrame(changeConfiguration))).toEqual([2, 'm1', 'ChangeConfiguration', { key: 'AuthorizationKey', value: '***' }]);
    const networkProfile = JSON.stringify([2, 'm2', 'SetNetworkProfile', { configurationSlot: 1, connectionData: { apn: { apn: 'web', simPin: 1234, apnPassword: 'pw' } } }]);
    expect(JSON.parse(redactFrame(networkProfile))[3].connectionData.apn).toEqual({ apn: 'web', simPin: '***', apnPassword: '***' });
    const simPin = JSON.stringify([2, 'm3', 'X', { simPin: '1234', token: 'abc', pin: '0000' }]);
    expect(JSON.parse(redactFrame(simPin))[3]).toEqual({ simPin: '***', token: '***', pin: '***' });
    expect(redactFrame('not json, password')).toBe('not json, password');
  });

  test('a frame that cannot hold a secret is kept as sent without being parsed (idToken is no secret)', () => {
    const transactionEvent = JSON.stringify([
      2,
      'm4',
      'TransactionEvent',
      { eventType: 'Started', timestamp: '2026-12-01T10:00:00Z', triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'T1' }, idToken: { idToken: 'AA11', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } },
    ]);
    const meterValues = JSON.stringify([2, 'm5', 'MeterValues', { connectorId: 1, transactionId: 7, meterValue: [{ timestamp: '2026-12-01T10:00:00Z', sampledValue: [{ value: '1200' }] }] }]);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(redactFrame(transactionEvent)).toBe(transactionEvent);
      expect(redactFrame(meterValues)).toBe(meterValues);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
