import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { auditedFields, conflict, hashSecret, notFound, nowIso, parseInput, verifySecret, type AuditActor } from '../shared';
import { AuditLog } from './audit';

export const STAFF_ROLES = ['admin', 'cashier', 'viewer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const STAFF_LANGUAGES = ['en', 'pa', 'hi'] as const;
type StaffLanguage = (typeof STAFF_LANGUAGES)[number];
export const STAFF_THEMES = ['light', 'dark', 'system'] as const;
type StaffTheme = (typeof STAFF_THEMES)[number];

type StaffUserRow = typeof schema.staffUsers.$inferSelect;

/** What the UI may know about a staff user: never the hash. */
export interface StaffUser {
  id: number;
  userName: string;
  displayName: string;
  role: StaffRole;
  language: StaffLanguage;
  theme: StaffTheme;
  disabled: boolean;
  createdAt: string;
}

/** Long enough to resist guessing on a LAN appliance, short enough to type at a desk. */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 200;

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH);

const userNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,40}$/, 'must be 2-40 letters, digits, dots, dashes or underscores');

const newStaffUserSchema = z
  .object({
    userName: userNameSchema,
    displayName: z.string().trim().min(1).max(100).optional(),
    role: z.enum(STAFF_ROLES),
    password: passwordSchema,
    language: z.enum(STAFF_LANGUAGES).default('en'),
  })
  .strict();

const staffUserPatchSchema = z
  .object({
    displayName: z.string().trim().min(1).max(100),
    role: z.enum(STAFF_ROLES),
    language: z.enum(STAFF_LANGUAGES),
    theme: z.enum(STAFF_THEMES),
    disabled: z.boolean(),
  })
  .partial()
  .strict();

export function toStaffUser(row: StaffUserRow): StaffUser {
  return {
    id: row.id,
    userName: row.userName,
    displayName: row.displayName,
    role: row.role,
    language: row.language,
    theme: row.theme,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt,
  };
}

/** Staff accounts: creation, the first admin (once only), password checks and changes. */
export class StaffUserService {
  /** The staff domain's own audit log: every change to an account is on the record in its write. */
  private readonly audit: AuditLog;

  constructor(private readonly db: Db) {
    this.audit = new AuditLog(db);
  }

  count(): number {
    return this.db.orm.select({ n: sql<number>`count(*)` }).from(schema.staffUsers).get()?.n ?? 0;
  }

  hasAnyUser(): boolean {
    return this.count() > 0;
  }

  list(): StaffUser[] {
    return this.db.orm.select().from(schema.staffUsers).orderBy(asc(schema.staffUsers.userName)).all().map(toStaffUser);
  }

  byId(id: number): StaffUser | undefined {
    const row = this.db.orm.select().from(schema.staffUsers).where(eq(schema.staffUsers.id, id)).get();
    return row ? toStaffUser(row) : undefined;
  }

  byUserName(userName: string): StaffUserRow | undefined {
    return this.db.orm.select().from(schema.staffUsers).where(eq(schema.staffUsers.userName, userName.trim().toLowerCase())).get();
  }

