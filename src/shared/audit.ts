import type { Actor } from './actor';

/** The audit log's "who": the staff user, if any, and the name people read (a user or an API token). */
export type AuditActor = Pick<Actor, 'userId' | 'name'>;

/** One change on the record: what was done to which object, and the object before and after. */
export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Writes one audit entry inside the caller's database transaction (the staff domain's audit log).
 * Every domain that changes data on behalf of staff or an API client calls it inside its own
 * write, so a change and its entry commit or roll back together whichever door it came through
 * (CONTRACT: the API is audited exactly as the web UI, in the same transaction).
 */
export type RecordAudit = (actor: AuditActor, entry: AuditEntry) => void;

/** The named fields of an object as the audit log keeps it (a patch's fields, before and after). */
export function auditedFields(fields: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => name in fields).map((name) => [name, fields[name]]));
}

/**
 * The audit log for a change that is no row of this database: an OCPP command changes the
 * charger, and is on the record once it was sent. Like a change of rows, one whose entry cannot
 * be written does not happen: `refusal` says before it is made whether an entry can be written
 * now (an error while the disk refuses writes), and `record` writes the entry in a transaction
 * of its own once it was made.
 */
export interface AuditAlone {
  refusal(): Error | undefined;
  record(actor: AuditActor, entry: AuditEntry): Promise<void>;
}
