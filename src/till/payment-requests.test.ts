import type { DriverRow } from '../drivers';
import { startTestApp, V16_SCRIPT, type SimulatedCharger, type TestApp, testActor } from '../testing';
import { randomReference, upiPaymentLink, type PaymentRequestRow } from './payment-requests';

/**
 * Walk-in payments against the real appliance, a simulated charger and the JSON API (CONTRACT
 * `/payment-requests`): a driver asks to pay, a cashier confirms, the top-up and the QR start
 * follow once however the confirmation is repeated; expiry, cancel and a confirmation after the
 * driver left. The ledger is proven balanced after each case.
 */
const TARIFF = { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 };
const SHORT_QR_TIMEOUTS = { commandTimeoutMs: 2000, plugInTimeoutMs: 3000 };

let app: TestApp;
afterEach(async () => {
  if (!app) return;
  expect(app.app.services.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
  await app.close();
});

async function site(options: { ttlMs?: number } = {}): Promise<{ charger: SimulatedCharger; driver: DriverRow }> {
  app = await startTestApp({ app: { qrStart: SHORT_QR_TIMEOUTS, ...(options.ttlMs ? { paymentRequestTtlMs: options.ttlMs } : {}) } });
  expect((await app.api('PUT', '/tariffs/default', TARIFF)).status).toBe(200);
  const charger = await app.acceptedCharger('WALK1');
  await charger.status(1, 'Available');
  const created = await app.api('POST', '/users', { name: 'Walk-in Wasim', phone: '+919800000042', pin: '1357' });
  expect(created.status).toBe(201);
  return { charger, driver: app.app.services.drivers.requireUser(created.body.id) };
}

function ask(driver: DriverRow, amountMinor: number, formKey = `pay-form-${Math.random()}`): Promise<PaymentRequestRow> {
  return app.app.services.paymentRequests.create({ formKey, user: driver, chargerId: 'WALK1', connectorId: 1, amountMinor });
}

async function balances(userId: number): Promise<{ balance: number; available: number }> {
  const user = await app.api('GET', `/users/${userId}`);
  return { balance: user.body.balance.amount, available: user.body.available.amount };
}

async function topupsOf(userId: number): Promise<{ amount: { amount: number }; method: string; receiptNo: number }[]> {
  const account = app.app.services.drivers.requireUser(userId).accountId;
  return (await app.api('GET', `/topups?accountId=${account}`)).body.items;
}

describe('payment references', () => {
  test('six characters a person can read out: digits and capitals without 0, O, 1 or I', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const reference = randomReference();
      expect(reference).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
      seen.add(reference);
    }
    // 32^6 references: 2,000 draws repeat one only by a rare accident.
    expect(seen.size).toBeGreaterThan(1995);
  });
});

describe('UPI payment link', () => {
  test('carries the site address, the exact amount in rupees, INR and the reference, escaped', () => {
    const link = upiPaymentLink({ upiId: 'chargeyard@okaxis', payeeName: 'Bay & Co', amountMinor: 20050, currency: 'INR', reference: 'K7M2QX', note: 'Charging K7M2QX' })!;
    expect(link.startsWith('upi://pay?')).toBe(true);
    const parameters = new URL(link).searchParams;
    expect(Object.fromEntries(parameters)).toEqual({ pa: 'chargeyard@okaxis', pn: 'Bay & Co', am: '200.50', cu: 'INR', tr: 'K7M2QX', tn: 'Charging K7M2QX' });
    expect(upiPaymentLink({ upiId: 'a@b', payeeName: 'x', amountMinor: 5, currency: 'INR', reference: 'R', note: 'n' })).toContain('am=0.05');
  });

  test('is not made for a currency UPI does not move', () => {
    expect(upiPaymentLink({ upiId: 'a@bank', payeeName: 'x', amountMinor: 500, currency: 'EUR', reference: 'R', note: 'n' })).toBeUndefined();
  });
});

