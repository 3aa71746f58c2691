import WebSocket from 'ws';
import { CallErrorReply, SimulatedCharger, startTestApp, type TestApp } from '../testing';

async function expectCallError(promise: Promise<unknown>, code: string): Promise<CallErrorReply> {
  const error = await promise.then(
    () => {
      throw new Error(`expected CALLERROR ${code}`);
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CallErrorReply);
  expect((error as CallErrorReply).errorCode).toBe(code);
  return error as CallErrorReply;
}

/** The HTTP status of one upgrade attempt (101 when it opened); `localAddress` sends from another loopback address. */
function upgradeStatus(url: string, protocols: string[], headers: Record<string, string> = {}, localAddress?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers, ...(localAddress ? { localAddress } : {}) });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response|Server sent no subprotocol/.test(error.message)) reject(error);
    });
  });
}

describe('OCPP-J transport: CALLERRORs for bad frames, connection stays up', () => {
  let t: TestApp;
  let charger: SimulatedCharger;
  beforeAll(async () => {
    t = await startTestApp();
    charger = await t.acceptedCharger('CP-ERR');
  });
  afterAll(async () => {
    await t.close();
  });

  test('text that is not JSON gets FormationViolation with message id -1', async () => {
    const reply = await charger.sendRaw('{not json');
    expect(reply.slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
  });

  test('a CALL without payload gets ProtocolError with its message id echoed', async () => {
    const reply = await charger.sendRaw(JSON.stringify([2, 'm-1', 'Heartbeat']), 'm-1');
    expect(reply.slice(0, 3)).toEqual([4, 'm-1', 'ProtocolError']);
  });

  test('an unknown message type gets ProtocolError (1.6 has no MessageTypeNotSupported)', async () => {
    const reply = await charger.sendRaw(JSON.stringify([7, 'm-2', 'Heartbeat', {}]), 'm-2');
    expect(reply.slice(0, 3)).toEqual([4, 'm-2', 'ProtocolError']);
  });

  test('an action OCPP does not define gets NotImplemented', async () => {
    await expectCallError(charger.call('MakeCoffee', {}), 'NotImplemented');
  });

  test('an action only the CSMS sends gets NotSupported', async () => {
    await expectCallError(charger.call('Reset', { type: 'Soft' }), 'NotSupported');
  });

  test('a missing required field gets OccurenceConstraintViolation (1.6 spelling)', async () => {
    await expectCallError(charger.call('StartTransaction', { connectorId: 1, meterStart: 0, timestamp: new Date().toISOString() }), 'OccurenceConstraintViolation');
  });

  test('a string where an integer belongs gets TypeConstraintViolation, with no coercion', async () => {
    await expectCallError(
      charger.call('StartTransaction', { connectorId: '1', idTag: 'T', meterStart: 0, timestamp: new Date().toISOString() }),
      'TypeConstraintViolation',
    );
  });

  test('a value outside its enumeration gets PropertyConstraintViolation', async () => {
    await expectCallError(charger.call('StatusNotification', { connectorId: 1, status: 'Sleeping', errorCode: 'NoError' }), 'PropertyConstraintViolation');
  });

  test('an idTag longer than 20 characters gets PropertyConstraintViolation', async () => {
    await expectCallError(charger.call('Authorize', { idTag: 'X'.repeat(21) }), 'PropertyConstraintViolation');
  });

  test('an unknown property gets PropertyConstraintViolation', async () => {
    await expectCallError(charger.call('Heartbeat', { extra: true }), 'PropertyConstraintViolation');
  });

  test('after every bad frame the connection is still up and answers', async () => {
    const heartbeat = await charger.heartbeat();
    expect(typeof heartbeat.currentTime).toBe('string');
  });
});

describe('OCPP-J transport: flooding', () => {
  test('CALLs beyond the hard in-flight limit get GenericError; a charger that waits is never refused', async () => {
    const t = await startTestApp({ app: { ocpp: { limits: { maxInboundInFlight: 1, maxInboundHard: 1, maxOutboundQueue: 5 } } } });
    try {
      const flooder = await t.acceptedCharger('CP-FLOOD');
      const polite = await t.acceptedCharger('CP-POLITE');
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => flooder.status(1, i % 2 ? 'Available' : 'Preparing')));
      const refused = results.filter((result) => result.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const result of refused) expect(((result as PromiseRejectedResult).reason as CallErrorReply).errorCode).toBe('GenericError');
      for (let i = 0; i < 50; i++) await polite.status(1, i % 2 ? 'Available' : 'Preparing');
    } finally {
      await t.close();
    }
  });
});

