import { evsesOf, labelledConnectors } from './evses';
import type { ConnectorView } from './service';

function plug(connectorId: number, evseConnectorId: number, status: string): ConnectorView {
  return { connectorId, evseConnectorId, evseId: connectorId, status, errorCode: 'NoError', info: null, vendorErrorCode: null, statusAt: '2026-12-06T00:00:00.000Z', stale: false };
}

const statusesOf = (connectors: ConnectorView[]) => evsesOf(connectors).map((evse) => [evse.connectorId, evse.status]);

describe('an EVSE’s status from its connectors (issue 14)', () => {
  test('one connector per EVSE (every 1.6 charger): each EVSE is its connector as reported', () => {
    expect(statusesOf([plug(0, 1, 'Available'), plug(1, 1, 'Faulted'), plug(2, 1, 'Charging')])).toEqual([
      [0, 'Available'],
      [1, 'Faulted'],
      [2, 'Charging'],
    ]);
  });

  test('a connector in use makes its EVSE busy, the busiest status first, whatever the other connector says', () => {
    expect(statusesOf([plug(1, 1, 'Available'), plug(1, 2, 'Charging')])).toEqual([[1, 'Charging']]);
    expect(statusesOf([plug(1, 1, 'Faulted'), plug(1, 2, 'SuspendedEV')])).toEqual([[1, 'SuspendedEV']]);
    expect(statusesOf([plug(1, 1, 'Preparing'), plug(1, 2, 'Reserved')])).toEqual([[1, 'Reserved']]);
    expect(statusesOf([plug(1, 1, 'Available'), plug(1, 2, 'Preparing')])).toEqual([[1, 'Preparing']]);
  });

  test('Available when no connector is in use and one is available; Faulted only when every connector is', () => {
    expect(statusesOf([plug(1, 1, 'Faulted'), plug(1, 2, 'Available')])).toEqual([[1, 'Available']]);
    expect(statusesOf([plug(1, 1, 'Unavailable'), plug(1, 2, 'Available')])).toEqual([[1, 'Available']]);
    expect(statusesOf([plug(1, 1, 'Faulted'), plug(1, 2, 'Faulted')])).toEqual([[1, 'Faulted']]);
    expect(statusesOf([plug(1, 1, 'Faulted'), plug(1, 2, 'Unavailable')])).toEqual([[1, 'Unavailable']]);
  });

  test('EVSEs come in connectorId order, one each, without the connector-within-EVSE number', () => {
    const evses = evsesOf([plug(2, 1, 'Available'), plug(1, 2, 'Charging'), plug(1, 1, 'Available')]);
    expect(evses.map((evse) => evse.connectorId)).toEqual([1, 2]);
    expect(evses[0]).not.toHaveProperty('evseConnectorId');
  });

  test('labels tell the connectors of one EVSE apart and leave single connectors as they were', () => {
    expect(labelledConnectors([plug(1, 1, 'Available'), plug(1, 2, 'Charging'), plug(2, 1, 'Available')]).map((connector) => [connector.label, connector.ofSeveral])).toEqual([
      ['1.1', true],
      ['1.2', true],
      ['2', false],
    ]);
  });
});
