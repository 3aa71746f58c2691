import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** How a session pays, fixed when it starts, and what billing did at its end. */
export const sessionBilling = sqliteTable('session_billing', {
  sessionId: integer('session_id').primaryKey(),
  payer: text('payer', { enum: ['prepaid', 'personal', 'none'] }).notNull(),
  accountId: integer('account_id'),
  tariffVersionId: integer('tariff_version_id'),
  /** The QR-start hold this session spends first. */
  holdTransferId: integer('hold_transfer_id'),
  remoteStopRequestedAt: text('remote_stop_requested_at'),
  remoteStopReason: text('remote_stop_reason'),
  chargeTransferId: integer('charge_transfer_id'),
  /** Cost beyond the balance at billing: what the account went below zero by. */
  debtMinor: integer('debt_minor').notNull().default(0),
  billedAt: text('billed_at'),
});
