import type { Database } from '../db';
import { freshDatabase } from '../ledger/test-helpers';
import type { Domains } from '../services';
import type { SessionService } from '../sessions';
import type { SettingsService } from '../settings';
import { createTestDomains, testActor } from '../testing/domains';

describe('billing through the session service', () => {
  let db: Database;
  let cleanup: () => void;
  let sessions: SessionService;
  let money: Domains;
  let settings: SettingsService;
  const remoteStops: string[] = [];

  beforeEach(async () => {
    ({ db, cleanup } = freshDatabase());
    remoteStops.length = 0;
    money = createTestDomains(db, {
      requestRemoteStop: async (chargerId, transactionId, reason) => {
        remoteStops.push(`${chargerId}/${transactionId}/${reason}`);
      },
    });
    ({ settings, sessions } = money);
    await settings.update({ currency: 'INR', timeZone: 'UTC' }, testActor('test'));
    await money.tariffs.setDefault({ energyPricePerKwh: 1500, sessionFee: 100 }, testActor('test'));
  });
  afterEach(() => cleanup());

  async function prepaidCard(uid: string, topupMinor: number) {
    await money.drivers.createCard({ uid, kind: 'prepaid' }, testActor('test'));
    if (topupMinor > 0) await money.till.topUpCard(uid, { amount: topupMinor, method: 'cash' }, testActor('test'));
  }

  function start(idTag: string, meterStartWh = 1000, connectorId = 1) {
    return sessions.start({ chargerId: 'CP1', connectorId, idTag, meterStartWh, timestamp: '2026-03-01T10:00:00.000Z', ocppVersion: '1.6' });
  }

  function stop(transactionId: string, meterStopWh: number) {
    return sessions.stop({ chargerId: 'CP1', transactionId, meterStopWh, timestamp: '2026-03-01T11:00:00.000Z' });
  }

  test('a prepaid session is priced exactly and charged once at stop, a repeated stop charges nothing more', async () => {
    await prepaidCard('AA11', 10000);
    const started = await start('aa:11');
    expect(started.decision).toMatchObject({ status: 'Accepted', cardUid: 'AA11' });
    const stopped = await stop(started.session.transactionId!, 1000 + 2345);
    // 2345 Wh at 15.00/kWh = 3517.5 → with the 100 fee, 3617.5 rounds half up to 3618.
    expect(stopped.session).toMatchObject({ costMinor: 3618, energyWh: 2345 });
    await stop(started.session.transactionId!, 1000 + 2345);
    const card = money.drivers.cardView(money.drivers.cardByUid('AA11')!);
    expect(card.balance).toEqual({ amount: 10000 - 3618, currency: 'INR' });
    expect(money.ledger.check()).toMatchObject({ ok: true, totalMinor: 0 });
  });

  test('a personal card charges without moving money; its cost is for information', async () => {
    await money.drivers.createCard({ uid: 'BB22', kind: 'personal' }, testActor('test'));
    const started = await start('BB22');
    expect(started.decision.status).toBe('Accepted');
    const stopped = await stop(started.session.transactionId!, 2000);
    expect(stopped.session?.costMinor).toBe(1600);
    expect(money.ledger.hasMoneyMoved()).toBe(false);
  });

  test('a prepaid card at or below the minimum balance is refused with NoCredit', async () => {
    await prepaidCard('CC33', 0);
    expect((await start('CC33')).decision.status).toBe('NoCredit');
  });

  test('the running cost reaching the balance asks once for a remote stop; the overrun becomes a debt that blocks', async () => {
    await prepaidCard('DD44', 1000);
    const started = await start('DD44');
    const txId = started.session.transactionId!;
    const meter = (wh: number, at: string) =>
      sessions.meterValues({ chargerId: 'CP1', connectorId: 1, transactionId: txId, meterValue: [{ timestamp: at, sampledValue: [{ value: String(wh) }] }] });
    await meter(1300, '2026-03-01T10:10:00.000Z');
    expect(remoteStops).toEqual([]);
    await meter(1700, '2026-03-01T10:20:00.000Z');
    await meter(1800, '2026-03-01T10:21:00.000Z');
    await new Promise((resolve) => setImmediate(resolve));
    await db.write(() => undefined);
    expect(remoteStops).toEqual([`CP1/${txId}/balance_exhausted`]);
    expect(money.billing.billing(started.session.id)?.remoteStopReason).toBe('balance_exhausted');
    await stop(txId, 1900);
    // 900 Wh at 15/kWh = 1350 + 100 fee = 1450 against a balance of 1000: 450 of debt.
    expect(money.billing.billing(started.session.id)?.debtMinor).toBe(450);
    expect(money.drivers.cardView(money.drivers.cardByUid('DD44')!).balance?.amount).toBe(-450);
    expect((await start('DD44', 5000, 2)).decision).toMatchObject({ status: 'NoCredit' });
    expect(money.ledger.check().ok).toBe(true);
  });

  test('a charger without any tariff never charges for free: prepaid cards are refused there', async () => {
    const bare = await freshDatabase();
    try {
      const bareMoney = createTestDomains(bare.db);
      const bareSessions = bareMoney.sessions;
      await bareMoney.drivers.createCard({ uid: 'EE55', kind: 'prepaid' }, testActor('test'));
      await bareMoney.till.topUpCard('EE55', { amount: 5000, method: 'cash' }, testActor('test'));
      const started = await bareSessions.start({ chargerId: 'CP9', connectorId: 1, idTag: 'EE55', meterStartWh: 0, timestamp: '2026-03-01T10:00:00.000Z', ocppVersion: '1.6' });
      expect(started.decision.status).toBe('Blocked');
    } finally {
      bare.cleanup();
    }
  });

  test('a QR hold is taken by the driver session, posted up to the cost and the rest released', async () => {
    const user = await money.drivers.createUser({ name: 'Asha', phone: '+91 98765 43210' }, testActor('test'));
    await money.till.topUpUser(user.id, { amount: 5000, method: 'card' }, testActor('test'));
    const hold = await money.startHolds.place({ userId: user.id, chargerId: 'CP1', connectorId: 1, amountMinor: 5000 });
    expect(money.ledger.balance(user.accountId)).toMatchObject({ balanceMinor: 5000, availableMinor: 0 });
    const started = await start(hold.idTag);
    expect(started.decision).toMatchObject({ status: 'Accepted', userId: user.id });
    await stop(started.session.transactionId!, 2000);
    expect(money.ledger.isHoldOpen(hold.id)).toBe(false);
    expect(money.ledger.balance(user.accountId)).toEqual({ balanceMinor: 5000 - 1600, pendingMinor: 0, availableMinor: 3400 });
    expect(money.ledger.check().ok).toBe(true);
  });

  test('card statuses: blocked, expired, wrong charger, too many sessions and unknown tags', async () => {
    await money.drivers.createCard({ uid: 'F1', kind: 'personal' }, testActor('test'));
    await money.drivers.updateCard('F1', { status: 'blocked' }, testActor('test'));
    await money.drivers.createCard({ uid: 'F2', kind: 'personal', expiresAt: '2020-01-01T00:00:00Z' }, testActor('test'));
    await money.drivers.createCard({ uid: 'F3', kind: 'personal', allowedChargers: ['CP7'] }, testActor('test'));
    await money.drivers.createCard({ uid: 'F4', kind: 'personal' }, testActor('test'));
    const authorize = (idTag: string) => sessions.authorize('CP1', idTag).status;
    expect(authorize('F1')).toBe('Blocked');
    expect(authorize('F2')).toBe('Expired');
    expect(authorize('F3')).toBe('NotAtThisLocation');
    await start('F4');
    // A tap while charging (often to stop) is accepted; a second start is ConcurrentTx.
    expect(authorize('f4')).toBe('Accepted');
    expect((await start('f4', 0, 2)).decision.status).toBe('ConcurrentTx');
    expect(authorize('NOPE99')).toBe('Invalid');
    await db.write(() => undefined);
    expect(money.drivers.unknownCards(10).map((card) => card.uid)).toEqual(['NOPE99']);
  });
});
