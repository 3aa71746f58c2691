import { sql } from 'drizzle-orm';
import { ChargerAuthenticator } from './chargers/authentication';
import { SettingsService } from './settings';
import { HashingLimiter, hashSecret } from './shared';
import { startTestApp, type TestApp } from './testing';

/**
 * No in-memory cache of database state outlives a rolled-back write (issue 14): each cache is
 * filled inside a write that then rolls back, and the next write must see the database as it is.
 */
describe('caches of database state under rollback', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const forcedRollback = new Error('forced rollback');
  async function rolledBack(run: () => void): Promise<void> {
    await expect(t.app.services.db.write(() => {
      run();
      throw forcedRollback;
    })).rejects.toBe(forcedRollback);
  }

  test('system account ids: a first top-up refused with balance_limit leaves no id of its undone account behind', async () => {
    expect((await t.api('POST', '/cards', { uid: 'LIM1', kind: 'prepaid' })).status).toBe(201);
    expect((await t.api('POST', '/cards', { uid: 'LIM2', kind: 'prepaid' })).status).toBe(201);
    // The first cash top-up of a fresh instance creates the cash drawer account inside its own
    // transaction; the refusal (the card already holds 5 paid by card) rolls that row back.
    expect((await t.api('POST', '/cards/LIM1/topups', { amount: 5, method: 'card' })).status).toBe(201);
    const refused = await t.api('POST', '/cards/LIM1/topups', { amount: Number.MAX_SAFE_INTEGER, method: 'cash' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'balance_limit']);
    const next = await t.api('POST', '/cards/LIM2/topups', { amount: 500, method: 'cash' });
    expect([next.status, next.body.error]).toEqual([201, undefined]);
    expect((await t.api('GET', '/cards/LIM2')).body.balance.amount).toBe(500);

    // The first billing creates the revenue account: rolled back once, the next billing still books.
    const { ledger } = t.app.services;
    await rolledBack(() => ledger.systemAccountId('charging_revenue'));
    const charger = await t.acceptedCharger('CP-RB');
    await t.api('PUT', '/tariffs/default', { energyPricePerKwh: 1000, sessionFee: 0, timePricePerHour: 0 });
    const start = await charger.startTransaction(1, 'LIM2', 0);
    await charger.stopTransaction(start.transactionId, 200, { idTag: 'LIM2' });
    expect((await t.api('GET', '/cards/LIM2')).body.balance.amount).toBe(300);
    expect(ledger.check().problems).toEqual([]);
  });

  test('registrations: a charger registered inside a write that rolls back is not remembered as registered', async () => {
    const { chargers } = t.app.services;
    const now = new Date().toISOString();
    await rolledBack(() => {
      chargers.repository.insert({ id: 'CP-UNDONE', registration: 'accepted', createdAt: now, updatedAt: now });
      expect(chargers.registrationOf('CP-UNDONE')).toBe('accepted');
    });
    expect(chargers.registrationOf('CP-UNDONE')).toBeUndefined();
  });

  test('settings: a value read inside a write that rolls back is not served afterwards', async () => {
    const { db } = t.app.services;
    // A settings service that has not read yet, on the appliance's database: its first read is inside the write.
    const settings = new SettingsService(db, t.app.services.ledger, () => undefined);
    const before = t.app.services.settings.get().heartbeatIntervalS;
    await rolledBack(() => {
      db.orm.run(sql`INSERT INTO settings (key, value_json, updated_at) VALUES ('heartbeatIntervalS', '7777', 'now')
                     ON CONFLICT (key) DO UPDATE SET value_json = '7777'`);
      expect(settings.get().heartbeatIntervalS).toBe(7777);
    });
    expect(settings.get().heartbeatIntervalS).toBe(before);
  });
});

describe('verified charger passwords', () => {
  test('a remembered password counts only while the stored hash it matched is still the charger’s', async () => {
    const passwords = new ChargerAuthenticator(new HashingLimiter());
    const before = await hashSecret('old-password-1');
    const after = await hashSecret('new-password-2');
    expect(await passwords.verify('CP-PW', before, 'old-password-1', '127.0.0.1')).toBe('ok');
    // The password changed (or a verification raced the change): the old one no longer opens.
    expect(await passwords.verify('CP-PW', after, 'old-password-1', '127.0.0.1')).toBe('wrong');
    expect(await passwords.verify('CP-PW', after, 'new-password-2', '127.0.0.1')).toBe('ok');
  });
});
