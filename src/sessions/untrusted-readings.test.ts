import { minutesAgo, prepaidSite, startTestApp, type SimulatedCharger, type TestApp } from '../testing';

/**
 * CONTRACT "OCPP endpoint": timestamps and energy readings that cannot be true are kept and
 * flagged, never billed; the session still ends on its StopTransaction.
 */
describe('faulty charger clocks and meters', () => {
  let t: TestApp;
  let charger: SimulatedCharger;

  beforeEach(async () => {
    t = await startTestApp();
    // 100 per kWh and 600 per hour: a session billed for decades of time would be obvious.
    charger = await prepaidSite(t, 'CP-F');
  });
  afterEach(async () => {
    await t.close();
  });

  async function session(transactionId: number) {
    const response = await t.api('GET', `/sessions/${transactionId}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  test('a start stamped 1970 starts at the arrival time, keeps the charger time, is flagged and bills no 57 years', async () => {
    const before = Date.now();
    const start = await charger.startTransaction(1, 'PRE1', 0, '1970-01-01T00:00:00.000Z');
    expect(start.idTagInfo.status).toBe('Accepted');
    await charger.stopTransaction(start.transactionId, 1000, {}, new Date(before + 60_000).toISOString());
    const body = await session(start.transactionId);
    expect(Date.parse(body.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.chargerStartedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(body.flags).toContain('start_time_untrusted');
    // 1 kWh = 100, and about a minute at 600/h = 10: nowhere near 57 years of time price.
    expect(body.cost.amount).toBeGreaterThanOrEqual(100);
    expect(body.cost.amount).toBeLessThanOrEqual(112);
  });

  test('a time more than 5 minutes after the message arrived is not trusted: the arrival time stands in', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 0, minutesAgo(10));
    const future = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const before = Date.now();
    await charger.stopTransaction(start.transactionId, 500, {}, future);
    const body = await session(start.transactionId);
    expect(body.chargerStoppedAt).toBe(future);
    expect(Date.parse(body.stoppedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(body.stoppedAt)).toBeLessThan(before + 60_000);
    expect(body.flags).toEqual(['stop_time_untrusted']);
  });

  test('a stop earlier than its start bills no time and is flagged', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 0, minutesAgo(60));
    await charger.stopTransaction(start.transactionId, 2000, {}, minutesAgo(120));
    const body = await session(start.transactionId);
    expect(body.flags).toContain('stop_before_start');
    expect(body.costBreakdown).toMatchObject({ time: '0', durationS: 0 });
    expect(body.cost.amount).toBe(200);
  });

  test('a StopTransaction with meterStop 1e300 ends the session billed up to its last trusted reading, and the card is free again', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 1000, minutesAgo(30));
    await charger.meterValues(1, start.transactionId, 3000, minutesAgo(15));
    // The schema lets 1e300 through as an integer; it must end the session, not fail it forever.
    const sent = await charger.sendRaw(
      JSON.stringify([2, 'stop-1e300', 'StopTransaction', { transactionId: start.transactionId, meterStop: 1e300, timestamp: minutesAgo(0) }]),
      'stop-1e300',
    );
    expect(sent[0]).toBe(3);
    const body = await session(start.transactionId);
    expect(body).toMatchObject({ status: 'completed', energyWh: 2000, meterStopWh: null });
    expect(body.flags).toContain('meter_stop_untrusted');
    expect(body.meterValues.at(-1)).toMatchObject({ energyRegisterWh: null, rollback: true });
    // 2 kWh and 30 minutes: 200 + 300, from the card's balance.
    expect(body.cost.amount).toBe(500);
    expect((await t.api('GET', '/cards/PRE1')).body.balance.amount).toBe(100_000 - 500);
    const again = await charger.startTransaction(2, 'PRE1', 0);
    expect(again.idTagInfo.status).toBe('Accepted');
  });

  test('readings that go backwards or jump beyond 1 MW are kept and flagged, never billed', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 1000, minutesAgo(40));
    await charger.meterValues(1, start.transactionId, 2000, minutesAgo(30));
    // 10 MWh in ten minutes: more than 1 MW could deliver in eleven.
    await charger.meterValues(1, start.transactionId, 10_002_000, minutesAgo(20));
    await charger.meterValues(1, start.transactionId, 1500, minutesAgo(10));
    const running = await session(start.transactionId);
    expect(running.flags).toContain('meter_reading_untrusted');
    expect(running.energyWh).toBe(1000);
    expect(running.meterValues.map((value: { rollback: boolean }) => value.rollback)).toEqual([false, true, true]);
    // The stop follows the jumped meter: untrusted too, so the bill stops at the last trusted 2000 Wh.
    await charger.stopTransaction(start.transactionId, 10_002_100, {}, minutesAgo(0));
    const body = await session(start.transactionId);
    expect(body).toMatchObject({ status: 'completed', energyWh: 1000, meterStopWh: 10_002_100 });
    expect(body.flags).toEqual(expect.arrayContaining(['meter_reading_untrusted', 'meter_stop_untrusted']));
    expect(body.costBreakdown.energy).toBe('100');
  });

  test('MeterValues readings that are negative or not a safe integer are kept as sent and flagged, never billed', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 1000, minutesAgo(40));
    await charger.meterValues(1, start.transactionId, 2000, minutesAgo(30));
    await charger.meterValues(1, start.transactionId, -5, minutesAgo(20));
    await charger.meterValues(1, start.transactionId, 1e300, minutesAgo(15));
    const running = await session(start.transactionId);
    expect(running.flags).toEqual(['meter_reading_untrusted']);
    expect(running.meterValues.map((value: { rollback: boolean; energyRegisterWh: number | null }) => [value.rollback, value.energyRegisterWh])).toEqual([
      [false, 2000],
      [true, null],
      [true, null],
    ]);
    expect(running.meterValues.map((value: { sampledValue: { value: string }[] }) => value.sampledValue[0]!.value)).toEqual(['2000', '-5', '1e+300']);
    // The stop follows the last trusted 2000 Wh: the session ends normally, billed 1.5 kWh.
    await charger.stopTransaction(start.transactionId, 2500, {}, minutesAgo(0));
    const body = await session(start.transactionId);
    expect(body).toMatchObject({ status: 'completed', energyWh: 1500, meterStopWh: 2500 });
    expect(body.flags).toEqual(['meter_reading_untrusted']);
    expect(body.costBreakdown.energy).toBe('150');
  });

  test('a session ended without any reading that can be true keeps its record once billed: a late MeterValues does not become its start', async () => {
    const start = await charger.startTransaction(1, 'PRE1', -5, minutesAgo(20));
    const sent = await charger.sendRaw(
      JSON.stringify([2, 'stop-unknown', 'StopTransaction', { transactionId: start.transactionId, meterStop: 1e300, timestamp: minutesAgo(10) }]),
      'stop-unknown',
    );
    expect(sent[0]).toBe(3);
    const billed = await session(start.transactionId);
    expect(billed).toMatchObject({ status: 'completed', meterStartWh: 0, energyWh: 0 });
    expect(billed.flags).toContain('meter_start_unknown');
    // Queued on the charger, delivered after the stop: kept as a meter value, the billed record stays.
    await charger.meterValues(1, start.transactionId, 5000, minutesAgo(5));
    const after = await session(start.transactionId);
    expect(after).toMatchObject({ meterStartWh: 0, energyWh: 0, cost: billed.cost, flags: billed.flags });
    expect(after.meterValues.at(-1)).toMatchObject({ energyRegisterWh: 5000 });
  });

  test('a charger whose clock says 1970 throughout is judged by how far its own clock moved between readings', async () => {
    const start = await charger.startTransaction(1, 'PRE1', 0, '1970-01-01T00:00:00.000Z');
    // 20 kWh in the charger's 30 minutes is 40 kW: believable, whatever the year.
    await charger.meterValues(1, start.transactionId, 20_000, '1970-01-01T00:30:00.000Z');
    await charger.stopTransaction(start.transactionId, 40_000, {}, '1970-01-01T01:00:00.000Z');
    const body = await session(start.transactionId);
    expect(body).toMatchObject({ energyWh: 40_000, chargerStoppedAt: '1970-01-01T01:00:00.000Z' });
    expect(body.flags).toEqual(expect.arrayContaining(['start_time_untrusted', 'stop_time_untrusted']));
    expect(body.flags).not.toContain('meter_reading_untrusted');
    expect(body.costBreakdown.durationS).toBeLessThan(60);
  });
});
