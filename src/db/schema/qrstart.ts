import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { drivers } from './drivers';
import { ledgerTransfers } from './ledger';

/** QR starts: a hold placed for a driver at a connector before RemoteStartTransaction is sent. */
export const startHolds = sqliteTable(
  'start_holds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    holdTransferId: integer('hold_transfer_id')
      .notNull()
      .unique()
      .references(() => ledgerTransfers.id),
    userId: integer('user_id')
      .notNull()
      .references(() => drivers.id),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    sessionId: integer('session_id'),
    /**
     * The idTag RemoteStart sends for this hold (CONTRACT QR section): random, good for this
     * charger and connector only while the hold is open and untaken. Null for holds placed before
     * it existed (issue 13), which no charger can use.
     */
    idTag: text('id_tag').unique(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('start_holds_user').on(table.userId, table.chargerId)],
);

/** The states of a QR start in which it still owns its connector (see the partial unique index). */
export const QR_START_ACTIVE_STATUSES = ['starting', 'accepted', 'charging'] as const;

/**
 * QR starts (CONTRACT "Web pages"): a driver's "Start" on the public page. The form key is made when the page
 * was rendered, so a reload or a double tap finds the same row; the partial unique index lets a
 * connector have at most one start that is still starting or charging, whichever phone asked.
 */
export const qrStarts = sqliteTable(
  'qr_starts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    formKey: text('form_key').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => drivers.id),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    amountMinor: integer('amount_minor').notNull(),
    /** The ledger hold (pending transfer) placed before anything is sent to the charger. */
    holdTransferId: integer('hold_transfer_id').notNull(),
    status: text('status', {
      enum: ['starting', 'accepted', 'charging', 'completed', 'refused', 'no_answer', 'not_plugged_in', 'failed'],
    }).notNull(),
    /** Why it ended without charging, in words for the driver's page and the log. */
    reason: text('reason'),
    sessionId: integer('session_id'),
    createdAt: text('created_at').notNull(),
    acceptedAt: text('accepted_at'),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('qr_starts_one_active_per_connector')
      .on(table.chargerId, table.connectorId)
      .where(sql`status IN ('starting', 'accepted', 'charging')`),
    index('qr_starts_user').on(table.userId, table.id),
    index('qr_starts_session').on(table.sessionId),
  ],
);

/** Drivers signed in on a phone: the cookie holds a random token, this table its SHA-256. */
export const driverWebSessions = sqliteTable(
  'driver_web_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => drivers.id, { onDelete: 'cascade' }),
    /**
     * SHA-256 of the PIN hash the driver signed in against (CONTRACT `/users`: changing or removing
     * the PIN ends all of that driver's QR-page sign-ins). Null for sign-ins made before it existed,
     * which are ended alike.
     */
    pinFingerprint: text('pin_fingerprint'),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (table) => [index('driver_web_sessions_user').on(table.userId)],
);

/** Failed PIN sign-ins per phone number, persisted so a restart does not reset a lockout. */
export const driverSignInFailures = sqliteTable('driver_sign_in_failures', {
  phone: text('phone').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailedAt: text('last_failed_at').notNull(),
  lockedUntil: text('locked_until'),
});
