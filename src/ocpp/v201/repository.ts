import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { schema } from '../../db';

export type TransactionEventRow = typeof schema.ocpp201TransactionEvents.$inferSelect;
export type DeviceVariableRow = typeof schema.ocpp201DeviceVariables.$inferSelect;
export type DeviceVariableInsert = typeof schema.ocpp201DeviceVariables.$inferInsert;

/** SQL for what only OCPP 2.0.1 has: the TransactionEvent log and the reported device model. */
export class V201Repository {
  private readonly eventBySeq;
  private readonly eventsOf;
  private readonly firstEvseOf;
  private readonly firstPlugOf;

  constructor(private readonly db: Db) {
    const { ocpp201TransactionEvents: events } = schema;
    this.eventBySeq = db.orm
      .select()
      .from(events)
      .where(
        and(
          eq(events.chargerId, sql.placeholder('chargerId')),
          eq(events.transactionId, sql.placeholder('transactionId')),
          eq(events.seqNo, sql.placeholder('seqNo')),
        ),
      )
      .prepare();
    this.eventsOf = db.orm
      .select()
      .from(events)
      .where(and(eq(events.chargerId, sql.placeholder('chargerId')), eq(events.transactionId, sql.placeholder('transactionId'))))
      .orderBy(asc(events.seqNo), asc(events.id))
      .prepare();
    // The first event of a transaction that names the column (later events may leave it out).
    const firstNaming = (column: typeof events.evseId | typeof events.connectorId) =>
      db.orm
        .select({ value: column })
        .from(events)
        .where(and(eq(events.chargerId, sql.placeholder('chargerId')), eq(events.transactionId, sql.placeholder('transactionId')), isNotNull(column)))
        .orderBy(asc(events.seqNo), asc(events.id))
        .limit(1)
        .prepare();
    this.firstEvseOf = firstNaming(events.evseId);
    this.firstPlugOf = firstNaming(events.connectorId);
  }

  event(chargerId: string, transactionId: string, seqNo: number): TransactionEventRow | undefined {
    return this.eventBySeq.get({ chargerId, transactionId, seqNo });
  }

  /** The events of one transaction in seqNo order. */
  events(chargerId: string, transactionId: string): TransactionEventRow[] {
    return this.eventsOf.all({ chargerId, transactionId });
  }

  /** The EVSE named by the transaction's first event that names one (later events may leave it out). */
  firstEvseId(chargerId: string, transactionId: string): number | undefined {
    return this.firstEvseOf.get({ chargerId, transactionId })?.value ?? undefined;
  }

  /** The connector within its EVSE named by the transaction's first event that names one. */
  firstEvseConnectorId(chargerId: string, transactionId: string): number | undefined {
    return this.firstPlugOf.get({ chargerId, transactionId })?.value ?? undefined;
  }

  /** Records an event; false when this seqNo of the transaction was already recorded. */
  recordEvent(row: Omit<TransactionEventRow, 'id'>): boolean {
    const result = this.db.orm.insert(schema.ocpp201TransactionEvents).values(row).onConflictDoNothing().run();
    return result.changes > 0;
  }

  upsertVariables(rows: DeviceVariableInsert[]): void {
    const table = schema.ocpp201DeviceVariables;
    for (const row of rows) {
      this.db.orm
        .insert(table)
        .values(row)
        .onConflictDoUpdate({
          target: [
            table.chargerId,
            table.componentName,
            table.componentInstance,
            table.evseId,
            table.connectorId,
            table.variableName,
            table.variableInstance,
            table.attributeType,
          ],
          set: {
            value: sql`excluded.value`,
            mutability: sql`coalesce(excluded.mutability, ${table.mutability})`,
            dataType: sql`coalesce(excluded.data_type, ${table.dataType})`,
            reportedAt: sql`excluded.reported_at`,
          },
        })
        .run();
    }
  }

  variables(chargerId: string): DeviceVariableRow[] {
    const table = schema.ocpp201DeviceVariables;
    return this.db.orm
      .select()
      .from(table)
      .where(eq(table.chargerId, chargerId))
      .orderBy(asc(table.componentName), asc(table.evseId), asc(table.connectorId), asc(table.variableName), asc(table.id))
      .all();
  }

  hasDeviceModel(chargerId: string): boolean {
    const table = schema.ocpp201DeviceVariables;
    return this.db.orm.select({ id: table.id }).from(table).where(eq(table.chargerId, chargerId)).limit(1).get() !== undefined;
  }

  /** The Actual value of a station-wide variable, when the charger reported it. */
  stationVariable(chargerId: string, componentName: string, variableName: string, variableInstance = ''): string | null | undefined {
    const table = schema.ocpp201DeviceVariables;
    return this.db.orm
      .select({ value: table.value })
      .from(table)
      .where(
        and(
          eq(table.chargerId, chargerId),
          eq(table.componentName, componentName),
          eq(table.variableName, variableName),
          eq(table.variableInstance, variableInstance),
          eq(table.attributeType, 'Actual'),
        ),
      )
      .get()?.value;
  }
}
