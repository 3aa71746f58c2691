import fs from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openSqlite, type Sqlite } from '../src/db/connection';
import { DEFAULT_CHECKPOINT_OPTIONS, WalCheckpoints } from '../src/db/checkpoints';
import { migrate } from '../src/db/migrator';
import type { MeterValuesRequest } from '../src/ocpp/generated/v16';
import { energyRegisterWh } from '../src/sessions/meter';
import { trustedTimeOr } from '../src/shared/time';

/**
 * The storage half of the lean ingestion ceiling (lean-server.ts): the least SQLite work the
 * appliance does for a MeterValues message, with the same durability, in one class that runs on
 * the main thread or, as the whole of a worker thread, beside it.
 *
 * - The database is made by the project's own migrator and opened with the appliance's own
 *   PRAGMAs (`openSqlite` with walSyncedByCaller: WAL, synchronous=NORMAL, no automatic
 *   checkpoints, the same page cache).
 * - Each MeterValue element becomes one `meter_values` row with the columns the appliance writes
 *   (SessionService.storeMeterValues: one row per element, its sampled values as JSON), and its
 *   session gets one UPDATE of the last-meter columns: the bench's frames carry one element with
 *   three sampled values, so one INSERT and one UPDATE per message, as in the appliance.
 * - Everything that arrived since the last commit is one transaction (BEGIN IMMEDIATE … COMMIT,
 *   prepared statements, no savepoints).
 * - Durable means an `fdatasync` of the `-wal` file that started after the commit returned (up
 *   to two at a time, on libuv's thread pool, as the appliance and the durable echo).
 * - The WAL is checkpointed the appliance's way (WalCheckpoints, the project's own: PASSIVE
 *   passes from their own thread, and a hold past 64 MiB so the log starts over), because a
 *   design that never checkpoints cannot run for long; its cost belongs in the ceiling.
 *
 * Sessions: the bench sends the transaction ids the appliance gave its own chargers. A
 * (charger, transaction id) pair seen for the first time gets a session row inserted in the
 * same transaction as its first meter value (lazily: 1,000 inserts among a hundred thousand
 * messages), and its id is kept in memory for the rest of the run, as the appliance's
 * repository keeps the rows it looked up.
 */

/** Meter values to store, flattened: ROW_FIELDS entries per MeterValue element, at the places FIELD names. */
export type MeterRows = (string | number | null)[];

/** Where each field sits in a row of MeterRows. */
export const FIELD = {
  chargerId: 0,
  transactionId: 1,
  connectorId: 2,
  timestamp: 3,
  context: 4,
  energyRegisterWh: 5,
  sampledValueJson: 6,
  receivedAt: 7,
  /** When the session's last reading was taken, as the appliance trusts it (trustedTimeOr). */
  lastMeterAt: 8,
} as const;
export const ROW_FIELDS = 9;

export interface WriterStats {
  commits: number;
  rowsStored: number;
  /** Times writes waited for a checkpoint so the WAL could start over, and the longest wait. */
  holds: number;
  longestHoldMs: number;
  largestWalBytes: number;
}

/** Appends the rows of one validated MeterValues request (one per MeterValue element, as the appliance stores them). */
export function pushMeterRows(rows: MeterRows, chargerId: string, request: MeterValuesRequest, receivedAt: string): void {
  const transactionId = request.transactionId === undefined ? null : String(request.transactionId);
  for (const meterValue of request.meterValue) {
    // In the order FIELD names.
    rows.push(
      chargerId,
      transactionId,
      request.connectorId,
      meterValue.timestamp,
      meterValue.sampledValue[0]?.context ?? null,
      energyRegisterWh(meterValue.sampledValue) ?? null,
      JSON.stringify(meterValue.sampledValue),
      receivedAt,
      trustedTimeOr(meterValue.timestamp, receivedAt),
    );
  }
}

/**
 * What the main thread posts to the worker: one turn's validated frames under one ticket, as one
 * string: charger id, NUL, frame, NUL, and so on (neither a JSON text nor an accepted charger id
 * holds a raw NUL). One string crosses threads as one copy; the rows of a turn as a flat array
 * were cloned value by value, and that cost the main thread 3–5 µs more per message than the
 * worker's second JSON.parse costs the worker (measured alternating the two, 2026-12-06).
 */
