import { minutesAgo, prepaidSite, startTestApp, testActor, WebClient, type TestApp } from '../../../testing';

/**
 * CONTRACT "JSON API": every change made through the API is recorded in the audit log exactly as
 * the same change made in the web UI, in the same database transaction as the change itself; and
 * `GET /audit` lists the entries, newest first, with the list rules.
 */
const PASSWORD = 'correct horse battery';
const SECRET = '6368617267657961726473656372657431323334';

interface AuditItem {
  id: number;
  at: string;
  actor: string;
  action: string;
  object: { type: string; id: string | null };
  details: { before: unknown; after: unknown };
}

let t: TestApp;
/** An admin API token named `robot`: its entries name it as `token:robot`. */
let robot: string;

beforeEach(async () => {
  t = await startTestApp({ app: { qrStart: { commandTimeoutMs: 2000, plugInTimeoutMs: 3000 } } });
  robot = (await t.app.services.tokens.create('robot', 'admin', testActor('setup'))).token;
});
afterEach(async () => {
  await t.close();
});

function api(method: string, apiPath: string, body?: unknown) {
  return t.api(method, apiPath, body, { token: robot });
}

async function audit(query = ''): Promise<AuditItem[]> {
  const response = await api('GET', `/audit?limit=500${query}`);
  expect(response.status).toBe(200);
  return response.body.items as AuditItem[];
}

/** The newest entry with this action (failing the test when there is none). */
async function newest(action: string): Promise<AuditItem> {
  const found = (await audit()).find((item) => item.action === action);
  if (!found) throw new Error(`no audit entry ${action}`);
  return found;
}

async function signedInAdmin(): Promise<WebClient> {
  await t.app.services.staff.users.create({ userName: 'boss', role: 'admin', password: PASSWORD }, testActor('test'));
  const web = new WebClient(t.baseUrl);
  await web.submit('/login', '/login', { userName: 'boss', password: PASSWORD });
  return web;
}

