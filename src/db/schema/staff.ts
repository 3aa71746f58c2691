import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** People who run the site in the staff UI. `userName` is stored lower-case so logins ignore case. */
export const staffUsers = sqliteTable('staff_users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userName: text('user_name').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['admin', 'cashier', 'viewer'] }).notNull(),
  /** `scrypt$N$r$p$salt$hash`: the cost parameters travel with the hash. */
  passwordHash: text('password_hash').notNull(),
  language: text('language', { enum: ['en', 'pa', 'hi'] }).notNull(),
  theme: text('theme', { enum: ['light', 'dark', 'system'] }).notNull().default('system'),
  disabledAt: text('disabled_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Signed-in browsers. `tokenHash` is the SHA-256 of the cookie value, so a stolen file holds no live cookie. */
export const staffSessions = sqliteTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (table) => [index('staff_sessions_user').on(table.userId)],
);

/** Failed sign-ins per user name (known or not) for the lockout (CONTRACT "Staff sign-in"). */
export const staffLoginFailures = sqliteTable('staff_login_failures', {
  userName: text('user_name').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailedAt: text('last_failed_at').notNull(),
  lockedUntil: text('locked_until'),
});

/** Every change staff or an API client made, from either door: who, what, when, before and after (JSON). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actorUserId: integer('actor_user_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    beforeJson: text('before_json'),
    afterJson: text('after_json'),
  },
  (table) => [index('audit_log_at').on(table.at), index('audit_log_actor').on(table.actorName, table.id)],
);