describe('payment requests', () => {
  test('a new request is open for 15 minutes with a reference, listed with the driver, phone, amount and connector', async () => {
    const { driver } = await site();
    const request = await ask(driver, 20000);
    expect(request.reference).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(15 * 60 * 1000);
    const listed = await app.api('GET', '/payment-requests?status=open');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: request.id,
        reference: request.reference,
        userId: driver.id,
        name: 'Walk-in Wasim',
        phone: '+919800000042',
        amount: { amount: 20000, currency: 'INR' },
        status: 'open',
        chargerId: 'WALK1',
        connectorId: 1,
        createdAt: request.createdAt,
        expiresAt: request.expiresAt,
      }),
    ]);
    // A double tap on "Pay" finds the same request; a driver has one open request at a time.
    expect((await ask(driver, 20000, request.formKey)).id).toBe(request.id);
    expect((await ask(driver, 20000)).id).toBe(request.id);
    await expect(ask(driver, 30000)).rejects.toMatchObject({ code: 'payment_request_open' });
  });

  test('confirming tops up the driver (receipt) and, the driver waiting, holds and sends RemoteStart', async () => {
    const { charger, driver } = await site();
    const request = await ask(driver, 20000);
    const confirmed = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'upi' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', method: 'upi', confirmedBy: expect.stringContaining('env-token'), startRefusal: null });
    expect(confirmed.body.startId).toEqual(expect.any(Number));
    const topups = await topupsOf(driver.id);
    expect(topups).toEqual([expect.objectContaining({ amount: { amount: 20000, currency: 'INR' }, method: 'upi' })]);
    // The whole payment is held for the start: balance 200.00, nothing left to spend elsewhere.
    expect(await balances(driver.id)).toEqual({ balance: 20000, available: 0 });

    const remoteStart = await charger.waitForCall('RemoteStartTransaction');
    const idTag = String(remoteStart.payload.idTag);
    const session = await V16_SCRIPT.start(charger, { connectorId: 1, idTag, meterStartWh: 0 });
    expect(session.status).toBe('Accepted');
    await V16_SCRIPT.stop(charger, { connectorId: 1, transactionId: session.transactionId }, { meterStopWh: 2500 });
    // 2.5 kWh at 20.00: 50.00 charged, 150.00 kept for next time.
    await waitFor(async () => (await balances(driver.id)).balance === 15000);
    expect(await balances(driver.id)).toEqual({ balance: 15000, available: 15000 });
  });

  test('confirming twice, one after the other or by two cashiers at the same moment, tops up once and starts once', async () => {
    const { charger, driver } = await site();
    const request = await ask(driver, 30000);
    const otherCashier = await app.app.services.tokens.create('desk 2', 'cashier', testActor('test'));
    const confirms = await Promise.all(
      Array.from({ length: 8 }, (_, i) => app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' }, i % 2 === 0 ? {} : { token: otherCashier.token })),
    );
    expect(confirms.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(new Set(confirms.map((answer) => answer.body.topupId)).size).toBe(1);
    const again = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' });
    expect(again.body.topupId).toBe(confirms[0]!.body.topupId);
    expect(await topupsOf(driver.id)).toHaveLength(1);
    expect(await balances(driver.id)).toEqual({ balance: 30000, available: 0 });
    await charger.waitForCall('RemoteStartTransaction');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toHaveLength(1);
    // Another method for a confirmed request is a mistake at the desk, not a second payment.
    const otherMethod = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'upi' });
    expect(otherMethod.status).toBe(409);
    expect(otherMethod.body.error.code).toBe('already_confirmed');
  });

  test('an Idempotency-Key replays the first answer and moves no money again', async () => {
    const { driver } = await site();
    const request = await ask(driver, 10000);
    const first = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' }, { headers: { 'Idempotency-Key': 'desk-confirm-1' } });
    const replay = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' }, { headers: { 'Idempotency-Key': 'desk-confirm-1' } });
    expect(replay.status).toBe(first.status);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.topupId).toBe(first.body.topupId);
    const reused = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'upi' }, { headers: { 'Idempotency-Key': 'desk-confirm-1' } });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await topupsOf(driver.id)).toHaveLength(1);
  });

  test('an open request expires after its time; confirmed afterwards, the money stays as balance and nothing starts', async () => {
    const { charger, driver } = await site({ ttlMs: 400 });
    const request = await ask(driver, 15000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Past its time it is expired for everyone at once, before the job writes it.
    expect((await app.api('GET', `/payment-requests/${request.id}`)).body.status).toBe('expired');
    expect((await app.api('GET', '/payment-requests?status=open')).body.items).toEqual([]);
    const run = await app.app.services.jobs.runJob('expire-payment-requests');
    // The job also runs every minute on its own: if a minute turned since the request ran out, that
    // run marked it and this one finds nothing left. Either way it is marked expired exactly once.
    expect(['1 payment request(s) expired', '0 payment request(s) expired']).toContain(run.summary);
    expect((await app.api('GET', '/payment-requests?status=expired')).body.items.map((item: { id: number }) => item.id)).toEqual([request.id]);

    const late = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'upi' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: 'confirmed', startId: null, startRefusal: null });
    expect(await balances(driver.id)).toEqual({ balance: 15000, available: 15000 });
    expect(app.app.services.paymentRequests.keptAsBalance(driver.id, 60_000).map((row) => row.id)).toEqual([request.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toEqual([]);
  });

  test('the driver cancels their request; staff cancel one; a cancelled request confirmed later is a top-up only', async () => {
    const { charger, driver } = await site();
    const mine = await ask(driver, 10000);
    const cancelled = await app.app.services.paymentRequests.cancelByDriver(mine.id, driver.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledBy: 'driver' });
    // Another driver cannot touch it, nor learn it exists.
    await expect(app.app.services.paymentRequests.cancelByDriver(mine.id, driver.id + 1000)).rejects.toMatchObject({ httpStatus: 404 });

    const second = await ask(driver, 12000);
    const byStaff = await app.api('POST', `/payment-requests/${second.id}/cancel`);
    expect(byStaff.status).toBe(200);
    expect(byStaff.body).toMatchObject({ status: 'cancelled', cancelledBy: expect.stringContaining('env-token') });
    expect((await app.api('POST', `/payment-requests/${second.id}/cancel`)).status).toBe(200);

    // The driver had paid by UPI before cancelling: the cashier confirms it all the same.
    const confirmed = await app.api('POST', `/payment-requests/${mine.id}/confirm`, { method: 'upi' });
    expect(confirmed.body).toMatchObject({ status: 'confirmed', startId: null });
    expect(await balances(driver.id)).toEqual({ balance: 10000, available: 10000 });
    const cancelConfirmed = await app.api('POST', `/payment-requests/${mine.id}/cancel`);
    expect(cancelConfirmed.status).toBe(409);
    expect(cancelConfirmed.body.error.code).toBe('payment_request_confirmed');
    expect(charger.received.filter((call) => call.action === 'RemoteStartTransaction')).toEqual([]);
  });

  test('a confirmation whose start the connector refuses meanwhile leaves the money as balance and says why', async () => {
    const { charger, driver } = await site();
    const request = await ask(driver, 10000);
    await charger.status(1, 'Faulted');
    const confirmed = await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' });
    expect(confirmed.body).toMatchObject({ status: 'confirmed', startId: null, startRefusal: 'connector_unavailable' });
    expect(await balances(driver.id)).toEqual({ balance: 10000, available: 10000 });
  });

  test('no request for a connector that cannot start for a reason paying would not change', async () => {
    const { charger, driver } = await site();
    await charger.status(1, 'Charging');
    await expect(ask(driver, 10000)).rejects.toMatchObject({ code: 'connector_occupied' });
    await expect(ask(driver, 0)).rejects.toMatchObject({ code: 'invalid_amount' });
    await expect(ask(driver, 100_000_01)).rejects.toMatchObject({ code: 'amount_too_large' });
  });

  test('the API checks its input and the caller role', async () => {
    const { driver } = await site();
    const request = await ask(driver, 10000);
    expect((await app.api('GET', '/payment-requests?status=paid')).status).toBe(400);
    expect((await app.api('GET', '/payment-requests?limit=0')).status).toBe(400);
    expect((await app.api('GET', '/payment-requests/999')).status).toBe(404);
    expect((await app.api('POST', '/payment-requests/999/confirm', { method: 'cash' })).status).toBe(404);
    expect((await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cheque' })).status).toBe(400);
    expect((await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash', amount: 1 })).status).toBe(400);
    const viewer = await app.app.services.tokens.create('wall screen', 'viewer', testActor('test'));
    expect((await app.api('GET', '/payment-requests', undefined, { token: viewer.token })).status).toBe(200);
    expect((await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' }, { token: viewer.token })).status).toBe(403);
    expect((await app.api('POST', `/payment-requests/${request.id}/cancel`, undefined, { token: viewer.token })).status).toBe(403);
    expect(await topupsOf(driver.id)).toEqual([]);
  });

  test('the daily report shows the day’s top-ups by method, refunds taken off', async () => {
    const { driver } = await site();
    const request = await ask(driver, 20000);
    await app.api('POST', `/payment-requests/${request.id}/confirm`, { method: 'upi' });
    const cash = await app.api('POST', `/users/${driver.id}/topups`, { amount: 5000, method: 'cash' });
    await app.api('POST', `/users/${driver.id}/topups`, { amount: 2500, method: 'cash' });
    await app.api('POST', `/topups/${cash.body.topupId}/refunds`, { amount: 1000, reason: 'counted wrong' });
    const report = await app.api('GET', '/reports/daily');
    expect(report.body.topups).toEqual([
      { method: 'cash', topups: 2, amount: { amount: 7500, currency: 'INR' }, refunded: { amount: 1000, currency: 'INR' }, net: { amount: 6500, currency: 'INR' } },
      { method: 'card', topups: 0, amount: { amount: 0, currency: 'INR' }, refunded: { amount: 0, currency: 'INR' }, net: { amount: 0, currency: 'INR' } },
      { method: 'transfer', topups: 0, amount: { amount: 0, currency: 'INR' }, refunded: { amount: 0, currency: 'INR' }, net: { amount: 0, currency: 'INR' } },
      { method: 'upi', topups: 1, amount: { amount: 20000, currency: 'INR' }, refunded: { amount: 0, currency: 'INR' }, net: { amount: 20000, currency: 'INR' } },
    ]);
  });

  test('the site UPI address is a setting checked as a UPI address', async () => {
    app = await startTestApp();
    expect((await app.api('GET', '/settings')).body.upiId).toBeNull();
    expect((await app.api('PATCH', '/settings', { upiId: 'not an address' })).status).toBe(400);
    expect((await app.api('PATCH', '/settings', { upiId: 'chargeyard.site@okaxis' })).body.upiId).toBe('chargeyard.site@okaxis');
    expect((await app.api('PATCH', '/settings', { upiId: null })).body.upiId).toBeNull();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