  async create(input: unknown, actor: AuditActor): Promise<StaffUser> {
    const parsed = parseInput(newStaffUserSchema, input);
    const passwordHash = await hashSecret(parsed.password);
    const now = nowIso();
    const row = await this.db.write(() => {
      if (this.byUserName(parsed.userName)) throw conflict('user_name_taken', `The user name ${parsed.userName} is taken`);
      const created = this.db.orm
        .insert(schema.staffUsers)
        .values({
          userName: parsed.userName,
          displayName: parsed.displayName ?? parsed.userName,
          role: parsed.role,
          passwordHash,
          language: parsed.language,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      this.audit.recordNow(actor, { action: 'staff.create', objectType: 'staff_user', objectId: created.id, after: auditedStaffUser(toStaffUser(created)) });
      return created;
    });
    return toStaffUser(row);
  }

  /**
   * The first admin (setup wizard or CSMS_ADMIN_PASSWORD). The check and the insert share one
   * write transaction, so two racing wizards cannot both succeed: the second gets `setup_done`.
   * The audit entry names `actor`, or else the new admin (the wizard's visitor).
   */
  async createFirstAdmin(input: { userName: string; password: string; language: StaffLanguage }, actor?: AuditActor): Promise<StaffUser> {
    const parsed = parseInput(newStaffUserSchema, { ...input, role: 'admin' });
    const passwordHash = await hashSecret(parsed.password);
    const now = nowIso();
    const row = await this.db.write(() =>
      this.db.tx(() => {
        if (this.hasAnyUser()) throw conflict('setup_done', 'Setup is already done: a staff user exists');
        const created = this.db.orm
          .insert(schema.staffUsers)
          .values({ userName: parsed.userName, displayName: parsed.userName, role: 'admin', passwordHash, language: parsed.language, createdAt: now, updatedAt: now })
          .returning()
          .get();
        this.audit.recordNow(actor ?? { userId: created.id, name: created.userName }, { action: 'setup.complete', objectType: 'site', after: { admin: created.userName } });
        return created;
      }),
    );
    return toStaffUser(row);
  }

  /** A patch of an account: the user's own language and theme are `staff.preferences`, anything else `staff.update`. */
  async update(id: number, input: unknown, actor: AuditActor): Promise<StaffUser> {
    const patch = parseInput(staffUserPatchSchema, input);
    const { disabled, ...rest } = patch;
    const after = await this.db.write(() => {
      // Read inside the write: the audit entry's "before" is the row this write changes.
      const before = this.byId(id);
      if (!before) throw notFound('Staff user', id);
      if ((patch.role !== undefined && patch.role !== 'admin') || disabled === true) this.assertNotLastAdmin(id);
      const row = this.db.orm
        .update(schema.staffUsers)
        .set({ ...rest, ...(disabled === undefined ? {} : { disabledAt: disabled ? nowIso() : null }), updatedAt: nowIso() })
        .where(eq(schema.staffUsers.id, id))
        .returning()
        .get();
      if (disabled === true) this.db.orm.delete(schema.staffSessions).where(eq(schema.staffSessions.userId, id)).run();
      const named = Object.keys(patch).filter((field) => patch[field as keyof typeof patch] !== undefined);
      const action = named.every((field) => field === 'language' || field === 'theme') ? 'staff.preferences' : 'staff.update';
      this.audit.recordNow(actor, { action, objectType: 'staff_user', objectId: id, before: auditedFields(auditedStaffUser(before), named), after: auditedFields(auditedStaffUser(toStaffUser(row!)), named) });
      return row;
    });
    return toStaffUser(after!);
  }

  /** Sets a new password and signs the user out everywhere: `staff.password` by the user, else `staff.password_reset`. */
  async setPassword(id: number, newPassword: string, actor: AuditActor): Promise<void> {
    const password = parseInput(z.object({ password: passwordSchema }), { password: newPassword }).password;
    const passwordHash = await hashSecret(password);
    await this.db.write(() => {
      const row = this.db.orm.update(schema.staffUsers).set({ passwordHash, updatedAt: nowIso() }).where(eq(schema.staffUsers.id, id)).returning().get();
      if (!row) throw notFound('Staff user', id);
      this.db.orm.delete(schema.staffSessions).where(eq(schema.staffSessions.userId, id)).run();
      // A new password (e.g. `chargeyard reset-password` after a lockout) also ends the lockout.
      this.db.orm.delete(schema.staffLoginFailures).where(eq(schema.staffLoginFailures.userName, row.userName)).run();
      this.audit.recordNow(actor, { action: actor.userId === id ? 'staff.password' : 'staff.password_reset', objectType: 'staff_user', objectId: id });
    });
  }

  /** The user when the password matches and the account is enabled; undefined otherwise. */
  async checkPassword(userName: string, password: string): Promise<StaffUser | undefined> {
    const row = this.byUserName(userName);
    if (!row) {
      // Spend the same time as a real check so response times do not reveal which names exist.
      await verifySecret(password, DUMMY_HASH);
      return undefined;
    }
    const ok = await verifySecret(password, row.passwordHash);
    if (!ok || row.disabledAt !== null) return undefined;
    return toStaffUser(row);
  }

  private assertNotLastAdmin(id: number): void {
    const admins = this.db.orm.select().from(schema.staffUsers).where(eq(schema.staffUsers.role, 'admin')).all();
    const others = admins.filter((admin) => admin.id !== id && admin.disabledAt === null);
    if (admins.some((admin) => admin.id === id) && others.length === 0) {
      throw conflict('last_admin', 'At least one enabled admin must remain');
    }
  }
}

/** A valid hash of a random secret, for timing-equal checks of unknown user names. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Sets a new password for a staff user by name, clears the lockout and signs the user out (what
 * `chargeyard reset-password USER` does through StaffUserService.setPassword). Throws AppError not_found for an unknown user.
 */
export async function resetPassword(db: Db, userName: string, newPassword: string, actor: AuditActor): Promise<StaffUser> {
  const users = new StaffUserService(db);
  const row = users.byUserName(userName);
  if (!row) throw notFound('Staff user', userName);
  await users.setPassword(row.id, newPassword, actor);
  return toStaffUser(row);
}

/** What the audit log keeps of a staff account: never the password hash. */
function auditedStaffUser(user: StaffUser): Record<string, unknown> {
  return { userName: user.userName, displayName: user.displayName, role: user.role, disabled: user.disabled, language: user.language, theme: user.theme };
}
