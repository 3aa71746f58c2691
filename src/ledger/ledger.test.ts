import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { AppError } from '../shared';
import { IdempotencyStore, requestHash } from './idempotency';
import { Ledger } from './ledger';
import { freshDatabase } from './test-helpers';

describe('Ledger', () => {
  let db: Database;
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    ({ db, cleanup } = freshDatabase());
    ledger = new Ledger(db, () => 'INR');
  });
  afterEach(() => cleanup());

  function topUp(accountId: number, amountMinor: number) {
    return ledger.transfer({ debitAccountId: ledger.systemAccountId('cash_drawer'), creditAccountId: accountId, amountMinor, code: 'topup' });
  }

  test('a top-up posts one debit and one credit that sum to zero and raises the driver balance', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    const transfer = topUp(driver.id, 50000);
    const entries = ledger.entries({}, 10);
    expect(entries.map((e) => [e.transferId, e.accountId, e.amountMinor])).toEqual([
      [transfer.id, ledger.systemAccountId('cash_drawer'), 50000],
      [transfer.id, driver.id, -50000],
    ]);
    expect(ledger.balance(driver.id)).toEqual({ balanceMinor: 50000, pendingMinor: 0, availableMinor: 50000 });
    expect(ledger.balanceFromEntries(driver.id)).toBe(50000);
    expect(ledger.check()).toMatchObject({ ok: true, totalMinor: 0, transfers: 1, entries: 2 });
  });

  test('a debit beyond the available balance is refused with insufficient_funds and moves nothing', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    topUp(driver.id, 100);
    expect(() =>
      ledger.transfer({ debitAccountId: driver.id, creditAccountId: ledger.systemAccountId('charging_revenue'), amountMinor: 101, code: 'session_charge' }),
    ).toThrow(expect.objectContaining({ code: 'insufficient_funds', httpStatus: 409 }));
    expect(ledger.balance(driver.id).balanceMinor).toBe(100);
    expect(ledger.check().ok).toBe(true);
  });

  test('an overdraft allowed for billing leaves a negative balance that the check accepts', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    topUp(driver.id, 100);
    ledger.transfer({
      debitAccountId: driver.id,
      creditAccountId: ledger.systemAccountId('charging_revenue'),
      amountMinor: 150,
      code: 'session_charge',
      allowOverdraft: true,
    });
    expect(ledger.balance(driver.id).balanceMinor).toBe(-50);
    expect(ledger.balance(ledger.systemAccountId('charging_revenue')).balanceMinor).toBe(150);
    expect(ledger.check().ok).toBe(true);
  });

  test('a hold lowers available but not balance; posting less than held releases the rest', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    const revenue = ledger.systemAccountId('charging_revenue');
    topUp(driver.id, 1000);
    const hold = ledger.createHold({ debitAccountId: driver.id, creditAccountId: revenue, amountMinor: 600, code: 'session_charge', timeoutAt: '2099-01-01T00:00:00.000Z' });
    expect(ledger.balance(driver.id)).toEqual({ balanceMinor: 1000, pendingMinor: 600, availableMinor: 400 });
    expect(() => ledger.createHold({ debitAccountId: driver.id, creditAccountId: revenue, amountMinor: 401, code: 'x', timeoutAt: '2099-01-01T00:00:00.000Z' })).toThrow(
      expect.objectContaining({ code: 'insufficient_funds' }),
    );
    expect(() => ledger.postHold(hold.id, 601)).toThrow(expect.objectContaining({ code: 'amount_exceeds_hold' }));
    ledger.postHold(hold.id, 250);
    expect(ledger.balance(driver.id)).toEqual({ balanceMinor: 750, pendingMinor: 0, availableMinor: 750 });
    expect(() => ledger.voidHold(hold.id, 'late')).toThrow(expect.objectContaining({ code: 'hold_resolved' }));
    expect(ledger.check().ok).toBe(true);
  });

  test('a void releases a hold and expiry releases only holds past their timeout', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    const revenue = ledger.systemAccountId('charging_revenue');
    topUp(driver.id, 1000);
    const voided = ledger.createHold({ debitAccountId: driver.id, creditAccountId: revenue, amountMinor: 100, code: 'qr', timeoutAt: '2099-01-01T00:00:00.000Z' });
    ledger.createHold({ debitAccountId: driver.id, creditAccountId: revenue, amountMinor: 200, code: 'qr', timeoutAt: '2020-01-01T00:00:00.000Z' });
    ledger.voidHold(voided.id, 'refused');
    expect(ledger.expireHolds('2026-01-01T00:00:00.000Z')).toBe(1);
    expect(ledger.expireHolds('2026-01-01T00:00:00.000Z')).toBe(0);
    expect(ledger.balance(driver.id)).toEqual({ balanceMinor: 1000, pendingMinor: 0, availableMinor: 1000 });
    expect(ledger.check()).toMatchObject({ ok: true, entries: 2 });
  });

  test('the check finds a cached balance that disagrees with the entries', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    topUp(driver.id, 1000);
    db.orm.run(sql`UPDATE ledger_accounts SET net_minor = net_minor - 1 WHERE id = ${driver.id}`);
    const result = ledger.check();
    expect(result.ok).toBe(false);
    expect(result.problems.join()).toMatch(/cached net/);
  });

  test('the check finds a transfer whose entries do not balance', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    const transfer = topUp(driver.id, 1000);
    db.orm.run(sql`DELETE FROM ledger_entries WHERE transfer_id = ${transfer.id} AND amount_minor < 0`);
    const result = ledger.check();
    expect(result.ok).toBe(false);
    expect(result.problems.join()).toMatch(new RegExp(`transfer ${transfer.id} \\(posted\\) has 1 entries`));
    expect(result.totalMinor).toBe(1000);
  });

  test('hasMoneyMoved turns true with the first transfer', () => {
    const driver = ledger.openBalanceAccount('driver', 'Asha');
    expect(ledger.hasMoneyMoved()).toBe(false);
    topUp(driver.id, 1);
    expect(ledger.hasMoneyMoved()).toBe(true);
  });

  describe('idempotency keys', () => {
    test('the same key and request returns the first result and moves money once', () => {
      const store = new IdempotencyStore(db);
      const driver = ledger.openBalanceAccount('driver', 'Asha');
      const hash = requestHash('POST /x', { amount: 500 });
      const run = () => store.run({ client: 'token:1', key: 'k1' }, hash, () => ({ status: 201, body: { transferId: topUp(driver.id, 500).id } }));
      const first = run();
      const second = run();
      expect(second).toEqual({ ...first, replayed: true });
      expect(ledger.balance(driver.id).balanceMinor).toBe(500);
    });

    test('the same key with a different request is a 409 idempotency_key_reused', () => {
      const store = new IdempotencyStore(db);
      store.run({ client: 'token:1', key: 'k1' }, requestHash('POST /x', { amount: 1 }), () => ({ status: 201, body: {} }));
      expect(() => store.run({ client: 'token:1', key: 'k1' }, requestHash('POST /x', { amount: 2 }), () => ({ status: 201, body: {} }))).toThrow(
        expect.objectContaining({ code: 'idempotency_key_reused', httpStatus: 409 }),
      );
    });

    test('a refused first request is replayed as the same refusal and its partial work is rolled back', () => {
      const store = new IdempotencyStore(db);
      const driver = ledger.openBalanceAccount('driver', 'Asha');
      const hash = requestHash('POST /x', {});
      const operation = () => {
        topUp(driver.id, 5);
        throw new AppError('card_not_prepaid', 'no', 409);
      };
      const first = store.run({ client: 'token:1', key: 'k' }, hash, operation);
      expect(first).toMatchObject({ status: 409, body: { error: { code: 'card_not_prepaid' } }, replayed: false });
      expect(store.run({ client: 'token:1', key: 'k' }, hash, operation)).toMatchObject({ status: 409, replayed: true });
      expect(ledger.hasMoneyMoved()).toBe(false);
    });

    test('a key belongs to its client: the same key from another client is another request', () => {
      const store = new IdempotencyStore(db);
      const driver = ledger.openBalanceAccount('driver', 'Asha');
      const mine = store.run({ client: 'token:1', key: 'k' }, requestHash('POST /x', { amount: 5 }), () => ({ status: 201, body: { id: topUp(driver.id, 5).id } }));
      const theirs = store.run({ client: 'token:2', key: 'k' }, requestHash('POST /x', { amount: 9 }), () => ({ status: 201, body: { id: topUp(driver.id, 9).id } }));
      expect([mine.replayed, theirs.replayed]).toEqual([false, false]);
      expect(ledger.balance(driver.id).balanceMinor).toBe(14);
    });

    test('pruning forgets only keys older than the cut-off', async () => {
      const store = new IdempotencyStore(db);
      store.run({ client: 'token:1', key: 'old' }, requestHash('POST /x', {}), () => ({ status: 201, body: {} }));
      expect(await store.prune('2000-01-01T00:00:00.000Z')).toBe(0);
      expect(await store.prune('2999-01-01T00:00:00.000Z')).toBe(1);
    });

    test('two concurrent group-committed writes with one key move money once', async () => {
      const store = new IdempotencyStore(db);
      const driver = ledger.openBalanceAccount('driver', 'Asha');
      const hash = requestHash('POST /x', { amount: 7 });
      const write = () => db.write(() => store.run({ client: 'token:1', key: 'same' }, hash, () => ({ status: 201, body: { id: topUp(driver.id, 7).id } })));
      const [a, b] = await Promise.all([write(), write()]);
      expect(a.body).toEqual(b.body);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect(ledger.balance(driver.id).balanceMinor).toBe(7);
    });
  });
});
