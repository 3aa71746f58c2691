import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Per charger per site-local day totals of closed days, made by the nightly rollup job. A day
 * counts as rolled up only while its row in report_rollup_days exists; a session completing on
 * that day (a charger catching up after an outage) or a time zone change removes it, and the
 * day is computed from the sessions again until the next rollup.
 */
export const reportRollupDays = sqliteTable('report_rollup_days', {
  date: text('date').primaryKey(),
  timeZone: text('time_zone').notNull(),
  computedAt: text('computed_at').notNull(),
});

export const reportRollups = sqliteTable(
  'report_rollups',
  {
    date: text('date').notNull(),
    chargerId: text('charger_id').notNull(),
    sessions: integer('sessions').notNull(),
    chargingSeconds: integer('charging_seconds').notNull(),
    energyWh: integer('energy_wh').notNull(),
    revenueMinor: integer('revenue_minor').notNull(),
  },
  (table) => [primaryKey({ columns: [table.date, table.chargerId] })],
);
