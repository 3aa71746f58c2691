import { and, asc, desc, eq, gt, lt, lte, sql } from 'drizzle-orm';
import type { Db, Statement } from '../db';
import { schema, selectList } from '../db';

export type ChargerRow = typeof schema.chargers.$inferSelect;
export type ConnectorRow = typeof schema.connectors.$inferSelect;
export type Registration = ChargerRow['registration'];

/** SQL for chargers, connectors and their status history. */
export class ChargerRepository {
  private readonly byId: Statement<ChargerRow>;
  private readonly setLastSeenStatement: Statement<unknown>;
  private readonly setConnectedStatement: Statement<unknown>;
  private readonly setBootStatement: Statement<{ registration: Registration }>;
  private readonly insertUnknownStatement: Statement<ChargerRow>;
  private readonly connectorsOf;
  private readonly upsertConnector;
  private readonly insertHistory;
  private readonly statusAtStatement;
  private readonly statusesBetweenStatement;

  constructor(private readonly db: Db) {
    // Raw and prepared once: every connected charger's time is written every few seconds.
    this.setLastSeenStatement = db.prepare('UPDATE chargers SET last_seen_at = @lastSeenAt WHERE id = @id');
    // Raw and prepared once too: written for every charger at each connection and boot, and a
    // query built anew each time left kilobytes of garbage per charger when a fleet connects (issue 17).
    this.setConnectedStatement = db.prepare('UPDATE chargers SET ocpp_version = @ocppVersion, last_connected_at = @at, last_seen_at = @at WHERE id = @id');
    this.setBootStatement = db.prepare<{ registration: Registration }>(
      `UPDATE chargers SET vendor = @vendor, model = @model, serial_number = @serialNumber, firmware_version = @firmwareVersion,
        iccid = @iccid, imsi = @imsi, meter_type = @meterType, meter_serial_number = @meterSerialNumber,
        last_boot_at = @at, last_seen_at = @at, updated_at = @at
      WHERE id = @id RETURNING registration`,
    );
    const { chargers, connectors, connectorStatusHistory } = schema;
    const rowColumns = selectList(chargers);
    // The new row comes back from the INSERT itself rather than a second lookup.
    this.insertUnknownStatement = db.prepare<ChargerRow>(
      `INSERT INTO chargers (id, registration, created_at, updated_at) VALUES (@id, @registration, @at, @at) RETURNING ${rowColumns}`,
    );
    // Raw: read on every transaction message (registration check).
    this.byId = db.prepare<ChargerRow>(`SELECT ${rowColumns} FROM chargers WHERE id = @id`);
    this.connectorsOf = db.orm
      .select()
      .from(connectors)
      .where(eq(connectors.chargerId, sql.placeholder('chargerId')))
      .orderBy(asc(connectors.connectorId), asc(connectors.evseConnectorId))
      .prepare();
    this.upsertConnector = db.orm
      .insert(connectors)
      .values({
        chargerId: sql.placeholder('chargerId'),
        connectorId: sql.placeholder('connectorId'),
        evseConnectorId: sql.placeholder('evseConnectorId'),
        evseId: sql.placeholder('evseId'),
        status: sql.placeholder('status'),
        errorCode: sql.placeholder('errorCode'),
        info: sql.placeholder('info'),
        vendorId: sql.placeholder('vendorId'),
        vendorErrorCode: sql.placeholder('vendorErrorCode'),
        statusAt: sql.placeholder('statusAt'),
        receivedAt: sql.placeholder('receivedAt'),
      })
      .onConflictDoUpdate({
        target: [connectors.chargerId, connectors.connectorId, connectors.evseConnectorId],
        set: {
          evseId: sql`excluded.evse_id`,
          status: sql`excluded.status`,
          errorCode: sql`excluded.error_code`,
          info: sql`excluded.info`,
          vendorId: sql`excluded.vendor_id`,
          vendorErrorCode: sql`excluded.vendor_error_code`,
          statusAt: sql`excluded.status_at`,
          receivedAt: sql`excluded.received_at`,
        },
      })
      .prepare();
    this.insertHistory = db.orm
      .insert(connectorStatusHistory)
      .values({
        chargerId: sql.placeholder('chargerId'),
        connectorId: sql.placeholder('connectorId'),
        evseConnectorId: sql.placeholder('evseConnectorId'),
        status: sql.placeholder('status'),
        errorCode: sql.placeholder('errorCode'),
        info: sql.placeholder('info'),
        vendorId: sql.placeholder('vendorId'),
        vendorErrorCode: sql.placeholder('vendorErrorCode'),
        statusAt: sql.placeholder('statusAt'),
        receivedAt: sql.placeholder('receivedAt'),
      })
      .prepare();
    // Billing reads a connector's statuses over every session it prices (idle time). Per EVSE: a
    // session does not know which plug of its EVSE it used; a 2.0.1 plug's own StatusNotification
    // never says SuspendedEV or Finishing, so another plug's reports can only shorten idle time.
    const onConnector = and(eq(connectorStatusHistory.chargerId, sql.placeholder('chargerId')), eq(connectorStatusHistory.connectorId, sql.placeholder('connectorId')));
    this.statusAtStatement = db.orm
      .select({ status: connectorStatusHistory.status, at: connectorStatusHistory.statusAt })
      .from(connectorStatusHistory)
      .where(and(onConnector, lte(connectorStatusHistory.statusAt, sql.placeholder('at'))))
      .orderBy(desc(connectorStatusHistory.statusAt), desc(connectorStatusHistory.id))
      .limit(1)
      .prepare();
    this.statusesBetweenStatement = db.orm
      .select({ status: connectorStatusHistory.status, at: connectorStatusHistory.statusAt })
      .from(connectorStatusHistory)
      .where(and(onConnector, gt(connectorStatusHistory.statusAt, sql.placeholder('from')), lt(connectorStatusHistory.statusAt, sql.placeholder('to'))))
      .orderBy(asc(connectorStatusHistory.statusAt), asc(connectorStatusHistory.id))
      .prepare();
  }

