import path from 'node:path';
import { Database } from '../db';
import { makeTempDir } from '../testing';
import { SessionRepository } from '.';

function setUp() {
  const db = Database.open(path.join(makeTempDir('chargeyard-sessions-'), 'sessions.db'));
  const repository = new SessionRepository(db);
  const now = new Date().toISOString();
  const session = db.tx(() =>
    repository.insert({
      transactionId: 'T1',
      chargerId: 'CP1',
      connectorId: 1,
      ocppVersion: '1.6',
      idTag: 'TAG',
      authorizationStatus: 'Accepted',
      status: 'active',
      startedAt: now,
      meterStartWh: 100,
      lastMeterWh: 100,
      lastMeterAt: now,
      flagsJson: '[]',
      startFingerprint: 'f1',
      createdAt: now,
      updatedAt: now,
    }),
  );
  return { db, repository, session, now };
}

function reading(lastMeterWh: number, at: string) {
  return { lastMeterWh, lastMeterAt: at, lastMeterChargerAt: at, flagsJson: '[]' };
}

describe('sessions looked up inside writes (every MeterValues)', () => {
  test('a reading stored in a savepoint that rolls back is forgotten with it', async () => {
    const { db, repository, now } = setUp();
    const failed = db.write(() => {
      const row = repository.byChargerTransaction('CP1', 'T1')!;
      repository.setLastMeter(row, reading(999, now), now);
      expect(repository.byChargerTransaction('CP1', 'T1')!.lastMeterWh).toBe(999);
      throw new Error('the rest of this message failed');
    });
    await expect(failed).rejects.toThrow('the rest of this message failed');
    expect(await db.write(() => repository.byChargerTransaction('CP1', 'T1')!.lastMeterWh)).toBe(100);
    db.close();
  });

  test('a change made through the repository is what the next lookup sees', async () => {
    const { db, repository, now } = setUp();
    await db.write(() => repository.setLastMeter(repository.byChargerTransaction('CP1', 'T1')!, reading(150, now), now));
    expect(await db.write(() => repository.byChargerTransaction('CP1', 'T1')!.lastMeterWh)).toBe(150);
    await db.write(() => repository.update(repository.byChargerTransaction('CP1', 'T1')!.id, { status: 'completed', meterStopWh: 150 }));
    expect(await db.write(() => repository.byChargerTransaction('CP1', 'T1')!.status)).toBe('completed');
    // Outside a write the lookup reads the database.
    expect(repository.byChargerTransaction('CP1', 'T1')).toMatchObject({ status: 'completed', lastMeterWh: 150 });
    db.close();
  });

  test('a nested transaction that rolls back inside a write undoes what it cached, the write goes on', async () => {
    const { db, repository, now } = setUp();
    const lastMeterWh = await db.write(() => {
      expect(() =>
        db.tx(() => {
          repository.setLastMeter(repository.byChargerTransaction('CP1', 'T1')!, reading(500, now), now);
          throw new Error('nested failure');
        }),
      ).toThrow('nested failure');
      return repository.byChargerTransaction('CP1', 'T1')!.lastMeterWh;
    });
    expect(lastMeterWh).toBe(100);
    db.close();
  });
});
