import path from 'node:path';
import { Database, loadMigrations, openSqlite } from '../db';
import { migrate } from '../db/migrator';
import { makeTempDir } from '../testing';
import { MessageLog } from '.';

type OcppLogEntry = Parameters<MessageLog['record']>[0];

function entry(chargerId: string, messageId: string, at = new Date().toISOString()): OcppLogEntry {
  return { chargerId, direction: 'in', messageTypeId: 2, messageId, action: 'Heartbeat', frame: `[2,"${messageId}","Heartbeat",{}]`, at };
}

describe('OCPP message log', () => {
  test('frames flushed in chunks are listed per charger newest first, and paging by id returns each exactly once', async () => {
    const db = Database.open(path.join(makeTempDir('chargeyard-log-'), 'log.db'));
    const log = new MessageLog(db);
    const written: string[] = [];
    for (let flush = 0; flush < 3; flush++) {
      for (let i = 0; i < 1500; i++) {
        // A flush bigger than one chunk (1,024 entries), another charger in between.
        log.record(entry('CP-A', `a-${flush}-${i}`));
        written.push(`a-${flush}-${i}`);
        if (i % 100 === 0) log.record(entry('CP-B', `b-${flush}-${i}`));
      }
      await log.flush();
    }
    const seen: string[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = log.list('CP-A', 500, beforeId);
      if (page.length === 0) break;
      expect(page.every((row) => row.chargerId === 'CP-A')).toBe(true);
      seen.push(...page.map((row) => row.messageId!));
      beforeId = page[page.length - 1]!.id;
    }
    expect(seen).toEqual([...written].reverse());
    expect(log.list('CP-B', 5).map((row) => row.messageId)).toEqual(['b-2-1400', 'b-2-1300', 'b-2-1200', 'b-2-1100', 'b-2-1000']);
    db.close();
  });

  test('frames logged before the chunked log are kept by the migration, in order', () => {
    const file = path.join(makeTempDir('chargeyard-log-'), 'old.db');
    const sqlite = openSqlite(file);
    const migrations = loadMigrations();
    const chunked = migrations.findIndex((migration) => migration.tag.endsWith('_ocpp_message_chunks'));
    migrate(sqlite, migrations.slice(0, chunked));
    const insert = sqlite.prepare("INSERT INTO ocpp_messages (charger_id, direction, message_type_id, message_id, action, frame, at) VALUES ('CP-OLD', ?, ?, ?, ?, ?, ?)");
    insert.run('in', 2, 'm1', 'BootNotification', '[2,"m1","BootNotification",{}]', '2026-11-01T10:00:00.000Z');
    insert.run('out', 3, 'm1', 'BootNotification', '[3,"m1",{"status":"Accepted"}]', '2026-11-01T10:00:00.010Z');
    sqlite.close();

    const db = Database.open(file);
    const rows = new MessageLog(db).list('CP-OLD', 10);
    expect(rows.map((row) => [row.direction, row.messageTypeId, row.messageId, row.frame, row.at])).toEqual([
      ['out', 3, 'm1', '[3,"m1",{"status":"Accepted"}]', '2026-11-01T10:00:00.010Z'],
      ['in', 2, 'm1', '[2,"m1","BootNotification",{}]', '2026-11-01T10:00:00.000Z'],
    ]);
    db.close();
  });
});
