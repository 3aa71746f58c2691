import { startTestApp, TEST_API_TOKEN, type TestApp, testActor } from '../../../testing';

describe('JSON API: auth, errors and bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test('health needs no token and reveals nothing private', async () => {
    const health = await t.api('GET', '/health', undefined, { token: null });
    expect(health.status).toBe(200);
    expect(Object.keys(health.body)).toEqual(expect.arrayContaining(['chargersConnected', 'status', 'version']));
    expect(JSON.stringify(health.body)).not.toMatch(/token|password|dataDir|\/tmp\//i);
    expect(health.body).toMatchObject({ status: 'ok', chargersConnected: 0 });
  });

  test('no token or a wrong token is 401 in the error format', async () => {
    for (const token of [null, 'wrong-token-wrong-token']) {
      const response = await t.api('GET', '/chargers', undefined, { token });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(typeof response.body.error.message).toBe('string');
    }
  });

  test('a created token works with its role; a viewer token cannot write (403)', async () => {
    const viewer = await t.app.services.tokens.create('dashboard', 'viewer', testActor('test'));
    expect((await t.api('GET', '/chargers', undefined, { token: viewer.token })).status).toBe(200);
    const write = await t.api('POST', '/chargers', { id: 'CP-V' }, { token: viewer.token });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
    await t.app.services.tokens.revoke(viewer.id, testActor('test'));
    expect((await t.api('GET', '/chargers', undefined, { token: viewer.token })).status).toBe(401);
  });

  test('a body that is not JSON is 415; malformed JSON is 400; over 1 MiB is 413', async () => {
    const form = await t.api('POST', '/chargers', 'id=CP', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const broken = await t.api('POST', '/chargers', '{"id":', {});
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const huge = await t.api('POST', '/chargers', { id: 'CP-HUGE', name: 'x'.repeat(1024 * 1024 + 10) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  test('bodies are validated: unknown fields and bad ids are 400, never 500', async () => {
    for (const body of [{ id: '' }, { id: 'a/b' }, { id: 'CP', extra: 1 }, { id: 12 }, [], '"text"', 'null']) {
      const response = await t.api('POST', '/chargers', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
  });

  test('an unknown object is 404 and a conflict is 409', async () => {
    expect((await t.api('GET', '/chargers/NOPE')).status).toBe(404);
    expect((await t.api('GET', '/sessions/999999')).status).toBe(404);
    expect((await t.api('GET', '/sessions/abc')).status).toBe(404);
    expect((await t.api('POST', '/chargers', { id: 'CP-TWICE' })).status).toBe(201);
    const again = await t.api('POST', '/chargers', { id: 'CP-TWICE' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('charger_exists');
  });

  test('settings are read and patched with validation; minimumBalance is Money', async () => {
    const settings = await t.api('GET', '/settings');
    expect(settings.body).toMatchObject({ currency: 'INR', unknownChargerPolicy: 'pending', cardReaderFormat: 'hex', minimumBalance: { amount: 0, currency: 'INR' } });
    expect(settings.body.publicBaseUrl).toBe(t.app.uiUrl.replace(/\/$/, ''));
    const patched = await t.api('PATCH', '/settings', { siteName: 'Depot 4', timeZone: 'Asia/Kolkata', minimumBalance: { amount: 500, currency: 'INR' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ siteName: 'Depot 4', timeZone: 'Asia/Kolkata', minimumBalance: { amount: 500, currency: 'INR' } });
    for (const bad of [{ timeZone: 'Mars/Olympus' }, { unknownChargerPolicy: 'maybe' }, { currency: 'XYZW' }, { minimumBalance: -1 }, { minimumBalance: { amount: 5, currency: 'USD' } }]) {
      expect((await t.api('PATCH', '/settings', bad)).status).toBe(400);
    }
  });
});

describe('JSON API: lists and cursors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test('limit outside 1-500 or not a number is 400; an unreadable cursor is 400', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'cursor=%%%', 'cursor=bm9wZQ']) {
      const response = await t.api('GET', `/sessions?${query}`);
      expect(response.status).toBe(400);
    }
  });

  test('an unknown filter value is 400; a filter naming a missing id gives an empty list', async () => {
    expect((await t.api('GET', '/sessions?status=paused')).status).toBe(400);
    expect((await t.api('GET', '/sessions?userId=abc')).status).toBe(400);
    expect((await t.api('GET', '/sessions?from=yesterday')).status).toBe(400);
    expect((await t.api('GET', '/sessions?bogus=1')).status).toBe(400);
    const empty = await t.api('GET', '/sessions?chargerId=NO-SUCH');
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });

  test('walking the cursors returns each session exactly once, newest first, while new ones arrive', async () => {
    const charger = await t.acceptedCharger('CP-PAGE');
    const base = Date.parse('2026-11-01T00:00:00Z');
    for (let i = 0; i < 12; i++) {
      const start = await charger.startTransaction(1, `TAG-${i}`, 0, new Date(base + i * 60_000).toISOString());
      await charger.stopTransaction(start.transactionId, 10, {}, new Date(base + i * 60_000 + 1000).toISOString());
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { body: { items: { id: number; startedAt: string }[]; nextCursor: string | null } } = await t.api(
        'GET',
        `/sessions?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...response.body.items.map((item) => item.id));
      cursor = response.body.nextCursor;
      if (pages === 0) {
        // A session arriving while walking: it is newer than the cursor, so it is not repeated.
        const start = await charger.startTransaction(2, 'TAG-NEW', 0, new Date(base + 100 * 60_000).toISOString());
        await charger.stopTransaction(start.transactionId, 5, {}, new Date(base + 101 * 60_000).toISOString());
      }
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(12);
    expect(seen).toHaveLength(12);
    const all = await t.api('GET', '/sessions?limit=500');
    expect(all.body.items).toHaveLength(13);
    const startedAts = all.body.items.map((item: { startedAt: string }) => item.startedAt);
    expect([...startedAts].sort().reverse()).toEqual(startedAts);
  });

  test('sessions are filtered by charger, status and time', async () => {
    const active = await t.api('GET', '/sessions?status=active&chargerId=CP-PAGE');
    expect(active.body.items).toHaveLength(0);
    const window = await t.api('GET', '/sessions?from=2026-11-01T00:05:00Z&to=2026-11-01T00:07:00Z');
    expect(window.body.items).toHaveLength(2);
  });
});

describe('JSON API: commands to chargers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test("a command is sent as the OCPP CALL and answered with the charger's reply", async () => {
    const charger = await t.acceptedCharger('CP-CMD');
    charger.handle('ChangeConfiguration', (call) => ({ status: call.payload.key === 'HeartbeatInterval' ? 'Accepted' : 'NotSupported' }));
    const response = await t.api('POST', '/chargers/CP-CMD/commands/ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ response: { status: 'Accepted' } });
    expect(charger.received.at(-1)).toMatchObject({ action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '60' } });
  });

  test('a payload failing the action schema is 400 invalid_payload and nothing is sent', async () => {
    const charger = await t.acceptedCharger('CP-CMD2');
    const before = charger.received.length;
    const response = await t.api('POST', '/chargers/CP-CMD2/commands/Reset', { type: 'Sideways' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_payload');
    expect(charger.received.length).toBe(before);
    expect((await t.api('POST', '/chargers/CP-CMD2/commands/BootNotification', {})).body.error.code).toBe('unknown_action');
  });

  test('a charger that is not connected is 409 charger_offline; an unknown one 404', async () => {
    await t.api('POST', '/chargers', { id: 'CP-AWAY' });
    const response = await t.api('POST', '/chargers/CP-AWAY/commands/Reset', { type: 'Soft' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('charger_offline');
    expect((await t.api('POST', '/chargers/CP-NONE/commands/Reset', { type: 'Soft' })).status).toBe(404);
  });

  test('a charger that does not answer within timeoutS is 504 charger_timeout, answered within 2 s after', async () => {
    const charger = await t.acceptedCharger('CP-SLOW');
    charger.handle('Reset', () => 'no-answer');
    const startedMs = Date.now();
    const response = await t.api('POST', '/chargers/CP-SLOW/commands/Reset?timeoutS=1', { type: 'Hard' });
    const elapsedMs = Date.now() - startedMs;
    expect(response.status).toBe(504);
    expect(response.body.error.code).toBe('charger_timeout');
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(3000);
    expect((await t.api('POST', '/chargers/CP-SLOW/commands/Reset?timeoutS=0', { type: 'Hard' })).status).toBe(400);
    expect((await t.api('POST', '/chargers/CP-SLOW/commands/Reset?timeoutS=121', { type: 'Hard' })).status).toBe(400);
  });

  test('time queued behind another command counts toward the timeout', async () => {
    const charger = await t.acceptedCharger('CP-QUEUE');
    charger.handle('GetConfiguration', () => new Promise((resolve) => setTimeout(() => resolve({ configurationKey: [] }), 1500)));
    const first = t.api('POST', '/chargers/CP-QUEUE/commands/GetConfiguration', {});
    const second = t.api('POST', '/chargers/CP-QUEUE/commands/ClearCache?timeoutS=1', {});
    expect((await second).status).toBe(504);
    expect((await first).status).toBe(200);
  });

  test('at most one CALL is outstanding per charger', async () => {
    const charger = await t.acceptedCharger('CP-ONE');
    let outstanding = 0;
    let maxOutstanding = 0;
    charger.handle('ClearCache', async () => {
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      await new Promise((resolve) => setTimeout(resolve, 50));
      outstanding--;
      return { status: 'Accepted' };
    });
    const replies = await Promise.all(Array.from({ length: 5 }, () => t.api('POST', '/chargers/CP-ONE/commands/ClearCache', {})));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(maxOutstanding).toBe(1);
  });

  test("a charger's CALLERROR is surfaced to the caller", async () => {
    const charger = await t.acceptedCharger('CP-ERRS');
    charger.ws.removeAllListeners('message');
    charger.ws.on('message', (data) => {
      const [type, id] = JSON.parse(data.toString()) as [number, string];
      if (type === 2) charger.ws.send(JSON.stringify([4, id, 'NotSupported', 'no reset here', {}]));
    });
    const response = await t.api('POST', '/chargers/CP-ERRS/commands/Reset', { type: 'Soft' });
    expect(response.status).toBe(502);
    expect(response.body.error).toMatchObject({ code: 'charger_error', details: { errorCode: 'NotSupported' } });
  });

  test('the message log shows both directions through the API', async () => {
    const charger = await t.acceptedCharger('CP-LOG');
    await charger.heartbeat();
    await charger.status(1, 'Available');
    await t.app.services.messageLog.flush();
    const log = await t.api('GET', '/chargers/CP-LOG/messages?limit=10');
    expect(log.status).toBe(200);
    const actions = log.body.items.map((item: { direction: string; action: string | null }) => `${item.direction}:${item.action}`);
    expect(actions).toContain('in:StatusNotification');
    expect(actions).toContain('out:StatusNotification');
    expect(actions).toContain('in:BootNotification');
    // Heartbeats are recorded as lastSeenAt, not as log rows.
    expect(actions).not.toContain('in:Heartbeat');
  });

  test('connector status is live; after a lost connection the charger is offline and its status stale', async () => {
    const charger = await t.acceptedCharger('CP-STAT');
    await charger.status(1, 'Charging');
    let view = (await t.api('GET', '/chargers/CP-STAT')).body;
    expect(view.connectors).toEqual([expect.objectContaining({ connectorId: 1, status: 'Charging', errorCode: 'NoError', stale: false })]);
    await charger.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    view = (await t.api('GET', '/chargers/CP-STAT')).body;
    expect(view.connected).toBe(false);
    expect(view.connectors[0].stale).toBe(true);
  });

  test('a charger can be renamed, given a password and deleted', async () => {
    await t.api('POST', '/chargers', { id: 'CP-EDIT', name: 'Bay 1' });
    const patched = await t.api('PATCH', '/chargers/CP-EDIT', { name: 'Bay 2', password: 'long-enough-pw' });
    expect(patched.body).toMatchObject({ name: 'Bay 2', passwordSet: true });
    expect((await t.api('DELETE', '/chargers/CP-EDIT')).status).toBe(204);
    expect((await t.api('GET', '/chargers/CP-EDIT')).status).toBe(404);
    expect(TEST_API_TOKEN.length).toBeGreaterThan(16);
  });
});
