import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';

export type SessionRow = typeof schema.sessions.$inferSelect;
export type MeterValueRow = typeof schema.meterValues.$inferSelect;

export interface SessionFilter {
  chargerId?: string | undefined;
  userId?: number | undefined;
  cardUid?: string | undefined;
  status?: 'active' | 'completed' | undefined;
  /** startedAt >= from */
  from?: string | undefined;
  /** startedAt < to */
  to?: string | undefined;
}

export class SessionRepository {
  private readonly byTransaction;
  private readonly byFingerprint;
  private readonly byIdStatement;
  private readonly insertMeterValue;
  private readonly updateLastMeter;
  private readonly activeByTag;

  constructor(private readonly db: Db) {
    const { sessions, meterValues } = schema;
    this.byTransaction = db.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.chargerId, sql.placeholder('chargerId')), eq(sessions.transactionId, sql.placeholder('transactionId'))))
      .prepare();
    this.byFingerprint = db.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.chargerId, sql.placeholder('chargerId')), eq(sessions.startFingerprint, sql.placeholder('fingerprint'))))
      .prepare();
    this.byIdStatement = db.orm.select().from(sessions).where(eq(sessions.id, sql.placeholder('id'))).prepare();
    this.insertMeterValue = db.orm
      .insert(meterValues)
      .values({
        sessionId: sql.placeholder('sessionId'),
        chargerId: sql.placeholder('chargerId'),
        connectorId: sql.placeholder('connectorId'),
        transactionId: sql.placeholder('transactionId'),
        timestamp: sql.placeholder('timestamp'),
        context: sql.placeholder('context'),
        energyRegisterWh: sql.placeholder('energyRegisterWh'),
        rollback: sql.placeholder('rollback'),
        sampledValueJson: sql.placeholder('sampledValueJson'),
        receivedAt: sql.placeholder('receivedAt'),
      })
      .prepare();
    this.updateLastMeter = db.orm
      .update(sessions)
      .set({
        lastMeterWh: sql`${sql.placeholder('lastMeterWh')}`,
        lastMeterAt: sql`${sql.placeholder('lastMeterAt')}`,
        updatedAt: sql`${sql.placeholder('updatedAt')}`,
      })
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare();
    this.activeByTag = db.orm
      .select({ count: sql<number>`count(*)` })
      .from(sessions)
      .where(and(eq(sessions.idTag, sql.placeholder('idTag')), eq(sessions.status, 'active')))
      .prepare();
  }

  byId(id: number): SessionRow | undefined {
    return this.byIdStatement.get({ id });
  }

  byChargerTransaction(chargerId: string, transactionId: string): SessionRow | undefined {
    return this.byTransaction.get({ chargerId, transactionId });
  }

  byStartFingerprint(chargerId: string, fingerprint: string): SessionRow | undefined {
    return this.byFingerprint.get({ chargerId, fingerprint });
  }

  activeCountForTag(idTag: string): number {
    return this.activeByTag.get({ idTag })?.count ?? 0;
  }

  insert(row: typeof schema.sessions.$inferInsert): SessionRow {
    return this.db.orm.insert(schema.sessions).values(row).returning().get();
  }

  update(id: number, patch: Partial<typeof schema.sessions.$inferInsert>): SessionRow {
    return this.db.orm.update(schema.sessions).set(patch).where(eq(schema.sessions.id, id)).returning().get()!;
  }

  setLastMeter(id: number, lastMeterWh: number, lastMeterAt: string, updatedAt: string): void {
    this.updateLastMeter.run({ id, lastMeterWh, lastMeterAt, updatedAt });
  }

  addMeterValue(row: Omit<MeterValueRow, 'id'>): void {
    this.insertMeterValue.run({ ...row, rollback: row.rollback ? 1 : 0 } as never);
  }

  meterValues(sessionId: number): MeterValueRow[] {
    return this.db.orm
      .select()
      .from(schema.meterValues)
      .where(eq(schema.meterValues.sessionId, sessionId))
      .orderBy(schema.meterValues.timestamp, schema.meterValues.id)
      .all();
  }

  active(chargerId?: string): SessionRow[] {
    const { sessions } = schema;
    return this.db.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.status, 'active'), chargerId ? eq(sessions.chargerId, chargerId) : undefined))
      .orderBy(desc(sessions.startedAt))
      .all();
  }

  /** Newest first by startedAt, keyset-paginated on (startedAt, id) so pages never repeat or skip. */
  list(filter: SessionFilter, limit: number, after?: { startedAt: string; id: number }): SessionRow[] {
    const { sessions } = schema;
    const conditions: (SQL | undefined)[] = [
      filter.chargerId !== undefined ? eq(sessions.chargerId, filter.chargerId) : undefined,
      filter.userId !== undefined ? eq(sessions.userId, filter.userId) : undefined,
      filter.cardUid !== undefined ? eq(sessions.cardUid, filter.cardUid) : undefined,
      filter.status !== undefined ? eq(sessions.status, filter.status) : undefined,
      filter.from !== undefined ? gte(sessions.startedAt, filter.from) : undefined,
      filter.to !== undefined ? lt(sessions.startedAt, filter.to) : undefined,
      after
        ? sql`(${sessions.startedAt} < ${after.startedAt} OR (${sessions.startedAt} = ${after.startedAt} AND ${sessions.id} < ${after.id}))`
        : undefined,
    ];
    return this.db.orm
      .select()
      .from(sessions)
      .where(and(...conditions))
      .orderBy(desc(sessions.startedAt), desc(sessions.id))
      .limit(limit)
      .all();
  }

  /** Sessions that ended within [fromIso, toIso), for reports. */
  endedBetween(fromIso: string, toIso: string): SessionRow[] {
    const { sessions } = schema;
    return this.db.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.status, 'completed'), gte(sessions.stoppedAt, fromIso), lt(sessions.stoppedAt, toIso)))
      .all();
  }

  recordUnmatched(chargerId: string, transactionId: string, action: string, payload: unknown, receivedAt: string): void {
    this.db.orm
      .insert(schema.unmatchedTransactionMessages)
      .values({ chargerId, transactionId, action, payloadJson: JSON.stringify(payload), receivedAt })
      .run();
  }

  unmatched(limit: number) {
    return this.db.orm
      .select()
      .from(schema.unmatchedTransactionMessages)
      .orderBy(desc(schema.unmatchedTransactionMessages.id))
      .limit(limit)
      .all();
  }
}
