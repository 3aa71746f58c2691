import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  // Dated names (YYYYMMDDHHMMSS_name.sql) keep migrations from parallel work apart.
  migrations: { prefix: 'timestamp' },
  // Explicit statement breakpoints let the migrator run each statement of a migration itself.
  breakpoints: true,
});
