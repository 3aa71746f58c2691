import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { assert } from '../shared';
import type { JobHistory, JobResult, JobRun, JobSummaryPart } from './history';

interface JobContext {
  /** The time the run started. */
  now: Date;
  /** Aborted when the appliance stops: long jobs give up between steps. */
  signal: AbortSignal;
  log: Logger;
}

/** What a run did: English text for the log and the API, and the same as parts a page translates. */
export interface JobSummary {
  text: string;
  parts: JobSummaryPart[];
}

/** One line of the cron table. `run` returns a short summary shown to staff (plain text, or with parts). */
export interface Job {
  name: string;
  /** node-cron expression (optional seconds field first), in the site's time zone. */
  cron: string;
  description: string;
  run(context: JobContext): Promise<string | JobSummary> | string | JobSummary;
}

/** What staff see per job (UI and health). */
interface JobStatus {
  name: string;
  cron: string;
  description: string;
  running: boolean;
  lastRunAt: string | null;
  lastResult: JobResult | null;
  lastSummary: string | null;
  lastSummaryParts: JobSummaryPart[] | null;
  lastDurationMs: number | null;
  nextRunAt: string | null;
  runs: number;
  failures: number;
}

interface JobState {
  job: Job;
  task: ScheduledTask | undefined;
  running: Promise<JobRun> | undefined;
  last: JobRun | undefined;
  runs: number;
  failures: number;
}

/** A summary longer than this is cut: it is a line for people, not a report. */
const MAX_SUMMARY_CHARS = 500;
/** Parts longer than this (as JSON) are not kept: the page shows the (cut) English text instead. */
const MAX_SUMMARY_PARTS_CHARS = 2000;

/**
 * Runs the cron table. Every run is wrapped so that a job that throws is recorded as failed and
 * logged, never an unhandled rejection that would take down the charging site; a job still
 * running when its next time comes is skipped rather than started twice.
 */
export class JobScheduler {
  private readonly states = new Map<string, JobState>();
  private abort = new AbortController();
  private started = false;

  constructor(
    jobs: readonly Job[],
    private readonly log: Logger,
    private timeZone: string,
    /** Where runs are kept across restarts; without it they live in memory only (unit tests). */
    private readonly history?: JobHistory,
  ) {
    for (const job of jobs) {
      assert(!this.states.has(job.name), `job names are unique (${job.name})`);
      assert(cron.validate(job.cron), `job ${job.name} has a valid cron expression (${job.cron})`);
      const stored = history?.summary(job.name);
      this.states.set(job.name, { job, task: undefined, running: undefined, last: stored?.last, runs: stored?.runs ?? 0, failures: stored?.failures ?? 0 });
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.abort = new AbortController();
    for (const state of this.states.values()) {
      state.task = cron.createTask(state.job.cron, () => this.execute(state, 'scheduled'), {
        name: state.job.name,
        timezone: this.timeZone,
        // A missed tick (machine asleep, event loop busy) is simply skipped; node-cron's own
        // warning would only add noise to the journal.
        suppressMissedWarning: true,
      });
      void state.task.start();
    }
  }

  /** The site's time zone changed: schedules are re-made so "02:30" stays 02:30 local time. */
  setTimeZone(timeZone: string): void {
    if (timeZone === this.timeZone) return;
    this.timeZone = timeZone;
    if (!this.started) return;
    this.destroyTasks();
    this.started = false;
    this.start();
  }

  /** Stops scheduling, asks running jobs to give up, and waits for them up to `waitMs`. */
  async stop(waitMs = 3000): Promise<void> {
    this.started = false;
    this.destroyTasks();
    this.abort.abort();
    const running = [...this.states.values()].map((state) => state.running).filter((run) => run !== undefined);
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private destroyTasks(): void {
    for (const state of this.states.values()) {
      void state.task?.destroy();
      state.task = undefined;
    }
  }

  /** Runs a job now (tests, the admin UI's "run now"); skipped if it is already running. */
  runJob(name: string): Promise<JobRun> {
    const state = this.states.get(name);
    if (!state) return Promise.reject(new Error(`No job named ${JSON.stringify(name)}; jobs: ${this.names().join(', ')}`));
    return this.execute(state, 'on-demand');
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  status(): JobStatus[] {
    return [...this.states.values()].map((state) => ({
      name: state.job.name,
      cron: state.job.cron,
      description: state.job.description,
      running: state.running !== undefined,
      lastRunAt: state.last?.startedAt ?? null,
      lastResult: state.last && state.last.result !== 'skipped' ? state.last.result : null,
      lastSummary: state.last?.summary ?? null,
      lastSummaryParts: state.last?.summaryParts ?? null,
      lastDurationMs: state.last?.durationMs ?? null,
      nextRunAt: state.task?.getNextRun()?.toISOString() ?? null,
      runs: state.runs,
      failures: state.failures,
    }));
  }

  private execute(state: JobState, trigger: JobRun['trigger']): Promise<JobRun> {
    const startedAt = new Date();
    if (state.running) {
      this.log.warn({ job: state.job.name, trigger }, 'job still running from before; this run is skipped');
      return Promise.resolve({
        job: state.job.name,
        trigger,
        result: 'skipped',
        summary: 'still running from before',
        summaryParts: null,
        startedAt: startedAt.toISOString(),
        durationMs: 0,
      });
    }
    const run = this.runOnce(state, trigger, startedAt).finally(() => {
      state.running = undefined;
    });
    state.running = run;
    return run;
  }

  private async runOnce(state: JobState, trigger: JobRun['trigger'], startedAt: Date): Promise<JobRun> {
    const log = this.log.child({ job: state.job.name });
    const startedMs = performance.now();
    let result: JobResult;
    let summary: string;
    let parts: JobSummaryPart[] | null = null;
    try {
      const outcome = await state.job.run({ now: startedAt, signal: this.abort.signal, log });
      summary = typeof outcome === 'string' ? outcome : outcome.text;
      if (typeof outcome !== 'string' && JSON.stringify(outcome.parts).length <= MAX_SUMMARY_PARTS_CHARS) parts = outcome.parts;
      result = 'ok';
    } catch (error) {
      result = 'failed';
      summary = error instanceof Error ? error.message : String(error);
      log.error({ err: error, trigger }, 'job failed');
    }
    const run: JobRun = {
      job: state.job.name,
      trigger,
      result,
      summary: summary.length > MAX_SUMMARY_CHARS ? `${summary.slice(0, MAX_SUMMARY_CHARS)}…` : summary,
      summaryParts: parts,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
    };
    state.last = run;
    state.runs++;
    if (result === 'failed') state.failures++;
    else log.info({ trigger, durationMs: run.durationMs, summary: run.summary }, 'job finished');
    await this.history?.record(run).catch((error: unknown) => log.error({ err: error }, 'could not record the job run'));
    return run;
  }
}
