import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Every OCPP 2.0.1 TransactionEvent as received. The unique (charger, transaction, seqNo) key
 * makes a repeated event recognisable (E01.FR.16: seqNo counts the events of a transaction), and
 * the rows keep the offline flag and trigger reasons for staff.
 */
export const ocpp201TransactionEvents = sqliteTable(
  'ocpp201_transaction_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    transactionId: text('transaction_id').notNull(),
    seqNo: integer('seq_no').notNull(),
    eventType: text('event_type', { enum: ['Started', 'Updated', 'Ended'] }).notNull(),
    triggerReason: text('trigger_reason').notNull(),
    /** The event happened while the charging station was offline (sent later from its queue). */
    offline: integer('offline', { mode: 'boolean' }).notNull(),
    /** The charger's timestamp of the event. */
    timestamp: text('timestamp').notNull(),
    evseId: integer('evse_id'),
    connectorId: integer('connector_id'),
    idToken: text('id_token'),
    idTokenType: text('id_token_type'),
    chargingState: text('charging_state'),
    stoppedReason: text('stopped_reason'),
    remoteStartId: integer('remote_start_id'),
    /** Energy.Active.Import.Register of the event's meter values, when it has one. */
    energyRegisterWh: integer('energy_register_wh'),
    receivedAt: text('received_at').notNull(),
  },
  (table) => [
    uniqueIndex('ocpp201_transaction_events_seq').on(table.chargerId, table.transactionId, table.seqNo),
    index('ocpp201_transaction_events_charger').on(table.chargerId, table.id),
  ],
);

/**
 * The device model a 2.0.1 charging station reported (NotifyReport after GetBaseReport): one row
 * per component, variable and attribute. A component without an EVSE has evseId 0 and one
 * without a connector has connectorId 0, so the unique key never compares NULLs.
 */
export const ocpp201DeviceVariables = sqliteTable(
  'ocpp201_device_variables',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    chargerId: text('charger_id').notNull(),
    componentName: text('component_name').notNull(),
    componentInstance: text('component_instance').notNull().default(''),
    evseId: integer('evse_id').notNull().default(0),
    connectorId: integer('connector_id').notNull().default(0),
    variableName: text('variable_name').notNull(),
    variableInstance: text('variable_instance').notNull().default(''),
    attributeType: text('attribute_type').notNull().default('Actual'),
    value: text('value'),
    mutability: text('mutability'),
    dataType: text('data_type'),
    reportedAt: text('reported_at').notNull(),
  },
  (table) => [
    uniqueIndex('ocpp201_device_variables_key').on(
      table.chargerId,
      table.componentName,
      table.componentInstance,
      table.evseId,
      table.connectorId,
      table.variableName,
      table.variableInstance,
      table.attributeType,
    ),
  ],
);
