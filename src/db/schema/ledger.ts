import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The chart of accounts. Amounts are integer minor units of `currency`. `netMinor` caches the sum
 * of the account's posted entries (debit +, credit −) and `pendingDebitsMinor` the open holds that
 * debit it; both are updated in the same transaction as the entries and proven by the ledger check.
 */
export const ledgerAccounts = sqliteTable(
  'ledger_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', {
      enum: ['driver', 'card', 'cash_drawer', 'card_terminal', 'bank_transfer', 'upi_payments', 'charging_revenue', 'adjustments'],
    }).notNull(),
    name: text('name').notNull(),
    /** Which side a positive balance sits on: liabilities and income are credit-normal. */
    normalSide: text('normal_side', { enum: ['debit', 'credit'] }).notNull(),
    /** False for driver and card balances: a transfer may not take them below zero unless it says why it may. */
    allowNegative: integer('allow_negative', { mode: 'boolean' }).notNull(),
    currency: text('currency').notNull(),
    netMinor: integer('net_minor').notNull().default(0),
    pendingDebitsMinor: integer('pending_debits_minor').notNull().default(0),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('ledger_accounts_kind').on(table.kind)],
);

/**
 * Transfers: one debit and one credit of one amount. `pending` transfers are holds (no entries);
 * `post_pending`, `void_pending` and `expire_pending` resolve one hold each (unique `pendingId`).
 * Rows are never updated or deleted: a correction is a new transfer naming `correctsTransferId`.
 */
export const ledgerTransfers = sqliteTable(
  'ledger_transfers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['posted', 'pending', 'post_pending', 'void_pending', 'expire_pending'] }).notNull(),
    debitAccountId: integer('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: integer('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    code: text('code').notNull(),
    reference: text('reference'),
    pendingId: integer('pending_id'),
    correctsTransferId: integer('corrects_transfer_id'),
    reason: text('reason'),
    /** For a hold: when it expires if neither posted nor voided. */
    timeoutAt: text('timeout_at'),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    uniqueIndex('ledger_transfers_pending').on(table.pendingId),
    index('ledger_transfers_corrects').on(table.correctsTransferId),
    index('ledger_transfers_debit').on(table.debitAccountId, table.kind),
    index('ledger_transfers_reference').on(table.reference),
  ],
);

/** Append-only entries: each posted transfer has exactly two, summing to zero. */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    transferId: integer('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    accountId: integer('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amountMinor: integer('amount_minor').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('ledger_entries_account').on(table.accountId, table.id), index('ledger_entries_transfer').on(table.transferId)],
);

/**
 * The first result of every money write that carried an Idempotency-Key, with its request's hash.
 * A key belongs to the client that sent it (`client`: the API token or staff user, Actor.id), so
 * the same key from another client is another key (CONTRACT, issue 13).
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    client: text('client').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseJson: text('response_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.client, table.key] }), index('idempotency_keys_created').on(table.createdAt)],
);
