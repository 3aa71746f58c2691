import { schema } from '../db';
import { startTestApp, type TestApp } from '../testing';

/**
 * CONTRACT `/users`: phone numbers are stored and shown in E.164; every way of writing one number
 * finds the same driver; two drivers cannot share a number (409 phone_taken); the calling code for
 * numbers written without one is the setting `phoneCountryCode`.
 */
let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

test('a number written in any local or international way is stored as E.164 and finds its driver', async () => {
  const created = await app.api('POST', '/users', { name: 'Gurpreet Singh', phone: '098140-12345', pin: '2468' });
  expect([created.status, created.body.phone]).toEqual([201, '+919814012345']);
  for (const way of ['+91 98140 12345', '98140 12345', '0091 98140 12345', '919814012345']) {
    const found = await app.api('GET', `/users?phone=${encodeURIComponent(way)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((user: { id: number }) => user.id)).toEqual([created.body.id]);
  }
  expect((await app.api('GET', '/users?phone=%2B919800000009')).body).toEqual({ items: [], nextCursor: null });
  const refused = await app.api('GET', '/users?phone=call%20me');
  expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_request']);
});

test('one number is one driver: another way of writing it is 409 phone_taken, on create and on change', async () => {
  const first = await app.api('POST', '/users', { name: 'Gurpreet', phone: '+919814012345' });
  const second = await app.api('POST', '/users', { name: 'Harpreet', phone: '+919814012346' });
  const duplicate = await app.api('POST', '/users', { name: 'Someone', phone: '98140 12345' });
  expect([duplicate.status, duplicate.body.error.code]).toEqual([409, 'phone_taken']);
  const moved = await app.api('PATCH', `/users/${second.body.id}`, { phone: '0 98140 12345' });
  expect([moved.status, moved.body.error.code]).toEqual([409, 'phone_taken']);
  // A driver may write their own number another way: still theirs, stored once.
  const same = await app.api('PATCH', `/users/${first.body.id}`, { phone: '98140-12345' });
  expect([same.status, same.body.phone]).toEqual([200, '+919814012345']);
  const bad = await app.api('POST', '/users', { name: 'X', phone: '12345' });
  expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
});

test('phoneCountryCode is the calling code for numbers written without one, and is validated', async () => {
  expect((await app.api('GET', '/settings')).body.phoneCountryCode).toBe('91');
  for (const bad of ['999', 'abc', '', '1234', 91]) {
    const refused = await app.api('PATCH', '/settings', { phoneCountryCode: bad });
    expect([bad, refused.status]).toEqual([bad, 400]);
  }
  const changed = await app.api('PATCH', '/settings', { phoneCountryCode: '+44' });
  expect([changed.status, changed.body.phoneCountryCode]).toEqual([200, '44']);
  const british = await app.api('POST', '/users', { name: 'Jas', phone: '07911 123456' });
  expect(british.body.phone).toBe('+447911123456');
  // A number written with its own code is not touched by the setting.
  expect((await app.api('POST', '/users', { name: 'Asha', phone: '+91 98140 12345' })).body.phone).toBe('+919814012345');
});

test('numbers stored before E.164 are brought to it at start; one that would clash with another driver is left alone', async () => {
  const kept = await app.api('POST', '/users', { name: 'Already E.164', phone: '+919814000001' });
  const accountId = kept.body.accountId as number;
  const now = new Date().toISOString();
  // Rows as the earlier normalisation stored them: digits as typed, with or without a trunk 0.
  await app.app.services.db.write(() => {
    for (const [name, phone] of [['Old local', '9814000002'], ['Old trunk', '09814000003'], ['Old clash', '9814000001']]) {
      const account = app.app.services.ledger.openBalanceAccount('driver', name!);
      app.app.services.db.orm.insert(schema.drivers).values({ name: name!, phone: phone!, accountId: account.id, createdAt: now, updatedAt: now }).run();
    }
  });
  app = await app.restart();
  const phones = (await app.api('GET', '/users')).body.items.map((user: { name: string; phone: string }) => [user.name, user.phone]);
  expect(phones).toEqual(
    expect.arrayContaining([
      ['Already E.164', '+919814000001'],
      ['Old local', '+919814000002'],
      ['Old trunk', '+919814000003'],
      ['Old clash', '9814000001'],
    ]),
  );
  expect((await app.api('GET', '/users?phone=09814000002')).body.items[0].name).toBe('Old local');
  expect((await app.api('GET', '/users?phone=9814000001')).body.items[0].accountId).toBe(accountId);
});
