
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Site settings as key → JSON value; read through the settings domain, which knows defaults. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  valueJson: text('value_json').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Charge points: registered by staff or recorded when an unknown one connects. */
export const chargers = sqliteTable('chargers', {
  id: text('id').primaryKey(),
  name: text('name'),
  passwordHash: text('password_hash'),
  registration: text('registration', { enum: ['accepted', 'pending', 'rejected'] }).notNull(),
  vendor: text('vendor'),
  model: text('model'),
  serialNumber: text('serial_number'),
  firmwareVersion: text('firmware_version'),
  iccid: text('iccid'),
  imsi: text('imsi'),
  meterType: text('meter_type'),
  meterSerialNumber: text('meter_serial_number'),
  ocppVersion: text('ocpp_version'),
  lastSeenAt: text('last_seen_at'),
  lastBootAt: text('last_boot_at'),
  lastConnectedAt: text('last_connected_at'),
  firmwareStatus: text('firmware_status'),
  firmwareStatusAt: text('firmware_status_at'),
  diagnosticsStatus: text('diagnostics_status'),
  diagnosticsStatusAt: text('diagnostics_status_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** The latest status per connector (connectorId 0 is the charge point itself, OCPP 1.6 §4.9). */
export const connectors = sqliteTable(
  'connectors',
  {
    chargerId: text('charger_id')
      .notNull()
      .references(() => chargers.id, { onDelete: 'cascade' }),
    connectorId: integer('connector_id').notNull(),
    evseId: integer('evse_id'),
    status: text('status').notNull(),
    errorCode: text('error_code'),
    info: text('info'),
    vendorId: text('vendor_id'),
    vendorErrorCode: text('vendor_error_code'),
    statusAt: text('status_at').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.chargerId, table.connectorId] })],
);

/** Every StatusNotification as received, for the history view and idle-fee billing. */
export const connectorStatusHistory = sqliteTable(
  'connector_status_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    status: text('status').notNull(),
    errorCode: text('error_code'),
    info: text('info'),
    vendorId: text('vendor_id'),
    vendorErrorCode: text('vendor_error_code'),
    statusAt: text('status_at').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [index('connector_status_history_charger').on(table.chargerId, table.connectorId, table.id)],
);

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
    startedAt: text('started_at').notNull(),
    stoppedAt: text('stopped_at'),
    meterStartWh: integer('meter_start_wh').notNull(),
    meterStopWh: integer('meter_stop_wh'),
    energyWh: integer('energy_wh'),
    lastMeterWh: integer('last_meter_wh'),
    lastMeterAt: text('last_meter_at'),
    stopReason: text('stop_reason'),
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
    timestamp: text('timestamp').notNull(),
    context: text('context'),
    /** The register Energy.Active.Import.Register in Wh, when the element has one. */
    energyRegisterWh: integer('energy_register_wh'),
    /** Set when the register went backwards: the value is kept but not trusted for billing. */
    rollback: integer('rollback', { mode: 'boolean' }).notNull().default(false),
    sampledValueJson: text('sampled_value_json').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [index('meter_values_session').on(table.sessionId, table.id), index('meter_values_charger').on(table.chargerId, table.id)],
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

/** DataTransfer, firmware and diagnostics notifications and other charger events, as sent. */
export const chargerEvents = sqliteTable(
  'charger_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    kind: text('kind').notNull(),
    payloadJson: text('payload_json').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [index('charger_events_charger').on(table.chargerId, table.id)],
);

/** The OCPP message log, both directions, pruned by retention. */
export const ocppMessages = sqliteTable(
  'ocpp_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    messageTypeId: integer('message_type_id').notNull(),
    messageId: text('message_id'),
    action: text('action'),
    frame: text('frame').notNull(),
    at: text('at').notNull(),
  },
  (table) => [index('ocpp_messages_charger').on(table.chargerId, table.id), index('ocpp_messages_at').on(table.at)],
);

/** Bearer tokens for the JSON API, stored as SHA-256 hashes (the token itself is shown once). */
export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ['admin', 'cashier', 'viewer'] }).notNull(),
  createdBy: text('created_by'),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
});


