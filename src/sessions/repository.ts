import { and, desc, eq, getTableColumns, gte, lt, sql, type SQL, type Table } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema, TableWriter } from '../db';

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
  private readonly byTransaction: Statement<SessionRow>;
  private readonly byFingerprint: Statement<SessionRow>;
  private readonly byIdStatement: Statement<SessionRow>;
  private readonly insertMeterValue: Statement<unknown>;
  private readonly updateLastMeter: Statement<unknown>;
  private readonly activeByTag: Statement<{ count: number }>;

  private readonly writer: TableWriter<typeof schema.sessions.$inferInsert>;

  constructor(private readonly db: Db) {
    this.writer = new TableWriter(db, schema.sessions);
    // Raw prepared statements: these run on every StartTransaction, MeterValues and Stop.
    const select = `SELECT ${selectList(schema.sessions)} FROM sessions`;
    this.byTransaction = db.prepare<SessionRow>(`${select} WHERE charger_id = @chargerId AND transaction_id = @transactionId`);
    this.byFingerprint = db.prepare<SessionRow>(`${select} WHERE charger_id = @chargerId AND start_fingerprint = @fingerprint`);
    this.byIdStatement = db.prepare<SessionRow>(`${select} WHERE id = @id`);
    this.insertMeterValue = db.prepare(
      `INSERT INTO meter_values (session_id, charger_id, connector_id, transaction_id, timestamp, context, energy_register_wh, rollback, sampled_value_json, received_at)
       VALUES (@sessionId, @chargerId, @connectorId, @transactionId, @timestamp, @context, @energyRegisterWh, @rollback, @sampledValueJson, @receivedAt)`,
    );
    this.updateLastMeter = db.prepare('UPDATE sessions SET last_meter_wh = @lastMeterWh, last_meter_at = @lastMeterAt, updated_at = @updatedAt WHERE id = @id');
    this.activeByTag = db.prepare<{ count: number }>("SELECT count(*) AS count FROM sessions WHERE id_tag = @idTag AND status = 'active'");
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
    return this.byId(this.writer.insert(row))!;
  }

  update(id: number, patch: Partial<typeof schema.sessions.$inferInsert>): SessionRow {
    this.writer.update(id, patch);
    return this.byId(id)!;
  }

  setLastMeter(id: number, lastMeterWh: number, lastMeterAt: string, updatedAt: string): void {
    this.updateLastMeter.run({ id, lastMeterWh, lastMeterAt, updatedAt });
  }

  addMeterValue(row: Omit<MeterValueRow, 'id'>): void {
    this.insertMeterValue.run({ ...row, rollback: row.rollback ? 1 : 0 });
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

/** `col_name AS "key"` for every column, so raw rows come back shaped like the ORM's. */
function selectList(table: Table): string {
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `${column.name} AS "${key}"`)
    .join(', ');
}
