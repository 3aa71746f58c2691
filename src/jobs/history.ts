import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';

export type JobResult = 'ok' | 'failed';

/** One part of what a run did, by a key and its numbers, for a page to say in its own language. */
export interface JobSummaryPart {
  key: string;
  values: Record<string, string | number>;
}

export interface JobRun {
  job: string;
  trigger: 'scheduled' | 'on-demand';
  /** `skipped` when the job was still running from before: a job never overlaps itself. */
  result: JobResult | 'skipped';
  /** English, for the log and the API. */
  summary: string;
  /** The same as parts a page translates; null for a failure (its error message) or a plain-text job. */
  summaryParts: JobSummaryPart[] | null;
  startedAt: string;
  durationMs: number;
}

/** Runs kept per job; older ones are deleted as new ones are recorded. */
const RUNS_KEPT_PER_JOB = 200;

/** Job runs in SQLite, so "last run, last result, duration" survive a restart. */
export class JobHistory {
  constructor(private readonly db: Db) {}

  async record(run: JobRun): Promise<void> {
    await this.db.write(() => {
      const { jobRuns } = schema;
      const inserted = this.db.orm
        .insert(jobRuns)
        .values({ job: run.job, trigger: run.trigger, result: run.result, summary: run.summary, summaryPartsJson: run.summaryParts ? JSON.stringify(run.summaryParts) : null, startedAt: run.startedAt, durationMs: run.durationMs })
        .returning({ id: jobRuns.id })
        .get();
      const oldestKept = this.db.orm
        .select({ id: jobRuns.id })
        .from(jobRuns)
        .where(eq(jobRuns.job, run.job))
        .orderBy(desc(jobRuns.id))
        .limit(1)
        .offset(RUNS_KEPT_PER_JOB - 1)
        .get();
      if (oldestKept && oldestKept.id < inserted.id) {
        this.db.orm.delete(jobRuns).where(and(eq(jobRuns.job, run.job), lt(jobRuns.id, oldestKept.id))).run();
      }
    });
  }

  /** The newest finished run and the run/failure counts of one job. */
  summary(job: string): { last: JobRun | undefined; runs: number; failures: number } {
    const { jobRuns } = schema;
    const row = this.db.orm
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), sql`${jobRuns.result} != 'skipped'`))
      .orderBy(desc(jobRuns.id))
      .limit(1)
      .get();
    const counts = this.db.orm
      .select({ runs: sql<number>`count(*)`, failures: sql<number>`sum(${jobRuns.result} = 'failed')` })
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), sql`${jobRuns.result} != 'skipped'`))
      .get();
    return {
      last: row && runOf(row),
      runs: counts?.runs ?? 0,
      failures: counts?.failures ?? 0,
    };
  }

  recent(job: string, limit: number): JobRun[] {
    const { jobRuns } = schema;
    return this.db.orm
      .select()
      .from(jobRuns)
      .where(eq(jobRuns.job, job))
      .orderBy(desc(jobRuns.id))
      .limit(limit)
      .all()
      .map(runOf);
  }
}

/** A stored run; parts that do not read back as parts (hand-edited, older shape) are left out. */
function runOf(row: typeof schema.jobRuns.$inferSelect): JobRun {
  return { job: row.job, trigger: row.trigger, result: row.result, summary: row.summary, summaryParts: partsOf(row.summaryPartsJson), startedAt: row.startedAt, durationMs: row.durationMs };
}

function partsOf(json: string | null): JobSummaryPart[] | null {
  if (json === null) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    const isPart = (part: unknown) => typeof part === 'object' && part !== null && typeof (part as JobSummaryPart).key === 'string' && typeof (part as JobSummaryPart).values === 'object';
    return Array.isArray(parsed) && parsed.every(isPart) ? (parsed as JobSummaryPart[]) : null;
  } catch {
    return null;
  }
}
