import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Site load management, owned by src/load/. One row (id 1) with the site's limits: the sanctioned
 * load in W (null: load management off), the safety margin, how staff stated the limit (A per
 * phase with the supply's phases and voltage, shown back the same way), and the daily peak window
 * (site-local minutes after midnight) with its lower limit.
 */
export const loadSite = sqliteTable('load_site', {
  id: integer('id').primaryKey(),
  limitW: integer('limit_w'),
  marginW: integer('margin_w').notNull().default(0),
  limitAmpsPerPhase: integer('limit_amps_per_phase'),
  supplyPhases: integer('supply_phases').notNull().default(3),
  supplyVoltageV: integer('supply_voltage_v').notNull().default(230),
  peakFromMinute: integer('peak_from_minute'),
  peakToMinute: integer('peak_to_minute'),
  peakLimitW: integer('peak_limit_w'),
  updatedAt: text('updated_at').notNull(),
});

/** Feeders: chargers behind a circuit with its own limit, inside the site's. */
export const loadGroups = sqliteTable('load_groups', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  limitW: integer('limit_w').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Per charger: what staff set (maximum and minimum power, supply, feeder, priority, the rate unit
 * to use) and what the charger told about itself (the units it takes, its maximum from the 2.0.1
 * device model), and whether it accepts charging profiles.
 */
export const loadChargers = sqliteTable('load_chargers', {
  chargerId: text('charger_id').primaryKey(),
  maxPowerW: integer('max_power_w'),
  minPowerW: integer('min_power_w'),
  phases: integer('phases'),
  voltageV: integer('voltage_v'),
  groupId: integer('group_id'),
  priority: integer('priority').notNull().default(0),
  reportedRateUnits: text('reported_rate_units'),
  reportedMaxPowerW: integer('reported_max_power_w'),
  profilesRejectedAt: text('profiles_rejected_at'),
  updatedAt: text('updated_at').notNull(),
});

/** Priority of one connector (a bay kept for fleet vehicles). */
export const loadConnectorPriorities = sqliteTable(
  'load_connector_priorities',
  {
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    priority: integer('priority').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.chargerId, table.connectorId] })],
);

/** Priority of a driver (fleet vehicles first), whichever connector they charge at. */
export const loadDriverPriorities = sqliteTable('load_driver_priorities', {
  userId: integer('user_id').primaryKey(),
  priority: integer('priority').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * The last charging profile sent per connector and purpose (connector 0: the charger's default),
 * and whether the charger accepted it. After a restart the appliance counts these limits, which
 * the chargers keep, until it has recomputed.
 */
export const loadProfiles = sqliteTable(
  'load_profiles',
  {
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    purpose: text('purpose', { enum: ['default', 'transaction'] }).notNull(),
    transactionId: text('transaction_id'),
    limitW: integer('limit_w').notNull(),
    /**
     * What the connector is counted at: the limit once accepted; while the answer is awaited or
     * when none came, the higher of the old and the new limit (the charger may have either).
     */
    inForceW: integer('in_force_w').notNull(),
    /** The limit as sent: whole W, or tenths of an ampere per phase. */
    unit: text('unit', { enum: ['A', 'W'] }).notNull(),
    valueTenths: integer('value_tenths').notNull(),
    phases: integer('phases').notNull(),
    status: text('status', { enum: ['sent', 'accepted', 'rejected', 'failed'] }).notNull(),
    sentAt: text('sent_at').notNull(),
    /**
     * A TxProfile above the connector's fallback share falls back to it by itself: the share (in
     * effective W) and from when (the appliance's time). Null: it holds until replaced.
     */
    fallbackW: integer('fallback_w'),
    fallbackAt: text('fallback_at'),
  },
  (table) => [primaryKey({ columns: [table.chargerId, table.connectorId, table.purpose] })],
);

/**
 * One sample a minute for the day chart: the site (charger_id '' and connector 0) and each
 * charging connector, with the limit in force, the allocation and the measured draw.
 */
export const loadSamples = sqliteTable(
  'load_samples',
  {
    at: text('at').notNull(),
    chargerId: text('charger_id').notNull(),
    connectorId: integer('connector_id').notNull(),
    limitW: integer('limit_w'),
    allocatedW: integer('allocated_w').notNull(),
    drawW: integer('draw_w').notNull(),
  },
  (table) => [primaryKey({ columns: [table.at, table.chargerId, table.connectorId] }), index('load_samples_charger').on(table.chargerId, table.connectorId, table.at)],
);
