import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openConnections, request } from './load';
import { startProcess } from './process';

/**
 * The lean ingestion ceiling (lean-server.ts) does the work its bench figure says, in both
 * writer modes: run compiled (dist/, built by `npm test` before jest; the worker thread needs the
 * compiled writer) as its own process, over real WebSockets, into a real SQLite file.
 */
const compiledServer = path.join(__dirname, '..', 'dist', 'bench', 'lean-server.js');

beforeAll(() => {
  if (!fs.existsSync(compiledServer)) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
});

const meterValues = (messageId: string, payload: Record<string, unknown>) => JSON.stringify([2, messageId, 'MeterValues', payload]);
const energy = (wh: number, timestamp: string) => ({
  timestamp,
  sampledValue: [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
    { value: '7200', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
  ],
});

describe.each(['main', 'worker'])('the lean ingestion server, writer on the %s thread', (writer) => {
  test('stores each MeterValue element with its session before answering, and refuses what the schema refuses', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-lean-test-'));
    const databaseFile = path.join(dir, 'lean.db');
    const lean = await startProcess(compiledServer, { LEAN_DATABASE_FILE: databaseFile, LEAN_WRITER: writer });
    const [first, second] = await openConnections(`ws://127.0.0.1:${lean.port}/ocpp/`, ['CP-A', 'CP-B']);
    try {
      // Both chargers at once, so their messages can share a turn and a commit.
      const answers = await Promise.all([
        request(first!, meterValues('a1', { connectorId: 1, transactionId: 11, meterValue: [energy(100, '2026-12-06T08:00:00.000Z')] })),
        request(second!, meterValues('b1', { connectorId: 2, transactionId: 12, meterValue: [energy(500, '2026-12-06T08:00:00.000Z'), energy(650, '2026-12-06T08:00:10.000Z')] })),
      ]);
      expect(answers).toEqual([
        [3, 'a1', {}],
        [3, 'b1', {}],
      ]);
      expect(await request(first!, meterValues('a2', { connectorId: 1, transactionId: 11, meterValue: [energy(200, '2026-12-06T08:00:10.000Z')] }))).toEqual([3, 'a2', {}]);
      // Outside a transaction: kept without a session, as the appliance keeps it.
      expect(await request(first!, meterValues('a3', { connectorId: 0, meterValue: [energy(300, '2026-12-06T08:00:20.000Z')] }))).toEqual([3, 'a3', {}]);

      expect(await request(first!, meterValues('bad1', { transactionId: 11, meterValue: [energy(1, '2026-12-06T08:00:30.000Z')] }))).toEqual([
        4,
        'bad1',
        'OccurenceConstraintViolation', // sic: OCPP-J 1.6 spells it so
        expect.stringContaining('connectorId'),
        expect.objectContaining({ keyword: 'required' }),
      ]);
      expect(await request(first!, meterValues('bad2', { connectorId: 1, transactionId: 11, meterValue: [energy(1, 'yesterday')] }))).toEqual([
        4,
        'bad2',
        'TypeConstraintViolation',
        expect.stringContaining('timestamp'),
        expect.objectContaining({ path: '/meterValue/0/timestamp' }),
      ]);
      expect(await request(first!, JSON.stringify([2, 'h1', 'Heartbeat', {}]))).toEqual([4, 'h1', 'NotImplemented', expect.any(String), {}]);

      // Answered means committed: another connection sees every row now.
      const database = new BetterSqlite3(databaseFile, { readonly: true });
      try {
        const rows = database
          .prepare('SELECT s.charger_id AS sessionCharger, s.transaction_id AS sessionTransaction, m.charger_id AS chargerId, m.transaction_id AS transactionId, m.connector_id AS connectorId, m.timestamp, m.energy_register_wh AS energyWh, m.sampled_value_json AS sampledValueJson FROM meter_values m LEFT JOIN sessions s ON s.id = m.session_id ORDER BY m.charger_id, m.timestamp')
          .all();
        expect(rows).toEqual([
          { sessionCharger: 'CP-A', sessionTransaction: '11', chargerId: 'CP-A', transactionId: '11', connectorId: 1, timestamp: '2026-12-06T08:00:00.000Z', energyWh: 100, sampledValueJson: JSON.stringify(energy(100, '').sampledValue) },
          { sessionCharger: 'CP-A', sessionTransaction: '11', chargerId: 'CP-A', transactionId: '11', connectorId: 1, timestamp: '2026-12-06T08:00:10.000Z', energyWh: 200, sampledValueJson: JSON.stringify(energy(200, '').sampledValue) },
          { sessionCharger: null, sessionTransaction: null, chargerId: 'CP-A', transactionId: null, connectorId: 0, timestamp: '2026-12-06T08:00:20.000Z', energyWh: 300, sampledValueJson: JSON.stringify(energy(300, '').sampledValue) },
          { sessionCharger: 'CP-B', sessionTransaction: '12', chargerId: 'CP-B', transactionId: '12', connectorId: 2, timestamp: '2026-12-06T08:00:00.000Z', energyWh: 500, sampledValueJson: JSON.stringify(energy(500, '').sampledValue) },
          { sessionCharger: 'CP-B', sessionTransaction: '12', chargerId: 'CP-B', transactionId: '12', connectorId: 2, timestamp: '2026-12-06T08:00:10.000Z', energyWh: 650, sampledValueJson: JSON.stringify(energy(650, '').sampledValue) },
        ]);
        expect(database.prepare('SELECT charger_id AS chargerId, transaction_id AS transactionId, last_meter_wh AS lastMeterWh, last_meter_charger_at AS lastMeterChargerAt FROM sessions ORDER BY charger_id').all()).toEqual([
          { chargerId: 'CP-A', transactionId: '11', lastMeterWh: 200, lastMeterChargerAt: '2026-12-06T08:00:10.000Z' },
          { chargerId: 'CP-B', transactionId: '12', lastMeterWh: 650, lastMeterChargerAt: '2026-12-06T08:00:10.000Z' },
        ]);
        // Made by the project's migrations, opened with the appliance writer's PRAGMAs.
        expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(database.prepare('SELECT count(*) AS count FROM schema_migrations').get()).toEqual({ count: fs.readdirSync(path.join(__dirname, '..', 'migrations')).filter((name) => name.endsWith('.sql')).length });
      } finally {
        database.close();
      }
    } finally {
      first!.ws.terminate();
      second!.ws.terminate();
      const exited = new Promise((resolve) => lean.child.once('exit', resolve));
      lean.child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
