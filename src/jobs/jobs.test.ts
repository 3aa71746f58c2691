import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ChargerService, MessageLog } from '../chargers';
import { Database, schema } from '../db';
import { backupFileName, backupsDir, listBackups, verifyDatabaseFile } from '../ops/backups';
import { STUCK_SESSION_FLAG, type SessionService } from '../sessions';
import type { SettingsService } from '../settings';
import { createTestDomains, testActor } from '../testing/domains';
import { createJobTable, type JobDependencies, JobScheduler } from '.';

const silent = pino({ level: 'silent' });

interface Fixture {
  dataDir: string;
  db: Database;
  settings: SettingsService;
  chargers: ChargerService;
  sessions: SessionService;
  messageLog: MessageLog;
  disconnected: string[];
  scheduler: JobScheduler;
}

const opened: Fixture[] = [];

function setUp(overrides: Partial<JobDependencies> = {}): Fixture {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-jobs-'));
  const db = Database.open(path.join(dataDir, 'chargeyard.db'));
  const { settings, chargers, sessions, messageLog } = createTestDomains(db);
  const disconnected: string[] = [];
  const deps: JobDependencies = {
    db,
    dataDir,
    settings,
    chargers,
    sessions,
    messageLog,
    disconnectCharger: (chargerId) => {
      disconnected.push(chargerId);
      chargers.markDisconnected(chargerId);
    },
    ...overrides,
  };
  const scheduler = new JobScheduler(createJobTable(deps), silent, 'UTC');
  const fixture = { dataDir, db, settings, chargers, sessions, messageLog, disconnected, scheduler };
  opened.push(fixture);
  return fixture;
}

afterEach(async () => {
  for (const fixture of opened.splice(0)) {
    await fixture.scheduler.stop();
    fixture.db.close();
    fs.rmSync(fixture.dataDir, { recursive: true, force: true });
  }
});

async function startSession(fixture: Fixture, chargerId: string, idTag: string) {
  await fixture.chargers.register({ id: chargerId }, testActor('test'));
  const { session } = await fixture.sessions.start({
    chargerId,
    connectorId: 1,
    idTag,
    meterStartWh: 1000,
    timestamp: new Date().toISOString(),
    ocppVersion: '1.6',
  });
  return session;
}

describe('the cron table', () => {
  test('every job has a unique name and a valid schedule, and starts and stops cleanly', async () => {
    const fixture = setUp();
    fixture.scheduler.start();
    const status = fixture.scheduler.status();
    expect(status.map((job) => job.name)).toEqual(['backup', 'charger-presence', 'stuck-sessions', 'expire-holds', 'expire-payment-requests', 'report-rollups', 'prune-logs']);
    for (const job of status) {
      expect(job.nextRunAt).not.toBeNull();
      expect(job.lastRunAt).toBeNull();
    }
    await fixture.scheduler.stop();
    expect(fixture.scheduler.status().every((job) => job.nextRunAt === null)).toBe(true);
  });

  test('an unknown job name is refused with the list of jobs', async () => {
    const fixture = setUp();
    await expect(fixture.scheduler.runJob('nope')).rejects.toThrow(/backup, charger-presence/);
  });
});

