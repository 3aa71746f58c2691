import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lt } from 'drizzle-orm';
import { Database, schema } from '../src/db';
import { createTestDomains } from '../src/testing/domains';
import type { Actor } from '../src/shared';

/** The benchmark's cashier: every top-up in the run is one client's. */
const BENCH_ACTOR: Actor = { id: 'bench', userId: null, name: 'bench' };

const SETTLEMENTS = Number(process.env.BENCH_MONEY_SETTLEMENTS ?? 20_000);
/** Sessions stopped through the whole StopTransaction path (session row, meter, billing, ledger). */
const STOPS = Number(process.env.BENCH_MONEY_STOPS ?? 5_000);
const TOPUPS = Number(process.env.BENCH_MONEY_TOPUPS ?? 20_000);
/** Requests in flight at once: what many chargers and cashiers together put in one group commit. */
const IN_FLIGHT = Number(process.env.BENCH_MONEY_IN_FLIGHT ?? 1000);
/** Settlements each awaited alone: one durable COMMIT (fsync) per settlement, for comparison. */
const UNBATCHED = Number(process.env.BENCH_MONEY_UNBATCHED ?? 500);

async function inWaves<T>(count: number, run: (index: number) => Promise<T>): Promise<void> {
  for (let start = 0; start < count; start += IN_FLIGHT) {
    const wave: Promise<T>[] = [];
    for (let index = start; index < Math.min(count, start + IN_FLIGHT); index++) wave.push(run(index));
    await Promise.all(wave);
  }
}

function perSecond(count: number, startedMs: number): number {
  return Math.round((count * 1000) / (performance.now() - startedMs));
}

/**
 * The money part of `npm run bench`: prepaid sessions settled (priced exactly, one balanced
 * transfer each) and top-ups (with an Idempotency-Key and a gapless receipt) per second, on a
 * real database file with synchronous=FULL and commits batched through db.write.
 */
export async function runMoneyBench(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-money-bench-'));
  const db = Database.open(path.join(dir, 'bench.sqlite'));
  try {
    const money = createTestDomains(db);
    const { settings, sessions } = money;
    await settings.update({ currency: 'INR', timeZone: 'Asia/Kolkata' }, BENCH_ACTOR);
    await money.tariffs.setDefault({ energyPricePerKwh: 1850, sessionFee: 500, timePricePerHour: 120 }, BENCH_ACTOR);

    const cardCount = SETTLEMENTS + UNBATCHED + STOPS;
    await inWaves(cardCount, async (index) => {
      const uid = `B${index.toString(16).toUpperCase().padStart(8, '0')}`;
      await money.drivers.createCard({ uid, kind: 'prepaid' }, BENCH_ACTOR);
      await money.till.topUpCard(uid, { amount: 1_000_000, method: 'cash' }, BENCH_ACTOR);
    });
    const transactionIds: string[] = [];
    await inWaves(cardCount, async (index) => {
      const uid = `B${index.toString(16).toUpperCase().padStart(8, '0')}`;
      const started = await sessions.start({
        chargerId: `CP${index % 200}`,
        connectorId: 1 + Math.floor(index / 200),
        idTag: uid,
        meterStartWh: 1000,
        timestamp: '2026-03-01T10:00:00.000Z',
        ocppVersion: '1.6',
      });
      transactionIds[index] = started.session.transactionId!;
    });

    // Settlement alone: sessions completed in bulk beforehand, then each priced and posted by
    // billing in its own savepoint of a group commit, exactly as it runs inside a stop.
    const settledIds = db.tx(() =>
      db.orm
        .update(schema.sessions)
        .set({ status: 'completed', stoppedAt: '2026-03-01T11:12:13.000Z', meterStopWh: 8000, energyWh: 7000 })
        .where(lt(schema.sessions.id, SETTLEMENTS + 1))
        .returning({ id: schema.sessions.id })
        .all(),
    ).map((row) => row.id);
    const settleStartMs = performance.now();
    await inWaves(settledIds.length, (index) => db.write(() => money.billing.onCompleted(sessions.get(settledIds[index]!)!)));
    const settlementsPerS = perSecond(settledIds.length, settleStartMs);

    const stop = (index: number) =>
      sessions.stop({
        chargerId: `CP${index % 200}`,
        transactionId: transactionIds[index]!,
        meterStopWh: 1000 + 7000 + (index % 5000),
        timestamp: '2026-03-01T11:12:13.000Z',
      });

    const stopsStartMs = performance.now();
    await inWaves(STOPS, (index) => stop(SETTLEMENTS + index));
    const stopsPerS = perSecond(STOPS, stopsStartMs);

    const unbatchedStartMs = performance.now();
    for (let index = SETTLEMENTS + STOPS; index < cardCount; index++) await stop(index);
    const unbatchedStopsPerS = perSecond(UNBATCHED, unbatchedStartMs);

    const topupStartMs = performance.now();
    await inWaves(TOPUPS, (index) =>
      money.till.topUpCard(`B${(index % cardCount).toString(16).toUpperCase().padStart(8, '0')}`, { amount: 100 + (index % 900), method: 'cash' }, BENCH_ACTOR, `bench-${index}`),
    );
    const topupsPerS = perSecond(TOPUPS, topupStartMs);

    const check = money.ledger.check();
    if (!check.ok) throw new Error(`the ledger check failed after the bench: ${check.problems.join('; ')}`);
    return {
      'money: settlements/s (price + post, synchronous=FULL, group commit)': settlementsPerS,
      'money: StopTransactions settled/s (whole stop path, group commit)': stopsPerS,
      'money: StopTransactions settled/s (one commit each)': unbatchedStopsPerS,
      'money: top-ups/s (synchronous=FULL, group commit, Idempotency-Key)': topupsPerS,
      'money: ledger check': `ok (${check.transfers} transfers, ${check.entries} entries, sum ${check.totalMinor})`,
      'money: largest group commit': db.batcher.stats.largestBatch,
    };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void runMoneyBench().then((figures) => {
    for (const [figure, value] of Object.entries(figures)) console.log(`${figure}: ${value}`);
  });
}
