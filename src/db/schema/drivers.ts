import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ledgerAccounts } from './ledger';

/** Registered drivers (CONTRACT `/users`). Each has one credit-normal ledger account. */
export const drivers = sqliteTable('drivers', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Normalised (digits with an optional leading +), unique. */
  phone: text('phone').notNull().unique(),
  email: text('email'),
  pinHash: text('pin_hash'),
  notes: text('notes'),
  accountId: integer('account_id')
    .notNull()
    .references(() => ledgerAccounts.id),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** RFID cards (OCPP idTags), keyed by the normalised UID. */
export const cards = sqliteTable(
  'cards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    uid: text('uid').notNull().unique(),
    kind: text('kind', { enum: ['personal', 'prepaid'] }).notNull(),
    status: text('status', { enum: ['active', 'blocked', 'lost'] }).notNull(),
    userId: integer('user_id').references(() => drivers.id),
    /** The balance a prepaid card spends: its driver's account, or its own when it has no driver. */
    accountId: integer('account_id').references(() => ledgerAccounts.id),
    expiresAt: text('expires_at'),
    /** JSON array of charger ids the card may use; null means every charger. */
    allowedChargersJson: text('allowed_chargers_json'),
    maxConcurrentSessions: integer('max_concurrent_sessions').notNull().default(1),
    label: text('label'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [index('cards_user').on(table.userId)],
);

/** idTags chargers presented that no card matches, for staff to attach to a driver. */
export const unknownCards = sqliteTable(
  'unknown_cards',
  {
    uid: text('uid').primaryKey(),
    firstSeenAt: text('first_seen_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    lastChargerId: text('last_charger_id').notNull(),
    timesSeen: integer('times_seen').notNull(),
  },
  // Newest first for the lists and the dashboard, and the oldest found at once when one is let go.
  (table) => [index('unknown_cards_last_seen').on(table.lastSeenAt, table.uid)],
);
