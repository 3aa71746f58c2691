import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { drivers } from './drivers';
import { ledgerAccounts, ledgerTransfers } from './ledger';

/** How money reached the till: each method has its own system account and drawer total. */
export const PAYMENT_METHODS = ['cash', 'card', 'transfer', 'upi'] as const;

/** Cashier shifts: top-ups made while one is open count towards it. */
export const cashierShifts = sqliteTable(
  'cashier_shifts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    cashier: text('cashier').notNull(),
    openingFloatMinor: integer('opening_float_minor').notNull(),
    openedAt: text('opened_at').notNull(),
    closedAt: text('closed_at'),
    countedCashMinor: integer('counted_cash_minor'),
    expectedCashMinor: integer('expected_cash_minor'),
    differenceMinor: integer('difference_minor'),
    note: text('note'),
  },
  (table) => [index('cashier_shifts_cashier').on(table.cashier, table.closedAt)],
);

/** Top-ups with gapless receipt numbers (allocated in the transaction that posts the money). */
export const topups = sqliteTable(
  'topups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    receiptNo: integer('receipt_no').notNull().unique(),
    accountId: integer('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    cardUid: text('card_uid'),
    userId: integer('user_id'),
    amountMinor: integer('amount_minor').notNull(),
    method: text('method', { enum: PAYMENT_METHODS }).notNull(),
    note: text('note'),
    createdBy: text('created_by'),
    shiftId: integer('shift_id'),
    transferId: integer('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('topups_account').on(table.accountId), index('topups_shift').on(table.shiftId), index('topups_created').on(table.createdAt)],
);

/** Refunds of top-ups, each a transfer back to the method's account with a reason. */
export const topupRefunds = sqliteTable(
  'topup_refunds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    topupId: integer('topup_id')
      .notNull()
      .references(() => topups.id),
    amountMinor: integer('amount_minor').notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by'),
    shiftId: integer('shift_id'),
    transferId: integer('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('topup_refunds_topup').on(table.topupId)],
);

/** The states of a walk-in payment request (CONTRACT `/payment-requests`). */
export const PAYMENT_REQUEST_STATUSES = ['open', 'confirmed', 'expired', 'cancelled'] as const;

/**
 * Walk-in payments asked for on a connector's QR page: the driver shows the reference at the desk
 * or pays it by UPI; a cashier confirms the money arrived, which tops up the driver's balance
 * (`topupId`) and, when the driver is still waiting at the connector, starts the charge
 * (`startId`, a QR start). The reference is unique among open requests (partial unique index);
 * a driver has at most one open request at a time.
 */
export const paymentRequests = sqliteTable(
  'payment_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The driver's "Pay" form: a double tap or a reload finds the same request. */
    formKey: text('form_key').notNull().unique(),
    reference: text('reference').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => drivers.id),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    amountMinor: integer('amount_minor').notNull(),
    status: text('status', { enum: PAYMENT_REQUEST_STATUSES }).notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    method: text('method', { enum: PAYMENT_METHODS }),
    topupId: integer('topup_id').references(() => topups.id),
    confirmedAt: text('confirmed_at'),
    confirmedBy: text('confirmed_by'),
    /** Whether the driver was still waiting at the connector when the money was confirmed. */
    driverWaiting: integer('driver_waiting', { mode: 'boolean' }),
    /** The QR start that followed the confirmation, or why none did (a refusal code). */
    startId: integer('start_id'),
    startRefusal: text('start_refusal'),
    cancelledAt: text('cancelled_at'),
    cancelledBy: text('cancelled_by'),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('payment_requests_open_reference').on(table.reference).where(sql`status = 'open'`),
    uniqueIndex('payment_requests_one_open_per_driver').on(table.userId).where(sql`status = 'open'`),
    index('payment_requests_status').on(table.status, table.id),
    index('payment_requests_user').on(table.userId, table.id),
  ],
);
