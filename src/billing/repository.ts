import { eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema, TableWriter } from '../db';

export type SessionBillingRow = typeof schema.sessionBilling.$inferSelect;
export type Payer = SessionBillingRow['payer'];

/**
 * The `session_billing` table: how a session pays (fixed at its start) and what billing did at
 * its end. Billing runs inside every start and stop, so its statements are prepared once.
 */
export class BillingRepository {
  private readonly bySession;
  /** Raw prepared inserts and updates (cached per set of columns): billing writes a row at every start and stop. */
  private readonly writer: TableWriter<typeof schema.sessionBilling.$inferInsert>;
  private readonly payersStatement: Statement<{ sessionId: number; payer: Payer }>;

  constructor(db: Db) {
    this.bySession = db.orm.select().from(schema.sessionBilling).where(eq(schema.sessionBilling.sessionId, sql.placeholder('sessionId'))).prepare();
    this.writer = new TableWriter(db, schema.sessionBilling, 'sessionId');
    // One statement for any number of sessions: the ids travel as one JSON array parameter.
    this.payersStatement = db.prepare('SELECT session_id AS sessionId, payer FROM session_billing WHERE session_id IN (SELECT value FROM json_each(@ids))');
  }

  bySessionId(sessionId: number): SessionBillingRow | undefined {
    return this.bySession.get({ sessionId });
  }

  insert(row: typeof schema.sessionBilling.$inferInsert): void {
    this.writer.insert(row);
  }

  /** A session billed with nothing to charge (no tariff priced it). */
  markBilledWithoutCharge(sessionId: number, billedAt: string): void {
    this.writer.update(sessionId, { billedAt });
  }

  markBilled(row: { sessionId: number; billedAt: string; chargeTransferId: number | null; debtMinor: number }): void {
    this.writer.update(row.sessionId, { billedAt: row.billedAt, chargeTransferId: row.chargeTransferId, debtMinor: row.debtMinor });
  }

  recordRemoteStop(sessionId: number, requestedAt: string, reason: string): void {
    this.writer.update(sessionId, { remoteStopRequestedAt: requestedAt, remoteStopReason: reason });
  }

  /** Who paid for each of these sessions (sessions without a billing row are left out). */
  payersOf(sessionIds: readonly number[]): Map<number, Payer> {
    if (sessionIds.length === 0) return new Map();
    return new Map(this.payersStatement.all({ ids: JSON.stringify(sessionIds) }).map((row) => [row.sessionId, row.payer]));
  }
}