export interface FramesMessage {
  ticket: number;
  receivedAt: string;
  frames: string;
}
export const FRAME_SEPARATOR = '\0';

/** What the worker thread posts back: that it opened the database, that every batch up to a ticket is on disk, or its stats once closed. */
export type WriterReply = { ready: true } | { durableTicket: number } | { closed: WriterStats };

export class LeanWriter {
  private readonly sqlite: Sqlite;
  private readonly walFd: number;
  private readonly checkpoints: WalCheckpoints;
  private readonly begin;
  private readonly commit;
  private readonly insertMeterValue;
  private readonly updateLastMeter;
  private readonly insertSession;
  private readonly sessionIds = new Map<string, number>();
  private pendingRows: MeterRows = [];
  private pendingTicket: number | undefined;
  private commitScheduled = false;
  private held = false;
  /** The newest ticket committed and not yet covered by a sync that started after its commit. */
  private unsyncedTicket: number | undefined;
  /** Tickets of the syncs under way, oldest first: one that returns makes its own and every older one durable. */
  private readonly syncing: number[] = [];
  private closed = false;
  private commits = 0;
  private rowsStored = 0;

  constructor(
    file: string,
    private readonly onDurable: (ticket: number) => void,
  ) {
    this.sqlite = openSqlite(file, { walSyncedByCaller: true });
    migrate(this.sqlite);
    // A read makes SQLite open the -wal file; the descriptor is for the fdatasync.
    this.sqlite.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get();
    this.walFd = fs.openSync(`${file}-wal`, 'r');
    fs.fdatasyncSync(this.walFd);
    this.begin = this.sqlite.prepare('BEGIN IMMEDIATE');
    this.commit = this.sqlite.prepare('COMMIT');
    this.insertMeterValue = this.sqlite.prepare(
      `INSERT INTO meter_values (session_id, charger_id, connector_id, transaction_id, timestamp, context, energy_register_wh, rollback, sampled_value_json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    this.updateLastMeter = this.sqlite.prepare('UPDATE sessions SET last_meter_wh = ?, last_meter_at = ?, last_meter_charger_at = ?, updated_at = ? WHERE id = ?');
    this.insertSession = this.sqlite.prepare(
      `INSERT INTO sessions (transaction_id, charger_id, connector_id, ocpp_version, id_tag, authorization_status, status, started_at, meter_start_wh, start_fingerprint, created_at, updated_at)
       VALUES (?, ?, ?, '1.6', 'LEAN', 'Accepted', 'active', ?, 0, ?, ?, ?)`,
    );
    this.checkpoints = new WalCheckpoints(
      file,
      {
        walBytes: () => fs.fstatSync(this.walFd).size,
        quiet: () => this.unsyncedTicket === undefined && this.syncing.length === 0,
        holdWrites: () => {
          this.held = true;
        },
        resumeWrites: () => {
          this.held = false;
          this.commitSoon();
        },
        onProblem: (message) => process.stderr.write(`lean writer: ${message}\n`),
      },
      DEFAULT_CHECKPOINT_OPTIONS,
    );
  }

  /**
   * Queues one batch of rows for the next commit; `onDurable(ticket)` (or with a later ticket)
   * reports it on disk. Tickets only grow.
   */
  add(ticket: number, rows: MeterRows): void {
    if (this.pendingRows.length === 0) this.pendingRows = rows;
    else for (const value of rows) this.pendingRows.push(value);
    this.pendingTicket = ticket;
  }

  /** Commits what is queued now (unless writes are held for a checkpoint: then when they resume). */
  commitNow(): void {
    if (!this.held && !this.closed && this.pendingTicket !== undefined) this.commitPending();
  }

  /** Commits what is queued at the end of this turn of the event loop, with whatever else arrives in it. */
  commitSoon(): void {
    if (this.commitScheduled || this.held || this.closed) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      this.commitNow();
    });
  }

  /** How the run went, for the bench's figure text. */
  get stats(): WriterStats {
    const { holds, longestHoldMs, largestWalBytes } = this.checkpoints.stats;
    return { commits: this.commits, rowsStored: this.rowsStored, holds, longestHoldMs, largestWalBytes };
  }

  /** Commits what is queued, syncs it, and closes the database (the WAL checkpointed into the file). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.checkpoints.close();
    if (this.pendingTicket !== undefined && !this.held) this.commitPending();
    fs.fdatasyncSync(this.walFd);
    fs.closeSync(this.walFd);
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    this.sqlite.close();
  }

  private commitPending(): void {
    const rows = this.pendingRows;
    const ticket = this.pendingTicket!;
    this.pendingRows = [];
    this.pendingTicket = undefined;
    this.begin.run();
    try {
      for (let at = 0; at < rows.length; at += ROW_FIELDS) this.store(rows, at);
      this.commit.run();
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      throw error;
    }
    this.commits++;
    this.rowsStored += rows.length / ROW_FIELDS;
    this.unsyncedTicket = ticket;
    this.startSync();
  }

  private store(rows: MeterRows, at: number): void {
    const chargerId = rows[at + FIELD.chargerId] as string;
    const transactionId = rows[at + FIELD.transactionId] as string | null;
    const connectorId = rows[at + FIELD.connectorId] as number;
    const timestamp = rows[at + FIELD.timestamp] as string;
    const receivedAt = rows[at + FIELD.receivedAt] as string;
    const energyRegisterWh = rows[at + FIELD.energyRegisterWh];
    // Meter values outside a transaction are kept without a session, as the appliance keeps them.
    const sessionId = transactionId === null ? null : this.sessionOf(chargerId, transactionId, connectorId, receivedAt);
    this.insertMeterValue.run(
      sessionId,
      chargerId,
      connectorId,
      transactionId,
      timestamp,
      rows[at + FIELD.context],
      energyRegisterWh,
      rows[at + FIELD.sampledValueJson],
      receivedAt,
    );
    if (sessionId !== null && energyRegisterWh !== null) this.updateLastMeter.run(energyRegisterWh, rows[at + FIELD.lastMeterAt], timestamp, receivedAt, sessionId);
  }

  private sessionOf(chargerId: string, transactionId: string, connectorId: number, receivedAt: string): number {
    const key = `${chargerId}\n${transactionId}`;
    let sessionId = this.sessionIds.get(key);
    if (sessionId === undefined) {
      sessionId = Number(this.insertSession.run(transactionId, chargerId, connectorId, receivedAt, `lean-${key}`, receivedAt, receivedAt).lastInsertRowid);
      this.sessionIds.set(key, sessionId);
    }
    return sessionId;
  }

  private startSync(): void {
    if (this.syncing.length >= 2 || this.unsyncedTicket === undefined || this.closed) return;
    const ticket = this.unsyncedTicket;
    this.unsyncedTicket = undefined;
    this.syncing.push(ticket);
    fs.fdatasync(this.walFd, (error) => {
      if (this.closed) return;
      if (error) throw error;
      const index = this.syncing.indexOf(ticket);
      if (index >= 0) this.syncing.splice(0, index + 1);
      this.onDurable(ticket);
      this.startSync();
      this.checkpoints.afterSync();
    });
  }
}

/** The worker thread's side (LEAN_WRITER=worker): the writer, fed one batch of frames per main-thread turn. */
if (!isMainThread && (workerData as { leanWriterFile?: string } | undefined)?.leanWriterFile) {
  const port = parentPort!;
  const writer = new LeanWriter((workerData as { leanWriterFile: string }).leanWriterFile, (durableTicket) => port.postMessage({ durableTicket } satisfies WriterReply));
  port.postMessage({ ready: true } satisfies WriterReply);
  port.on('message', (message: FramesMessage | 'close') => {
    if (message === 'close') {
      writer.close();
      port.postMessage({ closed: writer.stats } satisfies WriterReply);
      port.close();
    } else {
      writer.add(message.ticket, rowsOfFrames(message));
      // Batches that arrive in the same turn of this thread's loop share a commit.
      writer.commitSoon();
    }
  });
}

function rowsOfFrames({ frames, receivedAt }: FramesMessage): MeterRows {
  const rows: MeterRows = [];
  const parts = frames.split(FRAME_SEPARATOR);
  // The string ends with a separator: the last part is empty.
  for (let index = 0; index + 1 < parts.length; index += 2) {
    pushMeterRows(rows, parts[index]!, (JSON.parse(parts[index + 1]!) as [number, string, string, MeterValuesRequest])[3], receivedAt);
  }
  return rows;
}
