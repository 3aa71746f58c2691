import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