describe('backup job', () => {
  test('writes a verified backup with the current data into CSMS_DATA_DIR/backups', async () => {
    const fixture = setUp();
    await fixture.chargers.register({ id: 'CP-BACKUP', name: 'Gate 1' }, testActor('test'));
    const run = await fixture.scheduler.runJob('backup');
    expect(run).toMatchObject({ result: 'ok', trigger: 'on-demand' });
    const backups = listBackups(backupsDir(fixture.dataDir));
    expect(backups).toHaveLength(1);
    expect(backups[0]!.kind).toBe('nightly');
    expect(verifyDatabaseFile(backups[0]!.file).migrations).toBeGreaterThan(0);
    const copy = Database.open(backups[0]!.file);
    try {
      expect(copy.orm.select().from(schema.chargers).all().map((row) => row.name)).toEqual(['Gate 1']);
    } finally {
      copy.close();
    }
    const status = fixture.scheduler.status().find((job) => job.name === 'backup')!;
    expect(status).toMatchObject({ lastResult: 'ok', runs: 1, failures: 0, running: false });
    expect(status.lastDurationMs).toBeGreaterThanOrEqual(0);
  });

  test('keeps 14 daily and 8 weekly nightly backups and removes older ones', async () => {
    const fixture = setUp();
    const dir = backupsDir(fixture.dataDir);
    fs.mkdirSync(dir, { recursive: true });
    // 90 days of nightly backups, two on each day; plus old manual backups.
    const start = Date.UTC(2026, 0, 1, 2, 30);
    for (let day = 0; day < 90; day++) {
      for (const hour of [0, 1]) {
        fs.writeFileSync(path.join(dir, backupFileName('nightly', new Date(start + day * 86_400_000 + hour * 3600_000))), 'x');
      }
    }
    for (let i = 0; i < 7; i++) fs.writeFileSync(path.join(dir, backupFileName('manual', new Date(start + i * 1000))), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    const run = await fixture.scheduler.runJob('backup');
    expect(run.result).toBe('ok');
    const left = listBackups(dir);
    const nightly = left.filter((backup) => backup.kind === 'nightly');
    const days = new Set(nightly.map((backup) => backup.takenAt.toISOString().slice(0, 10)));
    // Today's run plus the 13 newest old days are the 14 daily ones; older weeks add weekly ones.
    expect(days.size).toBe(nightly.length);
    expect(nightly.length).toBeGreaterThanOrEqual(14);
    expect(nightly.length).toBeLessThanOrEqual(14 + 8);
    expect(left.filter((backup) => backup.kind === 'manual')).toHaveLength(5);
    expect(fs.existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });

  test('copies each backup into the second folder when one is set', async () => {
    const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-usb-'));
    try {
      const fixture = setUp({ backupCopyDir: copyDir });
      const run = await fixture.scheduler.runJob('backup');
      expect(run.result).toBe('ok');
      const copies = listBackups(copyDir);
      expect(copies).toHaveLength(1);
      verifyDatabaseFile(copies[0]!.file);
    } finally {
      fs.rmSync(copyDir, { recursive: true, force: true });
    }
  });

  test('a second folder that cannot be written makes the run fail, reported, without crashing', async () => {
    const blocker = path.join(os.tmpdir(), `chargeyard-not-a-dir-${process.pid}`);
    fs.writeFileSync(blocker, 'a file where the folder should be');
    try {
      const fixture = setUp({ backupCopyDir: path.join(blocker, 'sub') });
      const run = await fixture.scheduler.runJob('backup');
      expect(run.result).toBe('failed');
      const status = fixture.scheduler.status().find((job) => job.name === 'backup')!;
      expect(status).toMatchObject({ lastResult: 'failed', failures: 1 });
      expect(status.lastSummary).toMatch(/ENOTDIR|EEXIST/);
      // The local backup was still made.
      expect(listBackups(backupsDir(fixture.dataDir))).toHaveLength(1);
    } finally {
      fs.rmSync(blocker, { force: true });
    }
  });
});

describe('job runs', () => {
  test('a job that is still running is skipped, not started a second time', async () => {
    const fixture = setUp();
    const first = fixture.scheduler.runJob('backup');
    const second = await fixture.scheduler.runJob('backup');
    expect(second).toMatchObject({ result: 'skipped' });
    expect((await first).result).toBe('ok');
    expect(listBackups(backupsDir(fixture.dataDir))).toHaveLength(1);
  });

  test('a job that throws is reported as failed and the scheduler keeps going', async () => {
    const fixture = setUp({
      expireHolds: async () => {
        throw new Error('ledger unavailable');
      },
    });
    const failed = await fixture.scheduler.runJob('expire-holds');
    expect(failed).toMatchObject({ result: 'failed', summary: 'ledger unavailable' });
    const ok = await fixture.scheduler.runJob('charger-presence');
    expect(ok.result).toBe('ok');
  });
});

describe('charger-presence job', () => {
  test('disconnects a connected charger silent for more than two heartbeat intervals, and only that one', async () => {
    const fixture = setUp();
    await fixture.settings.update({ heartbeatIntervalS: 60 }, testActor('test'));
    for (const id of ['CP-SILENT', 'CP-ALIVE']) {
      await fixture.chargers.register({ id }, testActor('test'));
      fixture.chargers.markConnected(id, '1.6');
    }
    fixture.chargers.touch('CP-SILENT', new Date(Date.now() - 10 * 60_000).toISOString());
    const run = await fixture.scheduler.runJob('charger-presence');
    expect(run.result).toBe('ok');
    expect(fixture.disconnected).toEqual(['CP-SILENT']);
    expect(fixture.chargers.isConnected('CP-SILENT')).toBe(false);
    expect(fixture.chargers.isConnected('CP-ALIVE')).toBe(true);
  });
});

describe('stuck-sessions job', () => {
  test('flags an active session with no meter values for hours, and unflags it when values arrive', async () => {
    const fixture = setUp({ stuckAfterS: 3600 });
    const session = await startSession(fixture, 'CP-STUCK', 'TAG-1');
    // Pretend the session started three hours ago and nothing came since.
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await fixture.db.write(() => fixture.sessions.repository.update(session.id, { createdAt: threeHoursAgo }));
    await fixture.scheduler.runJob('stuck-sessions');
    expect(JSON.parse(fixture.sessions.get(session.id)!.flagsJson)).toContain(STUCK_SESSION_FLAG);

    await fixture.sessions.meterValues({
      chargerId: 'CP-STUCK',
      connectorId: 1,
      transactionId: session.transactionId!,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1500' }] }],
    });
    await fixture.scheduler.runJob('stuck-sessions');
    expect(JSON.parse(fixture.sessions.get(session.id)!.flagsJson)).not.toContain(STUCK_SESSION_FLAG);
  });

  test('leaves a session with recent meter values alone', async () => {
    const fixture = setUp({ stuckAfterS: 3600 });
    const session = await startSession(fixture, 'CP-FINE', 'TAG-2');
    const run = await fixture.scheduler.runJob('stuck-sessions');
    expect(run.summary).toMatch(/^0 session/);
    expect(JSON.parse(fixture.sessions.get(session.id)!.flagsJson)).toEqual([]);
  });
});

describe('expire-holds job', () => {
  test('calls the ledger with the run time and reports how many holds it released', async () => {
    const calls: string[] = [];
    const fixture = setUp({
      expireHolds: async (nowIso) => {
        calls.push(nowIso);
        return 3;
      },
    });
    const run = await fixture.scheduler.runJob('expire-holds');
    expect(run).toMatchObject({ result: 'ok', summary: '3 hold(s) expired', summaryParts: [{ key: 'holdsExpired', values: { count: 3 } }] });
    expect(calls).toEqual([run.startedAt]);
  });
});

describe('prune-logs job', () => {
  test('deletes OCPP messages older than the retention setting and keeps newer ones', async () => {
    const fixture = setUp();
    await fixture.settings.update({ messageLogRetentionDays: 7 }, testActor('test'));
    const day = 86_400_000;
    const frame = (ageDays: number, messageId: string) => ({
      chargerId: 'CP-LOG',
      direction: 'in' as const,
      messageTypeId: 2,
      messageId,
      action: 'Heartbeat',
      frame: `[2,"${messageId}","Heartbeat",{}]`,
      at: new Date(Date.now() - ageDays * day).toISOString(),
    });
    for (let i = 0; i < 12_000; i++) fixture.messageLog.record(frame(10, `old-${i}`));
    await fixture.messageLog.flush();
    fixture.messageLog.record(frame(6, 'recent-6'));
    fixture.messageLog.record(frame(1, 'recent-1'));
    await fixture.messageLog.flush();
    // DataTransfer and security-event payloads a charger sent have the same retention.
    const event = (ageDays: number, kind: string) => ({ chargerId: 'CP-LOG', kind, payloadJson: '{}', receivedAt: new Date(Date.now() - ageDays * day).toISOString() });
    await fixture.db.write(() => {
      fixture.db.orm.insert(schema.chargerEvents).values([event(10, 'DataTransfer'), event(9, 'SecurityEventNotification'), event(8, 'DataTransfer'), event(2, 'DataTransfer')]).run();
    });
    // Messages and readings for a transaction no session had (a broken charger's inventions) too.
    const unmatched = (ageDays: number, transactionId: string) => ({
      chargerId: 'CP-LOG',
      transactionId,
      action: 'MeterValues',
      payloadJson: '{}',
      receivedAt: new Date(Date.now() - ageDays * day).toISOString(),
    });
    const orphan = (ageDays: number, transactionId: string) => ({
      sessionId: null,
      chargerId: 'CP-LOG',
      connectorId: 1,
      transactionId,
      timestamp: new Date(Date.now() - ageDays * day).toISOString(),
      context: null,
      energyRegisterWh: 10,
      rollback: false,
      sampledValueJson: '[]',
      receivedAt: new Date(Date.now() - ageDays * day).toISOString(),
    });
    await fixture.db.write(() => {
      fixture.db.orm.insert(schema.unmatchedTransactionMessages).values([unmatched(10, 'old-a'), unmatched(8, 'old-b'), unmatched(3, 'new')]).run();
      fixture.db.orm.insert(schema.meterValues).values([orphan(10, 'old-a'), orphan(8, 'old-b'), orphan(1, 'new')]).run();
    });
    const run = await fixture.scheduler.runJob('prune-logs');
    expect(run).toMatchObject({
      result: 'ok',
      summary:
        '12000 OCPP message(s) and 3 charger event(s) older than 7 day(s) pruned, 2 message(s) and 2 meter reading(s) for transactions no session had, older than 7 day(s), removed',
    });
    const left = fixture.messageLog.list('CP-LOG', 100);
    expect(left.map((row) => row.messageId).sort()).toEqual(['recent-1', 'recent-6']);
    expect(fixture.db.orm.select().from(schema.chargerEvents).all().map((row) => row.kind)).toEqual(['DataTransfer']);
    expect(fixture.db.orm.select().from(schema.unmatchedTransactionMessages).all().map((row) => row.transactionId)).toEqual(['new']);
    expect(fixture.db.orm.select().from(schema.meterValues).all().map((row) => row.transactionId)).toEqual(['new']);
  });

  test('also removes expired staff sign-ins when wired', async () => {
    const fixture = setUp({ pruneExpiredSignIns: async () => 2 });
    const run = await fixture.scheduler.runJob('prune-logs');
    expect(run.summary).toMatch(/, 2 expired sign-in\(s\) removed$/);
  });
});

describe('job history', () => {
  test('last run, result and duration survive a restart of the appliance', async () => {
    const { startTestApp } = await import('../testing');
    let t = await startTestApp();
    const run = await t.app.services.jobs.runJob('charger-presence');
    expect(run.result).toBe('ok');
    t = await t.restart();
    try {
      const status = t.app.services.jobs.status().find((job) => job.name === 'charger-presence')!;
      expect(status).toMatchObject({ lastRunAt: run.startedAt, lastResult: 'ok', lastSummary: run.summary, lastDurationMs: run.durationMs, runs: 1, failures: 0 });
      // The summary's parts (key and numbers, for pages in other languages) are kept with it.
      expect(run.summaryParts).toEqual([{ key: 'chargersAlive', values: {} }]);
      expect(status.lastSummaryParts).toEqual(run.summaryParts);
    } finally {
      await t.close();
    }
  });
});

describe('prune-logs and idempotency keys', () => {
  test('keys older than the retention are forgotten, newer ones kept', async () => {
    const { startTestApp } = await import('../testing');
    const t = await startTestApp();
    try {
      const card = await t.api('POST', '/cards', { uid: 'IDEM1', kind: 'prepaid' });
      expect(card.status).toBe(201);
      expect((await t.api('POST', '/cards/IDEM1/topups', { amount: 100, method: 'cash' }, { headers: { 'Idempotency-Key': 'old-key' } })).status).toBe(201);
      expect((await t.api('POST', '/cards/IDEM1/topups', { amount: 100, method: 'cash' }, { headers: { 'Idempotency-Key': 'new-key' } })).status).toBe(201);
      const db = t.app.services.db;
      db.prepare("UPDATE idempotency_keys SET created_at = '2020-01-01T00:00:00.000Z' WHERE key LIKE '%old-key%'").run();
      const run = await t.app.services.jobs.runJob('prune-logs');
      expect(run.summary).toMatch(/1 idempotency key\(s\) older than 90 days forgotten/);
      const keys = db.prepare<{ key: string }>('SELECT key FROM idempotency_keys').all().map((row) => row.key);
      expect(keys.some((key) => key.includes('new-key'))).toBe(true);
      expect(keys.some((key) => key.includes('old-key'))).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe('report rollups', () => {
  test('closed days are rolled up; a late stop on a rolled-up day makes it live again; totals never change', async () => {
    const { startTestApp } = await import('../testing');
    const t = await startTestApp();
    try {
      await t.api('PATCH', '/settings', { timeZone: 'Asia/Kolkata' });
      await t.api('POST', '/cards', { uid: 'ROLL1', kind: 'personal' });
      await t.api('POST', '/cards', { uid: 'ROLL2', kind: 'personal' });
      const charger = await t.acceptedCharger('CP-ROLL');
      const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
      const at = (hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
      const first = await charger.startTransaction(1, 'ROLL1', 0, at(5));
      await charger.stopTransaction(first.transactionId, 5000, {}, at(6));
      const late = await charger.startTransaction(2, 'ROLL2', 0, at(7));

      const before = (await t.api('GET', `/reports/daily?date=${day}`)).body;
      const run = await t.app.services.jobs.runJob('report-rollups');
      expect(run.summary).toMatch(/day\(s\) rolled up/);
      expect(t.app.services.reports.isRolledUp(day)).toBe(true);
      expect((await t.api('GET', `/reports/daily?date=${day}`)).body).toEqual(before);

      // The charger catches up: a stop that ended on the rolled-up day.
      await charger.stopTransaction(late.transactionId, 3000, {}, at(8));
      expect(t.app.services.reports.isRolledUp(day)).toBe(false);
      const after = (await t.api('GET', `/reports/daily?date=${day}`)).body;
      expect(after.items.find((item: { chargerId: string }) => item.chargerId === 'CP-ROLL')).toMatchObject({ sessions: 2, energyWh: 8000 });
      await t.app.services.jobs.runJob('report-rollups');
      expect((await t.api('GET', `/reports/daily?date=${day}`)).body).toEqual(after);

      // Another time zone moves the day boundaries: the rollups made for the old zone are dropped.
      await t.api('PATCH', '/settings', { timeZone: 'UTC' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(t.app.services.reports.isRolledUp(day)).toBe(false);
    } finally {
      await t.close();
    }
  });
});