describe('GET /audit', () => {
  test('entries newest first as {id, at, actor, action, object, details}, admin only', async () => {
    expect((await api('POST', '/cards', { uid: 'A1', kind: 'prepaid' })).status).toBe(201);
    const items = await audit();
    expect(items.map((item) => item.action)).toEqual(['card.create', 'token.create']);
    expect(items[0]).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: 'token:robot',
      action: 'card.create',
      object: { type: 'card', id: 'A1' },
      details: { before: null, after: expect.objectContaining({ uid: 'A1', kind: 'prepaid', status: 'active', userId: null }) },
    });
    expect(items[0]!.id).toBeGreaterThan(items[1]!.id);
    // The token's own secret never reaches the log.
    expect(JSON.stringify(items)).not.toContain(robot);

    for (const role of ['cashier', 'viewer'] as const) {
      const token = (await t.app.services.tokens.create(`a ${role}`, role, testActor('setup'))).token;
      const refused = await t.api('GET', '/audit', undefined, { token });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    }
    expect((await t.api('GET', '/audit', undefined, { token: null })).status).toBe(401);
  });

  test('filters by actor and by time; bad filters, limits and cursors are 400', async () => {
    expect((await api('POST', '/cards', { uid: 'B1', kind: 'prepaid' })).status).toBe(201);
    // The same kind of change by another client (CSMS_API_TOKEN).
    expect((await t.api('POST', '/cards', { uid: 'B2', kind: 'prepaid' })).status).toBe(201);
    const byRobot = await audit('&actor=token:robot');
    expect(byRobot.map((item) => item.object.id)).toEqual(['B1']);
    const byEnv = await audit(`&actor=${encodeURIComponent('env-token:CSMS_API_TOKEN')}`);
    expect(byEnv.map((item) => item.object.id)).toEqual(['B2']);
    expect(await audit('&actor=nobody')).toEqual([]);

    const [b2, b1] = await audit();
    expect((await audit(`&from=${encodeURIComponent(b2!.at)}`)).map((item) => item.id)).toContain(b2!.id);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await audit(`&from=${encodeURIComponent(future)}`)).toEqual([]);
    expect(await audit('&to=2020-01-01')).toEqual([]);
    expect((await audit(`&to=${encodeURIComponent(future)}`)).map((item) => item.id)).toEqual(expect.arrayContaining([b1!.id, b2!.id]));

    for (const query of ['limit=0', 'limit=501', 'cursor=not-a-cursor', 'from=yesterday', 'to=2026-13-45', 'object=card', 'actor=a&actor=b']) {
      const response = await api('GET', `/audit?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
    }
  });

  test('walking the cursors returns each entry exactly once while new ones arrive', async () => {
    for (let i = 0; i < 5; i++) expect((await api('POST', '/cards', { uid: `C${i}`, kind: 'personal' })).status).toBe(201);
    const before = (await audit()).map((item) => item.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await api('GET', `/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...(response.body.items as AuditItem[]).map((item) => item.id));
      cursor = response.body.nextCursor;
      // New entries arrive while the client walks (each page read adds one).
      expect((await api('POST', '/cards', { uid: `N${pages}`, kind: 'personal' })).status).toBe(201);
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('API writes are audited with the API token as the actor', () => {
  test('top-up, card and driver patches, settings, load, a charger command, a payment confirmation and a session close', async () => {
    const charger = await prepaidSite(t, 'CP-AUD');
    await charger.status(1, 'Available');

    const driver = await api('POST', '/users', { name: 'Walk-in Wasim', phone: '+919800000042', pin: '1357' });
    expect(driver.status).toBe(201);
    const topup = await api('POST', `/users/${driver.body.id}/topups`, { amount: 2500, method: 'upi', note: 'at the desk' });
    expect(topup.status).toBe(201);
    expect(await newest('topup.create')).toMatchObject({
      actor: 'token:robot',
      object: { type: 'topup', id: String(topup.body.topupId) },
      details: { after: { topupId: topup.body.topupId, receiptNo: topup.body.receiptNo, userId: driver.body.id, amount: { amount: 2500 }, method: 'upi', note: 'at the desk' } },
    });

    expect((await api('PATCH', '/cards/PRE1', { status: 'blocked' })).status).toBe(200);
    expect(await newest('card.status')).toMatchObject({ actor: 'token:robot', object: { type: 'card', id: 'PRE1' }, details: { before: { status: 'active' }, after: { status: 'blocked' } } });

    expect((await api('PATCH', `/users/${driver.body.id}`, { name: 'Wasim Akram', pin: '2468' })).status).toBe(200);
    const driverUpdate = await newest('driver.update');
    expect(driverUpdate).toMatchObject({
      actor: 'token:robot',
      object: { type: 'driver', id: String(driver.body.id) },
      details: { before: { name: 'Walk-in Wasim', hasPin: true }, after: { name: 'Wasim Akram', pinChanged: true } },
    });
    expect(JSON.stringify(driverUpdate)).not.toMatch(/2468|1357|scrypt/);

    expect((await api('PATCH', '/settings', { siteName: 'Depot 2', minimumBalance: { amount: 50, currency: 'INR' } })).status).toBe(200);
    expect(await newest('settings.update')).toMatchObject({ actor: 'token:robot', object: { type: 'settings' }, details: { after: { siteName: 'Depot 2', minimumBalanceMinor: 50 } } });

    expect((await api('PUT', '/load', { limitW: 22000, marginW: 1000 })).status).toBe(200);
    expect(await newest('load.limits')).toMatchObject({ actor: 'token:robot', details: { after: { limitW: 22000, marginW: 1000 } } });

    const reset = await api('POST', '/chargers/CP-AUD/commands/ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' });
    expect(reset.status).toBe(200);
    expect(await newest('charger.command.ChangeConfiguration')).toMatchObject({
      actor: 'token:robot',
      object: { type: 'charger', id: 'CP-AUD' },
      details: { after: { payload: { key: 'HeartbeatInterval', value: '120' }, response: { status: 'Accepted' } } },
    });

    const request = await t.app.services.paymentRequests.create({ formKey: 'pay-1', user: t.app.services.drivers.requireUser(driver.body.id), chargerId: 'CP-AUD', connectorId: 1, amountMinor: 4000 });
    const confirmed = await api('POST', `/payment-requests/${request.id}/confirm`, { method: 'cash' });
    expect(confirmed.status).toBe(200);
    expect(await newest('payment_request.confirm')).toMatchObject({
      actor: 'token:robot',
      object: { type: 'payment_request', id: String(request.id) },
      details: { after: { reference: request.reference, status: 'confirmed', amount: { amount: 4000 } } },
    });

    expect((await api('PATCH', '/cards/PRE1', { status: 'active' })).status).toBe(200);
    const start = await charger.startTransaction(2, 'PRE1', 1000, minutesAgo(30));
    const closed = await api('POST', `/sessions/${start.transactionId}/close`, { reason: 'charger replaced' });
    expect(closed.status).toBe(200);
    expect(await newest('session.close')).toMatchObject({ actor: 'token:robot', object: { type: 'session', id: String(closed.body.id) }, details: { after: { reason: 'charger replaced' } } });
  });

  test('chargers registered, changed and removed, tariffs, shifts and a cancelled payment request', async () => {
    expect((await api('POST', '/chargers', { id: 'CP-NEW', name: 'Bay 1', password: 'charger password 1' })).status).toBe(201);
    expect(await newest('charger.register')).toMatchObject({ actor: 'token:robot', object: { type: 'charger', id: 'CP-NEW' }, details: { after: { id: 'CP-NEW', name: 'Bay 1', registration: 'accepted', passwordSet: true } } });
    expect((await api('PATCH', '/chargers/CP-NEW', { registration: 'rejected' })).status).toBe(200);
    expect(await newest('charger.registration')).toMatchObject({ details: { before: { registration: 'accepted' }, after: { registration: 'rejected' } } });
    expect((await api('PATCH', '/chargers/CP-NEW', { password: null })).status).toBe(200);
    expect(await newest('charger.password_remove')).toMatchObject({ details: { before: { passwordSet: true }, after: { passwordSet: false } } });
    expect((await api('PUT', '/tariffs/default', { energyPricePerKwh: 1500, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    expect(await newest('tariff.set_default')).toMatchObject({ actor: 'token:robot', details: { before: null, after: { energyPricePerKwh: 1500, createdBy: 'token:robot' } } });
    expect((await api('PUT', '/tariffs/chargers/CP-NEW', { energyPricePerKwh: 1800, sessionFee: 0, timePricePerHour: 0 })).status).toBe(200);
    expect((await api('DELETE', '/tariffs/chargers/CP-NEW')).status).toBe(204);
    expect(await newest('tariff.remove_override')).toMatchObject({ object: { type: 'charger', id: 'CP-NEW' }, details: { before: { energyPricePerKwh: 1800 } } });
    expect((await api('DELETE', '/chargers/CP-NEW')).status).toBe(204);
    expect(await newest('charger.remove')).toMatchObject({ object: { id: 'CP-NEW' }, details: { before: { id: 'CP-NEW', name: 'Bay 1' }, after: null } });

    expect((await api('POST', '/shifts', { openingFloat: 500 })).status).toBe(201);
    expect((await api('POST', '/shifts/current/close', { countedCash: 500 })).status).toBe(200);
    expect((await audit()).slice(0, 2).map((item) => [item.action, item.actor])).toEqual([
      ['shift.close', 'token:robot'],
      ['shift.open', 'token:robot'],
    ]);

    const charger = await t.acceptedCharger('CP-PAY');
    await charger.status(1, 'Available');
    const driver = await api('POST', '/users', { name: 'Walk-in', phone: '+919800000043', pin: '1357' });
    const request = await t.app.services.paymentRequests.create({ formKey: 'pay-2', user: t.app.services.drivers.requireUser(driver.body.id), chargerId: 'CP-PAY', connectorId: 1, amountMinor: 1000 });
    expect((await api('POST', `/payment-requests/${request.id}/cancel`)).status).toBe(200);
    expect(await newest('payment_request.cancel')).toMatchObject({ actor: 'token:robot', object: { id: String(request.id) }, details: { after: { status: 'cancelled' } } });
    // A second cancel changes nothing and adds no entry.
    expect((await api('POST', `/payment-requests/${request.id}/cancel`)).status).toBe(200);
    expect((await audit()).filter((item) => item.action === 'payment_request.cancel')).toHaveLength(1);
  });

  test('a ChangeConfiguration of AuthorizationKey is *** in its audit entry, from the API and from the charger page', async () => {
    await t.acceptedCharger('CP-KEY');
    expect((await api('POST', '/chargers/CP-KEY/commands/ChangeConfiguration', { key: 'AuthorizationKey', value: SECRET })).status).toBe(200);
    const web = await signedInAdmin();
    await web.get('/chargers/CP-KEY');
    expect((await web.post('/chargers/CP-KEY/commands/change-configuration', { key: 'AuthorizationKey', value: SECRET }, { headers: { 'HX-Request': 'true' } })).status).toBe(200);
    const entries = (await audit()).filter((item) => item.action === 'charger.command.ChangeConfiguration');
    expect(entries.map((item) => item.actor)).toEqual(['boss', 'token:robot']);
    for (const entry of entries) expect(entry.details.after).toMatchObject({ payload: { key: 'AuthorizationKey', value: '***' }, response: { status: 'Accepted' } });
    expect(JSON.stringify(await audit())).not.toContain(SECRET);
  });
});

describe('the same change from the web UI and from the API gives the same entry', () => {
  test('blocking a card and renaming a driver: only the actor differs', async () => {
    const web = await signedInAdmin();
    const comparable = (item: AuditItem) => ({ action: item.action, object: item.object.type, details: item.details });
    for (const uid of ['UI1', 'API1']) expect((await api('POST', '/cards', { uid, kind: 'prepaid' })).status).toBe(201);
    await web.get('/drivers');
    expect((await web.post('/cards/UI1/status', { status: 'blocked' })).status).toBe(303);
    expect((await api('PATCH', '/cards/API1', { status: 'blocked' })).status).toBe(200);
    const [fromApi, fromUi] = (await audit()).filter((item) => item.action === 'card.status');
    expect([fromUi!.actor, fromUi!.object.id, fromApi!.actor, fromApi!.object.id]).toEqual(['boss', 'UI1', 'token:robot', 'API1']);
    expect(comparable(fromUi!)).toEqual(comparable(fromApi!));

    const people = [];
    for (const phone of ['+919800000001', '+919800000002']) {
      const created = await api('POST', '/users', { name: 'Asha', phone, email: 'asha@example.com' });
      expect(created.status).toBe(201);
      people.push(created.body.id as number);
    }
    await web.get(`/drivers/${people[0]}`);
    expect((await web.post(`/drivers/${people[0]}`, { name: 'Asha Rani', phone: '+919800000001', email: 'asha@example.com' })).status).toBe(303);
    expect((await api('PATCH', `/users/${people[1]}`, { name: 'Asha Rani' })).status).toBe(200);
    const [apiUpdate, uiUpdate] = (await audit()).filter((item) => item.action === 'driver.update');
    expect([uiUpdate!.actor, apiUpdate!.actor]).toEqual(['boss', 'token:robot']);
    const withoutPhone = (item: AuditItem) => JSON.parse(JSON.stringify(comparable(item)).replaceAll('+919800000001', 'PHONE').replaceAll('+919800000002', 'PHONE')) as unknown;
    expect(withoutPhone(uiUpdate!)).toEqual(withoutPhone(apiUpdate!));
    expect(uiUpdate!.details).toMatchObject({ before: { name: 'Asha' }, after: { name: 'Asha Rani', pinChanged: false } });
  });
});

describe('a change that does not happen leaves no entry, and one that cannot be audited does not happen', () => {
  test('refused top-ups and a refused owner change write nothing to the log', async () => {
    const charger = await prepaidSite(t, 'CP-NO');
    expect((await api('POST', '/cards', { uid: 'PERS', kind: 'personal' })).status).toBe(201);
    const before = (await audit()).map((item) => item.id);
    const personal = await api('POST', '/cards/PERS/topups', { amount: 100, method: 'cash' });
    expect([personal.status, personal.body.error.code]).toEqual([409, 'card_not_prepaid']);
    const tooMuch = await api('POST', '/cards/PRE1/topups', { amount: Number.MAX_SAFE_INTEGER, method: 'cash' });
    expect(tooMuch.status).toBe(409);
    await charger.startTransaction(1, 'PRE1', 0, minutesAgo(5));
    const driver = await api('POST', '/users', { name: 'Owner', phone: '+919800000077' });
    const moved = await api('PATCH', '/cards/PRE1', { userId: driver.body.id });
    expect([moved.status, moved.body.error.code]).toEqual([409, 'card_in_session']);
    // Only the driver that was made is on the record.
    expect((await audit()).filter((item) => !before.includes(item.id)).map((item) => item.action)).toEqual(['driver.create']);
  });

  test('when the audit entry cannot be written, the top-up is rolled back with it', async () => {
    await prepaidSite(t, 'CP-RB');
    const { db } = t.app.services;
    // A real failure inside the top-up's transaction, at the audit insert: the whole write must go.
    db.prepare("CREATE TEMP TRIGGER audit_refused BEFORE INSERT ON audit_log WHEN NEW.action = 'topup.create' BEGIN SELECT RAISE(ABORT, 'audit refused'); END").run();
    const refused = await api('POST', '/cards/PRE1/topups', { amount: 700, method: 'cash' });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect((await api('GET', '/cards/PRE1')).body.balance.amount).toBe(100_000);
    expect((await api('GET', '/topups')).body.items).toHaveLength(1);
    db.prepare('DROP TRIGGER audit_refused').run();
    const accepted = await api('POST', '/cards/PRE1/topups', { amount: 700, method: 'cash' });
    expect(accepted.status).toBe(201);
    expect((await api('GET', '/cards/PRE1')).body.balance.amount).toBe(100_700);
    expect((await audit()).filter((item) => item.action === 'topup.create').map((item) => item.object.id)).toEqual([String(accepted.body.topupId), expect.any(String)]);
    expect(t.app.services.ledger.check()).toMatchObject({ ok: true });
  });
});

describe('staff accounts', () => {
  test('signing in, creating a user, changing its role and password are on the record; a refused creation is not', async () => {
    const web = await signedInAdmin();
    expect(await newest('staff.sign_in')).toMatchObject({ actor: 'boss', object: { type: 'staff_user' } });
    await web.get('/staff');
    expect((await web.post('/staff', { userName: 'desk2', role: 'cashier', password: 'another long password', language: 'en' })).status).toBe(303);
    const created = await newest('staff.create');
    expect(created).toMatchObject({ actor: 'boss', details: { after: { userName: 'desk2', role: 'cashier', disabled: false } } });
    const before = (await audit()).map((item) => item.id);
    expect((await web.post('/staff', { userName: 'desk2', role: 'viewer', password: 'yet another password', language: 'en' })).status).toBe(409);
    expect((await audit()).filter((item) => !before.includes(item.id))).toEqual([]);
    expect((await web.post(`/staff/${created.object.id}`, { role: 'viewer', password: 'a third long password' })).status).toBe(303);
    expect(await newest('staff.update')).toMatchObject({ actor: 'boss', object: { id: created.object.id }, details: { before: { role: 'cashier' }, after: { role: 'viewer' } } });
    expect(await newest('staff.password_reset')).toMatchObject({ actor: 'boss', object: { id: created.object.id } });
    expect(JSON.stringify(await audit())).not.toMatch(/another long password|a third long password|scrypt/);
  });
});

describe('the audit page of the web UI', () => {
  test('shows the entries of API clients beside the staff ones', async () => {
    expect((await api('POST', '/cards', { uid: 'PAGE1', kind: 'prepaid' })).status).toBe(201);
    const web = await signedInAdmin();
    const page = await web.get('/audit');
    expect(page.status).toBe(200);
    expect(page.text).toContain('token:robot');
    expect(page.text).toContain('card.create');
    expect(page.text).toContain('PAGE1');
  });
});
