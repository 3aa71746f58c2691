import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ledgerAccounts, ledgerTransfers } from './ledger';

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
    method: text('method', { enum: ['cash', 'card', 'transfer'] }).notNull(),
    note: text('note'),
    createdBy: text('created_by'),
    shiftId: integer('shift_id'),
    transferId: integer('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('topups_account').on(table.accountId), index('topups_shift').on(table.shiftId)],
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