describe('OCPP-J transport: upgrade, identity, subprotocol, replacement, liveness', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ app: { ocpp: { pingIntervalMs: 300 } } });
  });
  afterEach(async () => {
    await t.close();
  });

  test('a request naming no supported subprotocol is refused at the upgrade', async () => {
    expect(await upgradeStatus(`${t.ocppUrl}CP-X`, ['ocpp1.2'])).toBe(400);
    expect(await upgradeStatus(`${t.ocppUrl}CP-X`, [])).toBe(400);
  });

  test('the server picks a supported subprotocol from those offered', async () => {
    const charger = await t.charger('CP-PROTO', { protocols: ['ocpp1.5', 'ocpp1.6'] });
    expect(charger.protocol).toBe('ocpp1.6');
  });

  test('the identity is the last path segment, URL-decoded once, under any prefix', async () => {
    await t.api('POST', '/chargers', { id: 'CP:7 A' });
    const charger = await new SimulatedCharger({ url: `${t.baseUrl.replace('http', 'ws')}/steve/websocket/CentralSystemService/`, id: 'CP:7 A' }).connect();
    expect((await charger.boot()).status).toBe('Accepted');
    expect((await t.api('GET', `/chargers/${encodeURIComponent('CP:7 A')}`)).body.connected).toBe(true);
    await charger.close();
  });

  test('an identity longer than 48 characters is refused', async () => {
    expect(await upgradeStatus(`${t.ocppUrl}${'A'.repeat(49)}`, ['ocpp1.6'])).toBe(400);
  });

  test('a new connection for the same identity replaces the old one, which is closed', async () => {
    const first = await t.acceptedCharger('CP-DUP');
    const second = await t.charger('CP-DUP');
    expect(await first.waitClosed(5000)).toBe(4000);
    expect((await second.heartbeat()).currentTime).toBeDefined();
    expect(t.app.services.ocpp.connectedCount).toBe(1);
  });

  test('a peer that stops answering pings is dropped; one that answers them stays', async () => {
    const charger = await t.acceptedCharger('CP-DEAD');
    const answering = await t.acceptedCharger('CP-LIVE');
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    // Stop reading the socket: the client can no longer answer pings.
    (charger.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(t.app.services.ocpp.isConnected('CP-DEAD')).toBe(false);
    expect((await t.api('GET', '/chargers/CP-DEAD')).body.connected).toBe(false);
    // Several pings (300 ms apart), each answered with the pong that keeps it connected.
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(t.app.services.ocpp.isConnected('CP-LIVE')).toBe(true);
    expect((await answering.heartbeat()).currentTime).toBeDefined();
  });

  test('a frame larger than the limit closes only that connection (1009)', async () => {
    const big = await t.acceptedCharger('CP-BIG');
    const other = await t.acceptedCharger('CP-OTHER');
    big.ws.send(JSON.stringify([2, 'x', 'DataTransfer', { vendorId: 'v', data: 'x'.repeat(300 * 1024) }]));
    expect(await big.waitClosed(5000)).toBe(1009);
    expect((await other.heartbeat()).currentTime).toBeDefined();
  });
});

