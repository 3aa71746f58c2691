import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Site settings as key → JSON value; read through the settings domain, which knows defaults. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  valueJson: text('value_json').notNull(),
  updatedAt: text('updated_at').notNull(),
});