  get(id: string): ChargerRow | undefined {
    return this.byId.get({ id });
  }

  /** Newest first by creation, keyset-paginated on (createdAt, id). */
  list(limit: number, after?: { createdAt: string; id: string }): ChargerRow[] {
    const { chargers } = schema;
    const where = after
      ? sql`(${chargers.createdAt} < ${after.createdAt} OR (${chargers.createdAt} = ${after.createdAt} AND ${chargers.id} < ${after.id}))`
      : undefined;
    return this.db.orm.select().from(chargers).where(where).orderBy(desc(chargers.createdAt), desc(chargers.id)).limit(limit).all();
  }

  all(): ChargerRow[] {
    return this.db.orm.select().from(schema.chargers).orderBy(asc(schema.chargers.id)).all();
  }

  insert(row: typeof schema.chargers.$inferInsert): ChargerRow {
    return this.db.orm.insert(schema.chargers).values(row).returning().get();
  }

  /** A charger that connected on its own (admission policy accept or pending). */
  insertUnknown(id: string, registration: 'accepted' | 'pending', at: string): ChargerRow {
    return this.insertUnknownStatement.get({ id, registration, at })!;
  }

  /** The connection's protocol and time; the charger was seen then too. */
  setConnected(id: string, ocppVersion: string, at: string): void {
    this.setConnectedStatement.run({ id, ocppVersion, at });
  }

  /** What a BootNotification says of the charger; its registration, or undefined when it is gone. */
  setBoot(id: string, boot: Record<'vendor' | 'model' | 'serialNumber' | 'firmwareVersion' | 'iccid' | 'imsi' | 'meterType' | 'meterSerialNumber', string | null>, at: string): Registration | undefined {
    return this.setBootStatement.get({ id, ...boot, at })?.registration;
  }

  update(id: string, patch: Partial<typeof schema.chargers.$inferInsert>): ChargerRow | undefined {
    return this.db.orm.update(schema.chargers).set(patch).where(eq(schema.chargers.id, id)).returning().get();
  }

  delete(id: string): boolean {
    return this.db.orm.delete(schema.chargers).where(eq(schema.chargers.id, id)).run().changes > 0;
  }

  connectors(chargerId: string): ConnectorRow[] {
    return this.connectorsOf.all({ chargerId });
  }

  /** The connector's current status, and a row of its history unless `toHistory` is false (a repeat). */
  recordStatus(row: Omit<ConnectorRow, never>, toHistory: boolean): void {
    this.upsertConnector.run(row);
    if (toHistory) this.insertHistory.run(row);
  }

  statusHistory(chargerId: string, limit: number, beforeId?: number) {
    const { connectorStatusHistory: history } = schema;
    return this.db.orm
      .select()
      .from(history)
      .where(and(eq(history.chargerId, chargerId), beforeId ? lt(history.id, beforeId) : undefined))
      .orderBy(desc(history.id))
      .limit(limit)
      .all();
  }

  /** The connector's status in force at `at` (the newest reported at or before it). */
  connectorStatusAt(chargerId: string, connectorId: number, at: string): { status: string; at: string } | undefined {
    return this.statusAtStatement.get({ chargerId, connectorId, at });
  }

  /** The connector's status changes strictly between `from` and `to`, oldest first. */
  connectorStatusesBetween(chargerId: string, connectorId: number, from: string, to: string): { status: string; at: string }[] {
    return this.statusesBetweenStatement.all({ chargerId, connectorId, from, to });
  }

  /** Ids of the chargers staff accepted, in id order (reports list each, with or without sessions). */
  acceptedIds(): string[] {
    return this.db.orm
      .select({ id: schema.chargers.id })
      .from(schema.chargers)
      .where(eq(schema.chargers.registration, 'accepted'))
      .orderBy(asc(schema.chargers.id))
      .all()
      .map((row) => row.id);
  }

  recordEvent(chargerId: string, kind: string, payloadJson: string, receivedAt: string): void {
    this.db.orm.insert(schema.chargerEvents).values({ chargerId, kind, payloadJson, receivedAt }).run();
  }

  /** Deletes up to `limit` events received before `beforeIso`; returns how many. */
  pruneEvents(beforeIso: string, limit: number): number {
    return this.db.orm.run(sql`
      DELETE FROM charger_events WHERE id IN (
        SELECT id FROM charger_events WHERE received_at < ${beforeIso} ORDER BY id LIMIT ${limit})`).changes;
  }

  pendingCount(): number {
    return this.db.orm.get<{ n: number }>(sql`SELECT count(*) AS n FROM chargers WHERE registration = 'pending'`).n;
  }

  events(chargerId: string, limit: number) {
    return this.db.orm
      .select()
      .from(schema.chargerEvents)
      .where(eq(schema.chargerEvents.chargerId, chargerId))
      .orderBy(desc(schema.chargerEvents.id))
      .limit(limit)
      .all();
  }

  setLastSeen(id: string, lastSeenAt: string): void {
    this.setLastSeenStatement.run({ id, lastSeenAt });
  }
}