describe('OCPP security profile 1 and admission policy', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test('a charger with a password must send the right Basic auth, else 401 at the upgrade', async () => {
    await t.api('POST', '/chargers', { id: 'CP-PW', password: 'correct-horse' });
    expect(await upgradeStatus(`${t.ocppUrl}CP-PW`, ['ocpp1.6'])).toBe(401);
    const wrong = `Basic ${Buffer.from('CP-PW:wrong-password').toString('base64')}`;
    expect(await upgradeStatus(`${t.ocppUrl}CP-PW`, ['ocpp1.6'], { Authorization: wrong })).toBe(401);
    const charger = await t.charger('CP-PW', { password: 'correct-horse' });
    expect((await charger.boot()).status).toBe('Accepted');
  });

  test('repeated wrong passwords are throttled with 429 and never disturb the live connection', async () => {
    await t.api('POST', '/chargers', { id: 'CP-LIVE', password: 'correct-horse' });
    const live = await t.charger('CP-LIVE', { password: 'correct-horse' });
    const wrong = `Basic ${Buffer.from('CP-LIVE:nope-nope').toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await upgradeStatus(`${t.ocppUrl}CP-LIVE`, ['ocpp1.6'], { Authorization: wrong }));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await live.heartbeat()).currentTime).toBeDefined();
    expect(t.app.services.ocpp.isConnected('CP-LIVE')).toBe(true);
  });

  const basic = (id: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` });

  test('20 wrong passwords sent at once are counted before hashing: at most 5 are checked, the rest get 429', async () => {
    await t.api('POST', '/chargers', { id: 'CP-FLOOD', password: 'correct-horse' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => upgradeStatus(`${t.ocppUrl}CP-FLOOD`, ['ocpp1.6'], basic('CP-FLOOD', 'a-wrong-guess'))));
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
  });

  test('20 wrong passwords at once from another address never refuse the charger that comes with the right one', async () => {
    await t.api('POST', '/chargers', { id: 'CP-TARGET', password: 'correct-horse' });
    const guesses = Array.from({ length: 20 }, () => upgradeStatus(`${t.ocppUrl}CP-TARGET`, ['ocpp1.6'], basic('CP-TARGET', 'a-wrong-guess'), '127.0.0.2'));
    expect((await Promise.all(guesses)).every((status) => status === 401 || status === 429)).toBe(true);
    expect(await upgradeStatus(`${t.ocppUrl}CP-TARGET`, ['ocpp1.6'], basic('CP-TARGET', 'correct-horse'))).toBe(101);
  });

  test('a charger that proved its password gets back in at once after a flood of wrong guesses from its own address', async () => {
    await t.api('POST', '/chargers', { id: 'CP-KNOWN', password: 'correct-horse' });
    expect(await upgradeStatus(`${t.ocppUrl}CP-KNOWN`, ['ocpp1.6'], basic('CP-KNOWN', 'correct-horse'))).toBe(101);
    const guesses = await Promise.all(Array.from({ length: 20 }, () => upgradeStatus(`${t.ocppUrl}CP-KNOWN`, ['ocpp1.6'], basic('CP-KNOWN', 'a-wrong-guess'))));
    expect(guesses).toContain(429);
    expect(await upgradeStatus(`${t.ocppUrl}CP-KNOWN`, ['ocpp1.6'], basic('CP-KNOWN', 'correct-horse'))).toBe(101);
    // A new password makes the one it proved before worthless at once.
    expect((await t.api('PATCH', '/chargers/CP-KNOWN', { password: 'battery-staple' })).status).toBe(200);
    expect(await upgradeStatus(`${t.ocppUrl}CP-KNOWN`, ['ocpp1.6'], basic('CP-KNOWN', 'correct-horse'), '127.0.0.3')).toBe(401);
  });

  test('a password changed, a rejection or a removal through the API closes the live connection at once', async () => {
    await t.api('POST', '/chargers', { id: 'CP-A', password: 'correct-horse' });
    const a = await t.charger('CP-A', { password: 'correct-horse' });
    const b = await t.acceptedCharger('CP-B');
    const c = await t.acceptedCharger('CP-C');
    expect((await t.api('PATCH', '/chargers/CP-A', { password: 'battery-staple' })).status).toBe(200);
    expect((await t.api('PATCH', '/chargers/CP-B', { registration: 'rejected' })).status).toBe(200);
    expect((await t.api('DELETE', '/chargers/CP-C')).status).toBe(204);
    expect(await Promise.all([a.waitClosed(5000), b.waitClosed(5000), c.waitClosed(5000)])).toEqual([4001, 4001, 4001]);
    for (let tries = 0; t.app.services.ocpp.connectedCount > 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.app.services.ocpp.connectedCount).toBe(0);
    await expect(t.charger('CP-A', { password: 'correct-horse' })).rejects.toMatchObject({ statusCode: 401 });
    expect((await (await t.charger('CP-A', { password: 'battery-staple' })).boot()).status).toBe('Accepted');
  });

  test('unknown chargers are pending by default: BootNotification Pending, transactions refused', async () => {
    const charger = await t.charger('CP-NEW');
    expect((await charger.boot()).status).toBe('Pending');
    expect((await t.api('GET', '/chargers/CP-NEW')).body.registration).toBe('pending');
    await expectCallError(charger.startTransaction(1, 'TAG', 0), 'SecurityError');
    expect((await t.api('PATCH', '/chargers/CP-NEW', { registration: 'accepted' })).status).toBe(200);
    expect((await charger.boot()).status).toBe('Accepted');
  });

  test('policy reject refuses unknown chargers with 404 at the upgrade', async () => {
    await t.api('PATCH', '/settings', { unknownChargerPolicy: 'reject' });
    expect(await upgradeStatus(`${t.ocppUrl}CP-STRANGER`, ['ocpp1.6'])).toBe(404);
    expect((await t.api('GET', '/chargers/CP-STRANGER')).status).toBe(404);
  });

  test('policy accept records unknown chargers as accepted', async () => {
    await t.api('PATCH', '/settings', { unknownChargerPolicy: 'accept' });
    const charger = await t.charger('CP-WELCOME');
    expect((await charger.boot()).status).toBe('Accepted');
    expect((await t.api('GET', '/chargers/CP-WELCOME')).body.registration).toBe('accepted');
  });
});

