import type { SessionRow } from '../sessions';
import { startTestApp, VERSION_SCRIPTS, type TestApp, type VersionScript } from '../testing';

/**
 * The same end-to-end session cases for both adapters: staff, drivers and billing must see no
 * difference between a 1.6 and a 2.0.1 charger (CONTRACT "OCPP endpoint": one site serves both subprotocols).
 */
describe.each(VERSION_SCRIPTS.map((script) => [script.version, script] as const))('charging sessions over OCPP %s', (_version, script: VersionScript) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await t.api('PATCH', '/settings', { timeZone: 'UTC', currency: 'INR' });
    // 20.00 INR per kWh: 1 Wh costs 2 paise.
    expect((await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 2000, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    for (const uid of ['TAG1', 'TAG2', 'TAG3', 'TAG4', 'TAG6']) await card(uid, 'personal');
  });
  afterEach(async () => {
    await t.close();
  });

  const connect = (id: string) => t.acceptedCharger(id, { protocols: script.protocols });

  async function card(uid: string, kind: 'personal' | 'prepaid', topUpMinor = 0): Promise<void> {
    expect((await t.api('POST', '/cards', { uid, kind })).status).toBe(201);
    if (topUpMinor > 0) expect((await t.api('POST', `/cards/${uid}/topups`, { amount: topUpMinor, method: 'cash' })).status).toBe(201);
  }

  async function ledgerCodes(): Promise<[string, number][]> {
    const ledger = await t.api('GET', '/ledger');
    return ledger.body.items.map((entry: { code: string; amount: { amount: number } }) => [entry.code, entry.amount.amount]);
  }

  test('a session started, metered and stopped is stored with the charger timestamps and energy', async () => {
    const charger = await connect('CP-1');
    expect(charger.protocol).toBe(script.protocols[0]);
    const started = await script.start(charger, { connectorId: 1, idTag: 'TAG1', meterStartWh: 1000, timestamp: '2026-11-28T10:00:00.000Z' });
    expect(started.status).toBe('Accepted');
    await script.meter(charger, { connectorId: 1, transactionId: started.transactionId }, 2500, '2026-11-28T10:30:00.000Z');
    await script.stop(charger, { connectorId: 1, transactionId: started.transactionId }, {
      meterStopWh: 4000,
      timestamp: '2026-11-28T11:00:00.000Z',
      idTag: 'TAG1',
      reason: 'EVDisconnected',
    });
    const sessions = await t.api('GET', '/sessions?chargerId=CP-1');
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0]).toMatchObject({
      chargerId: 'CP-1',
      connectorId: 1,
      status: 'completed',
      startedAt: '2026-11-28T10:00:00.000Z',
      stoppedAt: '2026-11-28T11:00:00.000Z',
      meterStartWh: 1000,
      meterStopWh: 4000,
      energyWh: 3000,
      stopReason: 'EVDisconnected',
    });
    expect(String(sessions.body.items[0].transactionId)).toBe(started.transactionId);
  });

  test('a prepaid session is billed once at its end with the same tariff and ledger, also when the stop is repeated', async () => {
    const completed: SessionRow[] = [];
    t.app.services.sessions.onChange((change) => {
      if (change.kind === 'completed') completed.push(change.session);
    });
    await card('PRE2', 'prepaid', 10000);
    const charger = await connect('CP-2');
    const started = await script.start(charger, { connectorId: 1, idTag: 'PRE2', meterStartWh: 5000, timestamp: '2026-03-01T10:00:00.000Z' });
    expect(started.status).toBe('Accepted');
    await script.meter(charger, { connectorId: 1, transactionId: started.transactionId }, 6000, '2026-03-01T10:30:00.000Z');
    const stopped = await script.stop(charger, { connectorId: 1, transactionId: started.transactionId }, { meterStopWh: 7001, timestamp: '2026-03-01T11:00:00.000Z' });
    const again = await stopped.repeat();
    expect(again).toEqual(stopped.reply);
    expect(completed).toHaveLength(1);
    const sessions = await t.api('GET', '/sessions?cardUid=PRE2');
    // 2001 Wh at 20.00/kWh = 40.02
    expect(sessions.body.items).toEqual([expect.objectContaining({ energyWh: 2001, cost: { amount: 4002, currency: 'INR' } })]);
    expect((await t.api('GET', '/cards/PRE2')).body.balance).toEqual({ amount: 10000 - 4002, currency: 'INR' });
    expect(await ledgerCodes()).toEqual([
      ['topup', 10000],
      ['topup', -10000],
      ['session_charge', 4002],
      ['session_charge', -4002],
    ]);
    // 2.0.1 tells the station the final cost in the Ended answer (1.6 has no field for it).
    if (script.version === '2.0.1') expect(stopped.reply.totalCost).toBe(40.02);
  });

  test('the running cost reaching the balance stops the session remotely; the overrun is a debt that blocks the card', async () => {
    await card('PRE3', 'prepaid', 1000);
    const charger = await connect('CP-10');
    const started = await script.start(charger, { connectorId: 1, idTag: 'PRE3', meterStartWh: 0, timestamp: '2026-03-01T10:00:00.000Z' });
    const session = { connectorId: 1, transactionId: started.transactionId };
    await script.meter(charger, session, 400, '2026-03-01T10:05:00.000Z');
    const stopCall = charger.waitForCall(script.remoteStopAction, 5000);
    await script.meter(charger, session, 520, '2026-03-01T10:06:00.000Z');
    expect(String((await stopCall).payload.transactionId)).toBe(started.transactionId);
    await script.stop(charger, session, { meterStopWh: 600, reason: 'Remote', timestamp: '2026-03-01T10:07:00.000Z' });
    expect((await t.api('GET', '/cards/PRE3')).body.balance.amount).toBe(-200);
    const reply = await charger.authorize('PRE3');
    expect(reply.idTagInfo?.status ?? reply.idTokenInfo?.status).toBe(script.noCreditStatus);
    expect((await t.api('GET', '/ledger/check')).body).toMatchObject({ ok: true, totalMinor: 0 });
  });

  test('a repeated start gets the same transaction and creates no second session', async () => {
    const started: SessionRow[] = [];
    t.app.services.sessions.onChange((change) => {
      if (change.kind === 'started') started.push(change.session);
    });
    const charger = await connect('CP-3');
    const first = await script.start(charger, { connectorId: 1, idTag: 'TAG3', meterStartWh: 500, timestamp: '2026-11-28T10:00:00.000Z' });
    const again = await first.repeat();
    expect(again).toEqual({ transactionId: first.transactionId, status: 'Accepted' });
    const sessions = await t.api('GET', '/sessions?chargerId=CP-3');
    expect(sessions.body.items).toHaveLength(1);
    expect(started).toHaveLength(1);
  });

  test('a tag with an active session is refused a second one (ConcurrentTx)', async () => {
    const charger = await connect('CP-4');
    await script.start(charger, { connectorId: 1, idTag: 'TAG4', meterStartWh: 0 });
    const second = await script.start(charger, { connectorId: 2, idTag: 'TAG4', meterStartWh: 0 });
    expect(second.status).toBe('ConcurrentTx');
  });

  test('a prepaid card without balance is refused in the version’s own words (1.6 Blocked, 2.0.1 NoCredit)', async () => {
    await card('POOR', 'prepaid');
    const charger = await connect('CP-5');
    const reply = await charger.authorize('POOR');
    expect(reply.idTagInfo?.status ?? reply.idTokenInfo?.status).toBe(script.noCreditStatus);
    const started = await script.start(charger, { connectorId: 1, idTag: 'POOR', meterStartWh: 0 });
    expect(started.status).toBe(script.noCreditStatus);
  });

  test('a remote stop sends the version’s stop call for the session and the charger’s stop completes it', async () => {
    const charger = await connect('CP-6');
    const started = await script.start(charger, { connectorId: 1, idTag: 'TAG6', meterStartWh: 100 });
    const session = t.app.services.sessions.byTransaction('CP-6', started.transactionId)!;
    let chargerStop: Promise<unknown> | undefined;
    charger.handle(script.remoteStopAction, (call) => {
      const transactionId = String(call.payload.transactionId);
      // The charger answers first, then ends the transaction (F03).
      chargerStop = new Promise((resolve) => setImmediate(resolve)).then(() => script.stop(charger, { connectorId: 1, transactionId }, { meterStopWh: 900, reason: 'Remote' }));
      return { status: 'Accepted' };
    });
    const result = await t.app.services.commands.remoteStop(session, 5000);
    expect(result.accepted).toBe(true);
    const call = await charger.waitForCall(script.remoteStopAction);
    expect(String(call.payload.transactionId)).toBe(started.transactionId);
    await waitFor(() => chargerStop !== undefined);
    await chargerStop;
    expect(t.app.services.sessions.get(session.id)).toMatchObject({ energyWh: 800, stopReason: 'Remote' });
  });

  test('a remote start sends the version’s start call with the driver’s idTag', async () => {
    const charger = await connect('CP-7');
    const result = await t.app.services.commands.remoteStart('CP-7', 2, 'DRIVER-7', 5000);
    expect(result.accepted).toBe(true);
    const call = await charger.waitForCall(script.version === '1.6' ? 'RemoteStartTransaction' : 'RequestStartTransaction');
    if (script.version === '1.6') expect(call.payload).toEqual({ connectorId: 2, idTag: 'DRIVER-7' });
    else expect(call.payload).toMatchObject({ evseId: 2, idToken: { idToken: 'DRIVER-7', type: 'Central' } });
  });

  test('the commands API refuses a payload that breaks the action’s schema in this version', async () => {
    await connect('CP-8');
    const action = script.version === '1.6' ? 'RemoteStopTransaction' : 'RequestStopTransaction';
    const reply = await t.api('POST', `/chargers/CP-8/commands/${action}`, { transactionId: { bad: true } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid_payload');
  });

  test('a charger with a password is refused without it and admitted with it (security profile 1)', async () => {
    const registered = await t.api('POST', '/chargers', { id: 'CP-9', password: 'correct-horse-9' });
    expect(registered.status).toBe(201);
    await expect(t.charger('CP-9', { protocols: script.protocols })).rejects.toMatchObject({ statusCode: 401 });
    await expect(t.charger('CP-9', { protocols: script.protocols, password: 'wrong-password' })).rejects.toMatchObject({ statusCode: 401 });
    const charger = await t.charger('CP-9', { protocols: script.protocols, password: 'correct-horse-9' });
    expect(charger.protocol).toBe(script.protocols[0]);
    expect((await charger.boot()).status).toBe('Accepted');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
