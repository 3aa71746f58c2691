import { and, asc, desc, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema, selectList, TableWriter } from '../db';
import { trustedTimeOr } from '../shared';

export type SessionRow = typeof schema.sessions.$inferSelect;
type MeterValueRow = typeof schema.meterValues.$inferSelect;

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

type LastMeterPatch = Pick<SessionRow, 'lastMeterWh' | 'lastMeterAt' | 'lastMeterChargerAt' | 'flagsJson'>;

/** Rows remembered for lookups inside writes (about one per charging session); beyond it the memory starts over. */
const MAX_REMEMBERED_ROWS = 20_000;

export class SessionRepository {
  private readonly byTransaction: Statement<SessionRow>;
  private readonly byFingerprint: Statement<SessionRow>;
  private readonly byIdStatement: Statement<SessionRow>;
  private readonly insertMeterValue: Statement<unknown>;
  private readonly updateLastMeter: Statement<unknown>;
  private readonly activeByCard: Statement<{ count: number }>;
  private readonly trustedReadingsStatement;

  private readonly writer: TableWriter<typeof schema.sessions.$inferInsert>;
  /**
   * Rows looked up by (charger, transaction id) inside writes, kept for the next lookup: every
   * MeterValues makes one, and reading the row's 28 columns back cost more than storing the
   * values. Only writes use it (their answers wait for the sync that covers what they read);
   * every change of a row goes through this repository and refreshes or forgets it, and a
   * rolled-back savepoint forgets what it cached.
   */
  private readonly rowsByTransaction = new Map<string, SessionRow>();
  private readonly transactionKeyById = new Map<number, string>();

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
    this.updateLastMeter = db.prepare(
      'UPDATE sessions SET last_meter_wh = @lastMeterWh, last_meter_at = @lastMeterAt, last_meter_charger_at = @lastMeterChargerAt, flags_json = @flagsJson, updated_at = @updatedAt WHERE id = @id',
    );
    this.activeByCard = db.prepare<{ count: number }>("SELECT count(*) AS count FROM sessions WHERE card_uid = @cardUid AND status = 'active'");
    const { meterValues } = schema;
    // Billing reads these at every stop it prices.
    this.trustedReadingsStatement = db.orm
      .select({ at: meterValues.timestamp, receivedAt: meterValues.receivedAt, registerWh: meterValues.energyRegisterWh })
      .from(meterValues)
      .where(and(eq(meterValues.sessionId, sql.placeholder('sessionId')), eq(meterValues.rollback, false), isNotNull(meterValues.energyRegisterWh)))
      .orderBy(asc(meterValues.timestamp))
      .prepare();
  }

  byId(id: number): SessionRow | undefined {
    return this.byIdStatement.get({ id });
  }

  byChargerTransaction(chargerId: string, transactionId: string): SessionRow | undefined {
    if (!this.db.inWrite) return this.byTransaction.get({ chargerId, transactionId });
    const key = `${chargerId}\n${transactionId}`;
    const cached = this.rowsByTransaction.get(key);
    if (cached) return cached;
    const row = this.byTransaction.get({ chargerId, transactionId });
    if (row) this.remember(key, row);
    return row;
  }

  byStartFingerprint(chargerId: string, fingerprint: string): SessionRow | undefined {
    return this.byFingerprint.get({ chargerId, fingerprint });
  }

  /** Active sessions started with this card (whatever spelling of the UID the charger used). */
  activeCountForCard(cardUid: string): number {
    return this.activeByCard.get({ cardUid })?.count ?? 0;
  }

  insert(row: typeof schema.sessions.$inferInsert): SessionRow {
    return this.byId(this.writer.insert(row))!;
  }

  update(id: number, patch: Partial<typeof schema.sessions.$inferInsert>): SessionRow {
    this.forget(id);
    this.writer.update(id, patch);
    return this.byId(id)!;
  }

  /** The newest trusted register reading of a session and its flags; returns the row as it is now. */
  setLastMeter(session: SessionRow, patch: LastMeterPatch, updatedAt: string): SessionRow {
    this.updateLastMeter.run({ id: session.id, ...patch, updatedAt });
    const updated = { ...session, ...patch, updatedAt };
    const key = this.transactionKeyById.get(session.id);
    if (key !== undefined) this.remember(key, updated);
    return updated;
  }

  /** The tariff version that prices the session, fixed by billing when it starts. */
  setTariffVersion(id: number, tariffVersionId: number): void {
    this.forget(id);
    this.writer.update(id, { tariffVersionId });
  }

  /** Billing's price of the session, with the tariff version and the breakdown that made it. */
  setCost(id: number, cost: { costMinor: number; tariffVersionId: number; costBreakdownJson: string }): void {
    this.forget(id);
    this.writer.update(id, cost);
  }

  private remember(key: string, row: SessionRow): void {
    if (this.rowsByTransaction.size >= MAX_REMEMBERED_ROWS && !this.rowsByTransaction.has(key)) {
      this.rowsByTransaction.clear();
      this.transactionKeyById.clear();
    }
    this.rowsByTransaction.set(key, row);
    this.transactionKeyById.set(row.id, key);
    this.db.onRollback(() => this.forget(row.id));
  }

  private forget(id: number): void {
    const key = this.transactionKeyById.get(id);
    if (key === undefined) return;
    this.rowsByTransaction.delete(key);
    this.transactionKeyById.delete(id);
  }

  addMeterValue(row: Omit<MeterValueRow, 'id'>): void {
    this.insertMeterValue.run({
      sessionId: row.sessionId,
      chargerId: row.chargerId,
      connectorId: row.connectorId,
      transactionId: row.transactionId,
      timestamp: row.timestamp,
      context: row.context,
      energyRegisterWh: row.energyRegisterWh,
      rollback: row.rollback ? 1 : 0,
      sampledValueJson: row.sampledValueJson,
      receivedAt: row.receivedAt,
    });
  }

  meterValues(sessionId: number): MeterValueRow[] {
    return this.db.orm
      .select()
      .from(schema.meterValues)
      .where(eq(schema.meterValues.sessionId, sessionId))
      .orderBy(schema.meterValues.timestamp, schema.meterValues.id)
      .all();
  }

  /**
   * The session's energy register readings that can be trusted, oldest first, each at the
   * charger's time or, when that cannot be true, the time it arrived.
   */
  trustedReadings(sessionId: number): { at: string; registerWh: number }[] {
    return this.trustedReadingsStatement.all({ sessionId }).map((row) => ({ at: trustedTimeOr(row.at, row.receivedAt), registerWh: row.registerWh! }));
  }

  /** When the newest meter value of the session arrived, if any did. */
  lastMeterValueReceivedAt(sessionId: number): string | undefined {
    return this.db.orm
      .select({ receivedAt: schema.meterValues.receivedAt })
      .from(schema.meterValues)
      .where(eq(schema.meterValues.sessionId, sessionId))
      .orderBy(desc(schema.meterValues.id))
      .limit(1)
      .get()?.receivedAt;
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

  /**
   * Deletes up to `limit` messages and meter readings received before `beforeIso` that named a
   * transaction no session had (diagnostics, kept as long as the message log): a broken charger
   * sending readings for a transaction it invented would otherwise grow both without end.
   * Returns how many of each.
   */
  pruneUnmatched(beforeIso: string, limit: number): { messages: number; readings: number } {
    const messages = this.db.orm.run(sql`
      DELETE FROM unmatched_transaction_messages WHERE id IN (
        SELECT id FROM unmatched_transaction_messages WHERE received_at < ${beforeIso} ORDER BY id LIMIT ${limit})`).changes;
    // meter_values_session (session_id, id) walks the readings without a session, oldest first.
    const readings = this.db.orm.run(sql`
      DELETE FROM meter_values WHERE id IN (
        SELECT id FROM meter_values WHERE session_id IS NULL AND received_at < ${beforeIso} ORDER BY session_id, id LIMIT ${limit})`).changes;
    return { messages, readings };
  }
}