describe('OCPP-J transport: the CSMS calling a charger', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test('a call the charger never answers times out, the one waiting behind it goes then, and at most 20 wait', async () => {
    const charger = await t.acceptedCharger('CP-SLOW');
    let received = 0;
    charger.handle('GetConfiguration', () => (++received === 1 ? 'no-answer' : { configurationKey: [] }));
    const { ocpp } = t.app.services;
    const unanswered = ocpp.call('CP-SLOW', 'GetConfiguration', {}, 300).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    // OCPP-J: one CALL outstanding per direction; this one waits for the first to end.
    const waiting = ocpp.call('CP-SLOW', 'GetConfiguration', { key: ['HeartbeatInterval'] }, 5000);
    expect(await unanswered).toBe('ChargerTimeoutError');
    expect(await waiting).toEqual({ configurationKey: [] });
    expect(received).toBe(2);

    // The queue is bounded (DEFAULT_LIMITS.maxOutboundQueue): one outstanding, 20 waiting, the next refused.
    charger.handle('GetConfiguration', () => 'no-answer');
    const calls = Array.from({ length: 22 }, () => ocpp.call('CP-SLOW', 'GetConfiguration', {}, 5000).catch((error: Error) => error.name));
    expect(await calls[21]).toBe('QueueFullError');
    await charger.close();
    // The charger went away: every call still waiting fails at once instead of at its deadline.
    expect(new Set(await Promise.all(calls.slice(0, 21)))).toEqual(new Set(['ChargerOfflineError']));
  });
});
