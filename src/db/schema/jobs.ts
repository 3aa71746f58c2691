import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every run of a scheduled job, so staff see last run and result across restarts. */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    job: text('job').notNull(),
    trigger: text('trigger', { enum: ['scheduled', 'on-demand'] }).notNull(),
    result: text('result', { enum: ['ok', 'failed', 'skipped'] }).notNull(),
    summary: text('summary').notNull(),
    /** The summary as key + numbers (JSON), for pages in other languages; null for failures. */
    summaryPartsJson: text('summary_parts_json'),
    startedAt: text('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (table) => [index('job_runs_job').on(table.job, table.id)],
);
