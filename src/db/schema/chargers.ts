import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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

/**
 * The latest status per connector (connectorId 0 is the charge point itself, OCPP 1.6 §4.9).
 * `connectorId` is what is controlled as one (1.6 connector, 2.0.1 EVSE: QR start, remote
 * start, charging profiles); `evseConnectorId` is the plug within a 2.0.1 EVSE (StatusNotification
 * connectorId, G01), always 1 for 1.6 chargers.
 */
export const connectors = sqliteTable(
  'connectors',
  {
    chargerId: text('charger_id')
      .notNull()
      .references(() => chargers.id, { onDelete: 'cascade' }),
    connectorId: integer('connector_id').notNull(),
    evseConnectorId: integer('evse_connector_id').notNull().default(1),
    evseId: integer('evse_id'),
    status: text('status').notNull(),
    errorCode: text('error_code'),
    info: text('info'),
    vendorId: text('vendor_id'),
    vendorErrorCode: text('vendor_error_code'),
    statusAt: text('status_at').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.chargerId, table.connectorId, table.evseConnectorId] })],
);

/** Every StatusNotification as received, for the history view and idle-fee billing. */
export const connectorStatusHistory = sqliteTable(
  'connector_status_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    evseConnectorId: integer('evse_connector_id').notNull().default(1),
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

/**
 * The OCPP message log, both directions, pruned by retention: one row per charger per flush
 * (every 250 ms) holding that charger's frames in order. A row per frame cost two inserts and two
 * index entries for every message a charger sent; at thousands of messages a second that was
 * more work than storing the message itself.
 */
export const ocppMessageChunks = sqliteTable(
  'ocpp_message_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    entryCount: integer('entry_count').notNull(),
    firstAt: text('first_at').notNull(),
    lastAt: text('last_at').notNull(),
    /** JSON array of [direction, messageTypeId, messageId, action, frame, at], oldest first. */
    entriesJson: text('entries_json').notNull(),
  },
  (table) => [index('ocpp_message_chunks_charger').on(table.chargerId, table.id), index('ocpp_message_chunks_last_at').on(table.lastAt)],
);
