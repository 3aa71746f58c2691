import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import { nowIso, redactSecrets, type AuditActor, type AuditEntry, type RecordAudit } from '../shared';

export type AuditRow = typeof schema.auditLog.$inferSelect;

interface AuditFilter {
  actorName?: string | undefined;
  objectType?: string | undefined;
  action?: string | undefined;
  fromIso?: string | undefined;
  toIso?: string | undefined;
}

/**
 * The audit log of every change staff and API clients make, from either door: who, what, when,
 * before and after. Each domain writes its entries inside its own write (RecordAudit).
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Writes inside the caller's transaction when there is one (synchronous insert); bound, so it is handed to domains as their RecordAudit. */
  readonly recordNow: RecordAudit = (actor, entry) => {
    this.db.orm
      .insert(schema.auditLog)
      .values({
        at: nowIso(),
        actorUserId: actor.userId,
        actorName: actor.name,
        action: entry.action,
        objectType: entry.objectType,
        objectId: entry.objectId === undefined || entry.objectId === null ? null : String(entry.objectId),
        beforeJson: entry.before === undefined ? null : JSON.stringify(redactSecrets(entry.before)),
        afterJson: entry.after === undefined ? null : JSON.stringify(redactSecrets(entry.after)),
      })
      .run();
  };

  async record(actor: AuditActor, entry: AuditEntry): Promise<void> {
    await this.db.write(() => this.recordNow(actor, entry));
  }


  list(filter: AuditFilter, limit: number, beforeId?: number): AuditRow[] {
    const conditions: SQL[] = [];
    if (filter.actorName) conditions.push(eq(schema.auditLog.actorName, filter.actorName));
    if (filter.objectType) conditions.push(eq(schema.auditLog.objectType, filter.objectType));
    if (filter.action) conditions.push(like(schema.auditLog.action, `${filter.action.replace(/[%_]/g, '')}%`));
    if (filter.fromIso) conditions.push(gte(schema.auditLog.at, filter.fromIso));
    if (filter.toIso) conditions.push(lt(schema.auditLog.at, filter.toIso));
    if (beforeId !== undefined) conditions.push(lt(schema.auditLog.id, beforeId));
    return this.db.orm
      .select()
      .from(schema.auditLog)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(schema.auditLog.id))
      .limit(limit)
      .all();
  }
}
