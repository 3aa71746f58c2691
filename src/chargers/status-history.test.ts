import { startTestApp, type TestApp } from '../testing';

/**
 * A connector's status history keeps what changed: many chargers resend the same status every
 * few seconds (or with each heartbeat), and a row per resend grew the table without saying
 * anything new. Changes, new error details and late reports from a charger's queue are kept.
 */
describe('connector status history', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test('a resent status is not a new row; a change, new error details and a late report are', async () => {
    const charger = await t.acceptedCharger('CP-HIST');
    // In the past: a time ahead of the appliance's clock is not trusted (the arrival time stands in).
    const base = Date.now() - 600_000;
    const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
    const report = (seconds: number, status: string, errorCode = 'NoError', info?: string) =>
      charger.call('StatusNotification', { connectorId: 1, status, errorCode, timestamp: at(seconds), ...(info ? { info } : {}) });
    // What the accepted charger reported while connecting is not part of this test.
    const before = t.app.services.chargers.repository.statusHistory('CP-HIST', 100).length;
    const history = () =>
      t.app.services.chargers.repository
        .statusHistory('CP-HIST', 100)
        .slice(0, -before || undefined)
        .reverse()
        .map((row) => [row.status, row.errorCode, row.statusAt]);

    await report(0, 'Available');
    await report(10, 'Available');
    await report(20, 'Available');
    await report(30, 'Charging');
    await report(40, 'Charging');
    await report(50, 'Faulted', 'GroundFailure');
    await report(60, 'Faulted', 'GroundFailure');
    await report(70, 'Faulted', 'OverCurrentFailure');
    await report(80, 'Faulted', 'OverCurrentFailure', 'breaker tripped');
    // From the charger's queue, timed before what it reported last: it fills in the past.
    await report(75, 'Faulted', 'OverCurrentFailure', 'breaker tripped');

    expect(history()).toEqual([
      ['Available', 'NoError', at(0)],
      ['Charging', 'NoError', at(30)],
      ['Faulted', 'GroundFailure', at(50)],
      ['Faulted', 'OverCurrentFailure', at(70)],
      ['Faulted', 'OverCurrentFailure', at(80)],
      ['Faulted', 'OverCurrentFailure', at(75)],
    ]);
    // The status in force at any moment is what it was with every resend kept.
    expect(t.app.services.chargers.repository.connectorStatusAt('CP-HIST', 1, at(25))).toEqual({ status: 'Available', at: at(0) });
    expect(t.app.services.chargers.repository.connectorStatusesBetween('CP-HIST', 1, at(5), at(45))).toEqual([{ status: 'Charging', at: at(30) }]);
    // The connector itself shows the newest report.
    const connector = t.app.services.chargers.repository.connectors('CP-HIST').find((row) => row.connectorId === 1)!;
    expect([connector.status, connector.errorCode, connector.info]).toEqual(['Faulted', 'OverCurrentFailure', 'breaker tripped']);
  });
});
