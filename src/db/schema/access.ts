import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
