import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
      enum: ['driver', 'card', 'cash_drawer', 'card_terminal', 'bank_transfer', 'charging_revenue', 'adjustments'],
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

/** The first result of every money write that carried an Idempotency-Key, with its request's hash. */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  responseStatus: integer('response_status').notNull(),
  responseJson: text('response_json').notNull(),
  createdAt: text('created_at').notNull(),
});

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
export const unknownCards = sqliteTable('unknown_cards', {
  uid: text('uid').primaryKey(),
  firstSeenAt: text('first_seen_at').notNull(),
  lastSeenAt: text('last_seen_at').notNull(),
  lastChargerId: text('last_charger_id').notNull(),
  timesSeen: integer('times_seen').notNull(),
});

/**
 * Tariff versions, append-only: the newest row for a scope (chargerId null = the default) is in
 * force. A `removed` row ends a charger's override. Prices are minor units.
 */
export const tariffVersions = sqliteTable(
  'tariff_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id'),
    removed: integer('removed', { mode: 'boolean' }).notNull().default(false),
    energyPricePerKwhMinor: integer('energy_price_per_kwh_minor').notNull(),
    sessionFeeMinor: integer('session_fee_minor').notNull(),
    timePricePerHourMinor: integer('time_price_per_hour_minor').notNull(),
    idleFeePerHourMinor: integer('idle_fee_per_hour_minor').notNull(),
    idleGraceS: integer('idle_grace_s').notNull(),
    /** JSON array of time-of-day bands (site-local minutes) overriding the energy and time prices. */
    bandsJson: text('bands_json').notNull().default('[]'),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('tariff_versions_scope').on(table.chargerId, table.id)],
);

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
    createdAt: text('created_at').notNull(),
  },
  (table) => [index('start_holds_user').on(table.userId, table.chargerId)],
);

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
