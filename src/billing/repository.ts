import { eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema } from '../db';

export type SessionBillingRow = typeof schema.sessionBilling.$inferSelect;
export type Payer = SessionBillingRow['payer'];

/**
 * The `session_billing` table: how a session pays (fixed at its start) and what billing did at
 * its end. Billing runs inside every start and stop, so its statements are prepared once.
 */
export class BillingRepository {
  private readonly bySession;
  private readonly markBilledStatement;
  private readonly payersStatement: Statement<{ sessionId: number; payer: Payer }>;

  constructor(private readonly db: Db) {
    const { sessionBilling } = schema;
    this.bySession = db.orm.select().from(sessionBilling).where(eq(sessionBilling.sessionId, sql.placeholder('sessionId'))).prepare();
    this.markBilledStatement = db.orm
      .update(sessionBilling)
      .set({
        billedAt: sql`${sql.placeholder('billedAt')}`,
        chargeTransferId: sql`${sql.placeholder('chargeTransferId')}`,
        debtMinor: sql`${sql.placeholder('debtMinor')}`,
      })
      .where(eq(sessionBilling.sessionId, sql.placeholder('sessionId')))
      .prepare();
    // One statement for any number of sessions: the ids travel as one JSON array parameter.
    this.payersStatement = db.prepare('SELECT session_id AS sessionId, payer FROM session_billing WHERE session_id IN (SELECT value FROM json_each(@ids))');
  }

  bySessionId(sessionId: number): SessionBillingRow | undefined {
    return this.bySession.get({ sessionId });
  }

  insert(row: typeof schema.sessionBilling.$inferInsert): void {
    this.db.orm.insert(schema.sessionBilling).values(row).run();
  }

  /** A session billed with nothing to charge (no tariff priced it). */
  markBilledWithoutCharge(sessionId: number, billedAt: string): void {
    this.db.orm.update(schema.sessionBilling).set({ billedAt }).where(eq(schema.sessionBilling.sessionId, sessionId)).run();
  }

  markBilled(row: { sessionId: number; billedAt: string; chargeTransferId: number | null; debtMinor: number }): void {
    this.markBilledStatement.run(row);
  }

  recordRemoteStop(sessionId: number, requestedAt: string, reason: string): void {
    this.db.orm
      .update(schema.sessionBilling)
      .set({ remoteStopRequestedAt: requestedAt, remoteStopReason: reason })
      .where(eq(schema.sessionBilling.sessionId, sessionId))
      .run();
  }

  /** Who paid for each of these sessions (sessions without a billing row are left out). */
  payersOf(sessionIds: readonly number[]): Map<number, Payer> {
    if (sessionIds.length === 0) return new Map();
    return new Map(this.payersStatement.all({ ids: JSON.stringify(sessionIds) }).map((row) => [row.sessionId, row.payer]));
  }
}
