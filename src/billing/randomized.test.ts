import { Database } from '../db';
import { freshDatabase } from '../ledger/test-helpers';
import type { Domains } from '../services';
import type { SessionService } from '../sessions';
import { AppError } from '../shared';
import { createTestDomains, testActor } from '../testing/domains';
import { seededRandom } from '../testing/seeded-random';

interface World {
  db: Database;
  sessions: SessionService;
  money: Domains;
}

async function openWorld(file: string): Promise<World> {
  const db = Database.open(file);
  const money = createTestDomains(db);
  return { db, sessions: money.sessions, money };
}

const OPERATIONS = 3000;
const RESTART_EVERY = 600;
const SEED = 20261128;

test(`${OPERATIONS} random top-ups, sessions, refunds, retries and restarts keep the ledger balanced and every balance equal to its entries`, async () => {
  const random = seededRandom(SEED);
  const fresh = freshDatabase();
  fresh.db.close();
  let world = await openWorld(fresh.file);
  await world.money.settings.update({ currency: 'INR', timeZone: 'Asia/Kolkata' }, testActor('test'));
  await world.money.tariffs.setDefault({ energyPricePerKwh: 1733, sessionFee: 50, timePricePerHour: 97, bands: [{ start: '18:00', end: '22:00', energyPricePerKwh: 2399 }] }, testActor('test'));

  /** What each balance must be, computed independently of the ledger. */
  const expectedMinor = new Map<number, number>();
  const credit = (accountId: number, deltaMinor: number) => expectedMinor.set(accountId, (expectedMinor.get(accountId) ?? 0) + deltaMinor);
  const prepaidUids: string[] = [];
  const allUids: string[] = [];
  const userIds: number[] = [];
  const topups: { id: number; accountId: number }[] = [];
  const usedKeys: { key: string; uid: string; amount: number; result: string }[] = [];
  const active = new Map<string, { chargerId: string; transactionId: string; lastWh: number; atMs: number }>();
  const stopped: { chargerId: string; transactionId: string; wh: number; at: string }[] = [];
  let clockMs = Date.parse('2026-03-01T00:00:00.000Z');
  const tick = () => new Date((clockMs += random.int(1, 900) * 1000)).toISOString();
  let keyCounter = 0;
  let cardCounter = 0;
  let userCounter = 0;
  const counts: Record<string, number> = {};

  const expectRefusal = async (promise: Promise<unknown>, codes: string[]) => {
    try {
      await promise;
      return true;
    } catch (error) {
      if (!(error instanceof AppError) || !codes.includes(error.code)) throw error;
      return false;
    }
  };

  const step = async (): Promise<void> => {
    const { money, sessions } = world;
    const roll = random.next();
    if (roll < 0.08 || allUids.length < 3) {
      counts.card = (counts.card ?? 0) + 1;
      const uid = `C${(cardCounter++).toString(16).toUpperCase()}A`;
      const owner = userIds.length > 0 && random.next() < 0.3 ? random.pick(userIds) : undefined;
      const kind = random.next() < 0.75 ? 'prepaid' : 'personal';
      await money.drivers.createCard({ uid, kind, userId: owner }, testActor('test'));
      allUids.push(uid);
      if (kind === 'prepaid') prepaidUids.push(uid);
    } else if (roll < 0.11) {
      const user = await money.drivers.createUser({ name: `Driver ${userIds.length}`, phone: `+9190000${String(userCounter++).padStart(5, '0')}` }, testActor('test'));
      userIds.push(user.id);
    } else if (roll < 0.3 && prepaidUids.length > 0) {
      counts.topup = (counts.topup ?? 0) + 1;
      const uid = random.pick(prepaidUids);
      const amount = random.int(1, 50000);
      const key = random.next() < 0.5 ? `k${keyCounter++}` : undefined;
      const outcome = await money.till.topUpCard(uid, { amount, method: random.pick(['cash', 'card', 'transfer'] as const) }, testActor('cashier'), key);
      expect(outcome.status).toBe(201);
      const body = outcome.body as { topupId: number };
      const accountId = money.drivers.cardByUid(uid)!.accountId!;
      credit(accountId, amount);
      topups.push({ id: body.topupId, accountId });
      if (key) usedKeys.push({ key, uid, amount, result: JSON.stringify(outcome.body) });
    } else if (roll < 0.36 && usedKeys.length > 0) {
      counts.retry = (counts.retry ?? 0) + 1;
      // A client retrying: the same key and body must replay the first answer and move nothing.
      const earlier = random.pick(usedKeys);
      const replay = await money.till.topUpCard(earlier.uid, { amount: earlier.amount, method: 'cash' }, testActor('cashier'), earlier.key).catch((error: AppError) => error);
      if (replay instanceof AppError) expect(replay.code).toBe('idempotency_key_reused');
      else {
        // Only a retry with the very same body replays; the method may differ from the first, which is then a 409.
        expect(replay.replayed).toBe(true);
        expect(JSON.stringify(replay.body)).toBe(earlier.result);
      }
    } else if (roll < 0.55 && allUids.length > 0) {
      counts.start = (counts.start ?? 0) + 1;
      const chargerId = `CP${random.int(1, 4)}`;
      const connectorId = random.int(1, 2);
      const slot = `${chargerId}/${connectorId}`;
      if (active.has(slot)) return;
      const uid = random.pick(allUids);
      const meterStartWh = random.int(0, 100000);
      const timestamp = tick();
      const result = await sessions.start({ chargerId, connectorId, idTag: uid, meterStartWh, timestamp, ocppVersion: '1.6' });
      active.set(slot, { chargerId, transactionId: result.session.transactionId!, lastWh: meterStartWh, atMs: Date.parse(timestamp) });
    } else if (roll < 0.7 && active.size > 0) {
      counts.meter = (counts.meter ?? 0) + 1;
      const session = random.pick([...active.values()]);
      // Now and then the register goes backwards (a meter fault); billing must ignore it.
      session.lastWh += random.next() < 0.05 ? -random.int(1, 500) : random.int(0, 8000);
      session.atMs += random.int(60, 3600) * 1000;
      await sessions.meterValues({
        chargerId: session.chargerId,
        connectorId: 1,
        transactionId: session.transactionId,
        meterValue: [{ timestamp: new Date(session.atMs).toISOString(), sampledValue: [{ value: String(Math.max(0, session.lastWh)) }] }],
      });
    } else if (roll < 0.85 && active.size > 0) {
      counts.stop = (counts.stop ?? 0) + 1;
      const [slot, session] = random.pick([...active.entries()]);
      active.delete(slot);
      const wh = Math.max(0, session.lastWh + random.int(0, 3000));
      const at = new Date(session.atMs + random.int(1, 7200) * 1000).toISOString();
      await stopAndBook(session.chargerId, session.transactionId, wh, at);
      stopped.push({ chargerId: session.chargerId, transactionId: session.transactionId, wh, at });
    } else if (roll < 0.88 && stopped.length > 0) {
      counts.duplicateStop = (counts.duplicateStop ?? 0) + 1;
      const again = random.pick(stopped);
      const result = await world.sessions.stop({ chargerId: again.chargerId, transactionId: again.transactionId, meterStopWh: again.wh, timestamp: again.at });
      expect(result.duplicate).toBe(true);
    } else if (roll < 0.94 && topups.length > 0) {
      counts.refund = (counts.refund ?? 0) + 1;
      const topup = random.pick(topups);
      const amount = random.int(1, 20000);
      const outcome = await money.till.refundTopup(topup.id, { amount, reason: 'random refund' }, testActor('admin'));
      if (outcome.status === 201) credit(topup.accountId, -amount);
      else expect([409]).toContain(outcome.status);
    } else if (roll < 0.97 && prepaidUids.length > 0) {
      counts.adjust = (counts.adjust ?? 0) + 1;
      const accountId = money.drivers.cardByUid(random.pick(prepaidUids))!.accountId!;
      const amount = random.int(-3000, 3000) || 1;
      const outcome = await money.till.adjust(accountId, { amount, reason: 'random adjustment' }, testActor('admin'));
      if (outcome.status === 201) credit(accountId, amount);
      else expect(outcome.status).toBe(409);
    } else if (userIds.length > 0) {
      counts.hold = (counts.hold ?? 0) + 1;
      const userId = random.pick(userIds);
      const placed = await expectRefusal(
        money.startHolds.place({ userId, chargerId: 'CP9', connectorId: 1, amountMinor: random.int(1, 5000) }).then((hold) => money.startHolds.release(hold.id, 'refused')),
        ['insufficient_funds'],
      );
      counts.holdPlaced = (counts.holdPlaced ?? 0) + (placed ? 1 : 0);
    }
  };

  async function stopAndBook(chargerId: string, transactionId: string, wh: number, at: string) {
    const result = await world.sessions.stop({ chargerId, transactionId, meterStopWh: wh, timestamp: at });
    expect(result.duplicate).toBe(false);
    const billing = world.money.billing.billing(result.session!.id)!;
    if (billing.payer === 'prepaid' && billing.accountId !== null && result.session!.costMinor !== null) {
      credit(billing.accountId, -result.session!.costMinor);
      if (result.session!.costMinor > 0) counts.charged = (counts.charged ?? 0) + 1;
      if (billing.debtMinor > 0) counts.debt = (counts.debt ?? 0) + 1;
    }
  }

  const verify = () => {
    const { ledger } = world.money;
    const check = ledger.check();
    expect(check.problems).toEqual([]);
    expect(check.totalMinor).toBe(0);
    for (const account of ledger.accounts()) {
      expect(ledger.balance(account.id).balanceMinor).toBe(ledger.balanceFromEntries(account.id));
      if (account.kind === 'card' || account.kind === 'driver') expect([account.id, ledger.balance(account.id).balanceMinor]).toEqual([account.id, expectedMinor.get(account.id) ?? 0]);
    }
  };

  try {
    for (let i = 1; i <= OPERATIONS; i++) {
      // Every tenth step runs three operations at once so they share a group commit.
      if (i % 10 === 0) await Promise.all([step(), step(), step()]);
      else await step();
      if (i % RESTART_EVERY === 0) {
        verify();
        world.db.close();
        world = await openWorld(fresh.file);
      }
    }
    for (const [slot, session] of active) {
      active.delete(slot);
      await stopAndBook(session.chargerId, session.transactionId, Math.max(0, session.lastWh), new Date(session.atMs + 1000).toISOString());
    }
    verify();
    expect(counts.topup).toBeGreaterThan(300);
    expect(counts.stop).toBeGreaterThan(200);
    expect(counts.charged).toBeGreaterThan(100);
    expect(counts.debt).toBeGreaterThan(0);
    expect(world.money.ledger.check().transfers).toBeGreaterThan(500);
  } finally {
    world.db.close();
    fresh.cleanup();
  }
}, 240_000);
