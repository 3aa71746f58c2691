import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema } from '../db';

interface OcppLogEntry {
  chargerId: string;
  direction: 'in' | 'out';
  messageTypeId: number;
  messageId: string | null;
  action: string | null;
  frame: string;
  at: string;
}

/** Frames longer than this are stored cut, with a marker; the log is for people, not replay. */
const MAX_LOGGED_FRAME_CHARS = 8192;
/** Entries waiting for the next flush; beyond this the oldest are dropped (and counted). */
const MAX_PENDING_ENTRIES = 50_000;
const FLUSH_INTERVAL_MS = 250;
const LOG_ROWS_PER_WRITE = 64;

/**
 * The per-charger OCPP message log. It is diagnostic, not a record of anything a charger was
 * promised, so it is written in the background in large batches rather than delaying answers;
 * entries are pruned by the retention setting (the housekeeping job).
 */
export class MessageLog {
  private pending: OcppLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((entry: OcppLogEntry) => void)[] = [];
  dropped = 0;

  private readonly insert: Statement<unknown>;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO ocpp_messages (charger_id, direction, message_type_id, message_id, action, frame, at) VALUES (@chargerId, @direction, @messageTypeId, @messageId, @action, @frame, @at)',
    );
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Live listeners (the UI's log view) hear every entry at once. */
  onEntry(listener: (entry: OcppLogEntry) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  record(entry: OcppLogEntry): void {
    if (entry.frame.length > MAX_LOGGED_FRAME_CHARS) {
      entry.frame = `${entry.frame.slice(0, MAX_LOGGED_FRAME_CHARS)}…[cut, ${entry.frame.length} chars]`;
    }
    if (this.pending.length >= MAX_PENDING_ENTRIES) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push(entry);
    for (const listener of this.listeners) listener(entry);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Written in small pieces so the group commit can slice them between charger messages.
    const pieces: Promise<void>[] = [];
    for (let start = 0; start < batch.length; start += LOG_ROWS_PER_WRITE) {
      const piece = batch.slice(start, start + LOG_ROWS_PER_WRITE);
      pieces.push(
        this.db
          .write(() => {
            for (const entry of piece) this.insert.run(entry as unknown as Record<string, unknown>);
          })
          .catch(() => {
            this.dropped += piece.length;
          }),
      );
    }
    await Promise.all(pieces);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Newest first; `beforeId` pages backwards. Includes entries not yet flushed. */
  list(chargerId: string, limit: number, beforeId?: number) {
    const { ocppMessages } = schema;
    return this.db.orm
      .select()
      .from(ocppMessages)
      .where(and(eq(ocppMessages.chargerId, chargerId), beforeId ? lt(ocppMessages.id, beforeId) : undefined))
      .orderBy(desc(ocppMessages.id))
      .limit(limit)
      .all();
  }

  /**
   * Deletes up to `maxRows` entries older than `beforeIso` in one write; returns how many went.
   * The caller repeats while a full batch went, so charger traffic never waits behind a long prune.
   */
  pruneBatch(beforeIso: string, maxRows: number): Promise<number> {
    const { ocppMessages } = schema;
    return this.db.write(() => {
      const ids = this.db.orm
        .select({ id: ocppMessages.id })
        .from(ocppMessages)
        .where(lt(ocppMessages.at, beforeIso))
        .limit(maxRows)
        .all()
        .map((row) => row.id);
      if (ids.length === 0) return 0;
      return this.db.orm.delete(ocppMessages).where(inArray(ocppMessages.id, ids)).run().changes;
    });
  }
}
