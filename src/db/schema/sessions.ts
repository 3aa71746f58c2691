import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Charging sessions (OCPP transactions). */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The transaction id as the charger knows it: our integer for 1.6, the charger's string for 2.0.1. */
    transactionId: text('transaction_id'),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    evseId: integer('evse_id'),
    ocppVersion: text('ocpp_version').notNull(),
    idTag: text('id_tag').notNull(),
    cardUid: text('card_uid'),
    userId: integer('user_id'),
    authorizationStatus: text('authorization_status').notNull(),
    status: text('status', { enum: ['active', 'completed'] }).notNull(),
    /** The charger's start time, or the time its message arrived when the charger's cannot be true (CONTRACT). */
    startedAt: text('started_at').notNull(),
    stoppedAt: text('stopped_at'),
    /** The timestamps exactly as the charger sent them (normalised to UTC), trusted or not. */
    chargerStartedAt: text('charger_started_at'),
    chargerStoppedAt: text('charger_stopped_at'),
    meterStartWh: integer('meter_start_wh').notNull(),
    meterStopWh: integer('meter_stop_wh'),
    energyWh: integer('energy_wh'),
    /** The last trusted energy register reading: its value, when it was taken (trusted time) and the charger's clock then. */
    lastMeterWh: integer('last_meter_wh'),
    lastMeterAt: text('last_meter_at'),
    lastMeterChargerAt: text('last_meter_charger_at'),
    stopReason: text('stop_reason'),
    /** Why staff closed the session (stopReason ClosedByStaff). */
    closeReason: text('close_reason'),
    stopIdTag: text('stop_id_tag'),
    reservationId: integer('reservation_id'),
    /** The priced cost in minor units of the site currency; set by billing when the session ends. */
    costMinor: integer('cost_minor'),
    tariffVersionId: integer('tariff_version_id'),
    costBreakdownJson: text('cost_breakdown_json'),
    /** What identifies a StartTransaction repeated by a charger that lost our answer. */
    startFingerprint: text('start_fingerprint').notNull(),
    flagsJson: text('flags_json').notNull().default('[]'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('sessions_charger_transaction').on(table.chargerId, table.transactionId),
    uniqueIndex('sessions_start_fingerprint').on(table.chargerId, table.startFingerprint),
    index('sessions_started').on(table.startedAt, table.id),
    index('sessions_status').on(table.status, table.chargerId),
    index('sessions_stopped').on(table.stoppedAt),
    index('sessions_card').on(table.cardUid),
    index('sessions_user').on(table.userId),
  ],
);

/** One row per MeterValue element, its sampled values kept exactly as the charger sent them. */
export const meterValues = sqliteTable(
  'meter_values',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: integer('session_id'),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    transactionId: text('transaction_id'),
    /** The charger's timestamp as sent (normalised to UTC); `receivedAt` stands in when it cannot be true. */
    timestamp: text('timestamp').notNull(),
    context: text('context'),
    /** The register Energy.Active.Import.Register in Wh, when the element has one. */
    energyRegisterWh: integer('energy_register_wh'),
    /**
     * Set when the reading cannot be true (went backwards, jumped beyond what 1 MW delivers, not a
     * safe integer): kept as sent, never billed (CONTRACT "OCPP endpoint").
     */
    rollback: integer('rollback', { mode: 'boolean' }).notNull().default(false),
    sampledValueJson: text('sampled_value_json').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  // Read by session only. Every index here is one more page each MeterValues dirties, and each
  // charger's entries sit on their own page of it: 1,000 charging chargers meant 1,000 more pages
  // written to the WAL per group commit (meter_values_charger, dropped 2026-12).
  (table) => [index('meter_values_session').on(table.sessionId, table.id)],
);

/** StopTransaction / MeterValues / TransactionEvent naming a transaction we do not know: kept for staff. */
export const unmatchedTransactionMessages = sqliteTable('unmatched_transaction_messages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  chargerId: text('charger_id').notNull(),
  transactionId: text('transaction_id').notNull(),
  action: text('action').notNull(),
  payloadJson: text('payload_json').notNull(),
  receivedAt: text('received_at').notNull(),
});
