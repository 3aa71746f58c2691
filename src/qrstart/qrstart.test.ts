import type { DriverRow } from '../drivers';
import { startTestApp, V16_SCRIPT, V201_SCRIPT, type SimulatedCharger, type TestApp, type VersionScript } from '../testing';
import type { QrStartRow, QrStartStatus } from './service';

/**
 * QR start against the real appliance and simulated chargers (CONTRACT "Web pages"): the hold comes first, the
 * remote start after it, and every way a start can fail releases the hold. The ledger is proven
 * balanced after each case.
 */
/** For the tests that wait for a start to expire. */
const SHORT_TIMEOUTS = { commandTimeoutMs: 600, plugInTimeoutMs: 800 };
/** For the others: windows that outlast a slow step on a busy machine, so none expires by accident. */
const RELAXED_TIMEOUTS = { commandTimeoutMs: 10_000, plugInTimeoutMs: 30_000 };
/** Restarting takes seconds on a busy machine; the plug-in window must outlast it. */
const RESTART_TIMEOUTS = { commandTimeoutMs: 10_000, plugInTimeoutMs: 15_000 };
/** 20.00 per kWh, nothing else: a session's cost is easy to read off its energy. */
const TARIFF = { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 };

let app: TestApp;
afterEach(async () => {
  if (!app) return;
  expect(app.app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
  await app.close();
});

async function site(
  script: VersionScript = V16_SCRIPT,
  chargerId = 'QR1',
  withTariff = true,
  timeouts = RELAXED_TIMEOUTS,
): Promise<{ charger: SimulatedCharger; driver: DriverRow }> {
  app = await startTestApp({ app: { qrStart: timeouts } });
  if (withTariff) expect((await app.api('PUT', '/tariffs/default', TARIFF)).status).toBe(200);
  const charger = await app.acceptedCharger(chargerId, { protocols: script.protocols });
  if (script.version === '2.0.1') await charger.statusNotification201(1, 'Available');
  else await charger.status(1, 'Available');
  const created = await app.api('POST', '/users', { name: 'Asha', phone: '+919800000001', pin: '2468' });
  expect(created.status).toBe(201);
  expect((await app.api('POST', `/users/${created.body.id}/topups`, { amount: 50000, method: 'cash' })).status).toBe(201);
  return { charger, driver: app.app.services.drivers.requireUser(created.body.id) };
}

async function balances(userId: number): Promise<{ balance: number; available: number }> {
  const user = await app.api('GET', `/users/${userId}`);
  return { balance: user.body.balance.amount, available: user.body.available.amount };
}

async function waitForStatus(id: number, status: QrStartStatus, timeoutMs = 5000): Promise<QrStartRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = app.app.services.qrStart.get(id)!;
    if (row.status === status) return row;
    if (Date.now() > deadline) throw new Error(`QR start ${id} is ${row.status}, expected ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function start(driver: DriverRow, amountMinor: number, formKey = `k-${Math.random()}`, chargerId = 'QR1') {
  return app.app.services.qrStart.start({ formKey, user: driver, chargerId, connectorId: 1, amountMinor });
}

describe('QR start', () => {
  test.each([V16_SCRIPT, V201_SCRIPT])('accepted by a $version charger: hold first, then the remote start with a random one-start idTag; billed from the hold, rest released', async (script) => {
    const { charger, driver } = await site(script);
    const startAction = script.version === '2.0.1' ? 'RequestStartTransaction' : 'RemoteStartTransaction';
    let availableWhenCommandArrived: number | undefined;
    charger.handle(startAction, async () => {
      // Nothing reaches the charger before the hold is committed.
      availableWhenCommandArrived = (await balances(driver.id)).available;
      return { status: 'Accepted' };
    });
    const qr = await start(driver, 20000);
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 30000 });
    const call = await charger.waitForCall(startAction);
    const idTag = script.version === '2.0.1' ? call.payload.idToken.idToken : call.payload.idTag;
    expect(idTag).toMatch(/^#Q[0-9A-Z]{18}$/);
    await waitForStatus(qr.id, 'accepted');
    expect(availableWhenCommandArrived).toBe(30000);

    const session = await script.start(charger, { connectorId: 1, idTag, meterStartWh: 1000 });
    const charging = await waitForStatus(qr.id, 'charging');
    const row = app.app.services.sessions.get(charging.sessionId!)!;
    expect(row.userId).toBe(driver.id);
    await script.meter(charger, { connectorId: 1, transactionId: session.transactionId }, 3000);
    await script.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 4000 });
    await waitForStatus(qr.id, 'completed');
    // 3 kWh at 20.00 = 60.00 posted from the hold; the other 140.00 goes back.
    expect(await balances(driver.id)).toEqual({ balance: 44000, available: 44000 });
    const view = app.app.services.qrStart.view(app.app.services.qrStart.get(qr.id)!);
    expect(view.receipt).toMatchObject({ costMinor: 6000, chargedFromHoldMinor: 6000, releasedMinor: 14000 });
  });

  test('refused by the charger: the hold is released at once', async () => {
    const { charger, driver } = await site();
    charger.handle('RemoteStartTransaction', () => ({ status: 'Rejected' }));
    const qr = await start(driver, 10000);
    const ended = await waitForStatus(qr.id, 'refused', 1000);
    expect(ended.reason).toBe('Rejected');
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });

  test('no answer within the command timeout: the hold is released', async () => {
    const { charger, driver } = await site(V16_SCRIPT, 'QR1', true, SHORT_TIMEOUTS);
    charger.handle('RemoteStartTransaction', () => 'no-answer');
    const qr = await start(driver, 10000);
    expect((await balances(driver.id)).available).toBe(40000);
    await waitForStatus(qr.id, 'no_answer', 5000);
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });

  test('accepted but no StartTransaction in time (cable not plugged in): the hold is released', async () => {
    const { driver } = await site(V16_SCRIPT, 'QR1', true, SHORT_TIMEOUTS);
    const qr = await start(driver, 10000);
    await waitForStatus(qr.id, 'accepted');
    expect((await balances(driver.id)).available).toBe(40000);
    await waitForStatus(qr.id, 'not_plugged_in', 5000);
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });

  test('a restart while waiting for the plug-in still releases the hold when the time is up', async () => {
    const { driver } = await site(V16_SCRIPT, 'QR1', true, RESTART_TIMEOUTS);
    const qr = await start(driver, 10000);
    await waitForStatus(qr.id, 'accepted');
    app = await app.restart();
    expect((await balances(driver.id)).available).toBe(40000);
    await waitForStatus(qr.id, 'not_plugged_in', 60_000);
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });

  test('the driver stops a running session: RemoteStopTransaction for its transaction', async () => {
    const { charger, driver } = await site();
    const qr = await start(driver, 10000);
    const { idTag } = (await charger.waitForCall('RemoteStartTransaction')).payload;
    await waitForStatus(qr.id, 'accepted');
    const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag, meterStartWh: 0 });
    await waitForStatus(qr.id, 'charging');
    expect(await app.app.services.qrStart.stop(qr.id, driver.id)).toBe(true);
    const stopCall = await charger.waitForCall('RemoteStopTransaction');
    expect(String(stopCall.payload.transactionId)).toBe(session.transactionId);
    await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 500, reason: 'Remote' });
    await waitForStatus(qr.id, 'completed');
    expect(await balances(driver.id)).toEqual({ balance: 49000, available: 49000 });
  });

  test('running cost reaching the held amount stops the session remotely; only the cost is posted', async () => {
    const { charger, driver } = await site();
    const qr = await start(driver, 5000);
    const { idTag } = (await charger.waitForCall('RemoteStartTransaction')).payload;
    await waitForStatus(qr.id, 'accepted');
    const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag, meterStartWh: 0 });
    await waitForStatus(qr.id, 'charging');
    // 2.5 kWh at 20.00 = 50.00: the whole hold.
    await V16_SCRIPT.meter(charger, { connectorId: 1, transactionId: session.transactionId }, 2500);
    await charger.waitForCall('RemoteStopTransaction');
    await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 2500, reason: 'Remote' });
    await waitForStatus(qr.id, 'completed');
    expect(await balances(driver.id)).toEqual({ balance: 45000, available: 45000 });
  });

  test('a made-up driver tag (#U and the driver id) is Invalid everywhere and bills nobody', async () => {
    const { charger, driver } = await site();
    expect((await charger.authorize(`#U${driver.id}`)).idTagInfo.status).toBe('Invalid');
    const started = await charger.startTransaction(1, `#U${driver.id}`, 0);
    expect(started.idTagInfo.status).toBe('Invalid');
    await charger.stopTransaction(started.transactionId, 50000);
    const session = app.app.services.sessions.get(started.transactionId)!;
    expect(session).toMatchObject({ userId: null, status: 'completed' });
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });

  test('a QR start idTag is good only at its charger and connector, only while its hold is open, and only once', async () => {
    const { charger, driver } = await site();
    const other = await app.acceptedCharger('QR2');
    await other.status(1, 'Available');
    const qr = await start(driver, 10000);
    const { idTag } = (await charger.waitForCall('RemoteStartTransaction')).payload as { idTag: string };
    await waitForStatus(qr.id, 'accepted');
    // Another charger, sent at the same moment as the right one: Invalid there, and nobody pays for it.
    const [elsewhere, authorizedElsewhere, otherConnector] = await Promise.all([
      other.startTransaction(1, idTag, 0),
      other.authorize(idTag.toLowerCase()),
      charger.startTransaction(2, idTag, 0),
    ]);
    expect([elsewhere.idTagInfo.status, authorizedElsewhere.idTagInfo.status, otherConnector.idTagInfo.status]).toEqual(['Invalid', 'Invalid', 'Invalid']);
    expect((await charger.authorize(idTag)).idTagInfo.status).toBe('Accepted');
    // Two starts with the tag at once on its own connector: one takes the hold, the other is Invalid.
    const [first, second] = await Promise.all([charger.startTransaction(1, idTag, 0), charger.startTransaction(1, idTag, 0, new Date(Date.now() + 1000).toISOString())]);
    expect([first.idTagInfo.status, second.idTagInfo.status].sort()).toEqual(['Accepted', 'Invalid']);
    const taken = first.idTagInfo.status === 'Accepted' ? first : second;
    const refused = taken === first ? second : first;
    await waitForStatus(qr.id, 'charging');
    expect((await charger.authorize(idTag)).idTagInfo.status).toBe('Invalid');
    for (const [who, transactionId] of [[other, elsewhere.transactionId], [charger, otherConnector.transactionId], [charger, refused.transactionId]] as const) {
      await who.stopTransaction(transactionId, 90000);
      expect(app.app.services.sessions.get(transactionId)).toMatchObject({ userId: null, costMinor: expect.any(Number) });
    }
    await charger.stopTransaction(taken.transactionId, 1000);
    await waitForStatus(qr.id, 'completed');
    // Only the real session was billed: 1 kWh at 20.00 from the hold, the rest released.
    expect(await balances(driver.id)).toEqual({ balance: 48000, available: 48000 });
    expect((await charger.authorize(idTag)).idTagInfo.status).toBe('Invalid');
  });

  test('a QR start idTag whose hold was released (refused start) is Invalid', async () => {
    const { charger, driver } = await site();
    charger.handle('RemoteStartTransaction', () => ({ status: 'Rejected' }));
    const qr = await start(driver, 10000);
    const { idTag } = (await charger.waitForCall('RemoteStartTransaction')).payload as { idTag: string };
    await waitForStatus(qr.id, 'refused', 1000);
    expect((await charger.startTransaction(1, idTag, 0)).idTagInfo.status).toBe('Invalid');
  });

  test('pressing Start twice with one form key holds once and sends one remote start', async () => {
    const { charger, driver } = await site();
    const [first, second] = await Promise.all([start(driver, 10000, 'same-key'), start(driver, 10000, 'same-key')]);
    expect(second.id).toBe(first.id);
    await waitForStatus(first.id, 'accepted');
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toHaveLength(1);
    expect((await balances(driver.id)).available).toBe(40000);
  });

  test('two phones on one connector: the second start is refused as occupied and holds nothing', async () => {
    const { charger, driver } = await site();
    const other = await app.api('POST', '/users', { name: 'Ravi', phone: '+919800000002', pin: '1357' });
    await app.api('POST', `/users/${other.body.id}/topups`, { amount: 50000, method: 'cash' });
    const ravi = app.app.services.drivers.requireUser(other.body.id);
    const results = await Promise.allSettled([start(driver, 10000, 'phone-a'), start(ravi, 10000, 'phone-b')]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'connector_occupied' });
    const [a, b] = [await balances(driver.id), await balances(other.body.id)];
    expect(a.available + b.available).toBe(90000);
    await charger.waitForCall('RemoteStartTransaction');
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toHaveLength(1);
  });

  test('refusals before anything is held: no tariff, balance at the minimum, occupied, unavailable, offline, unknown', async () => {
    const { charger, driver } = await site(V16_SCRIPT, 'QR1', false);
    const { qrStart } = app.app.services;
    expect(qrStart.refusalFor('QR1', 1, driver)).toBe('no_tariff');
    await expect(start(driver, 1000)).rejects.toMatchObject({ code: 'no_tariff' });
    await app.api('PUT', '/tariffs/default', TARIFF);
    await app.api('PATCH', '/settings', { minimumBalance: 50000 });
    expect(qrStart.refusalFor('QR1', 1, driver)).toBe('balance_below_minimum');
    await app.api('PATCH', '/settings', { minimumBalance: 0 });
    await charger.status(1, 'Charging');
    expect(qrStart.refusalFor('QR1', 1, driver)).toBe('connector_occupied');
    await charger.status(1, 'Faulted', 'GroundFailure');
    expect(qrStart.refusalFor('QR1', 1, driver)).toBe('connector_unavailable');
    await charger.status(1, 'Available');
    expect(qrStart.refusalFor('QR1', 1, driver)).toBeUndefined();
    await charger.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(qrStart.refusalFor('QR1', 1, driver)).toBe('charger_offline');
    expect(() => qrStart.refusalFor('QR1', 2, driver)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => qrStart.refusalFor('NOPE', 1, driver)).toThrow(expect.objectContaining({ code: 'not_found' }));
    await expect(start(driver, 1000)).rejects.toMatchObject({ code: 'charger_offline' });
    expect(await balances(driver.id)).toEqual({ balance: 50000, available: 50000 });
  });
});
