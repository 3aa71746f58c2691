import type { ChargerService, MessageLog } from '../chargers';
import type { Database } from '../db';
import { applyRetention, backupsDir, copyBackupTo, DEFAULT_RETENTION, type RetentionPolicy, takeBackup } from '../ops/backups';
import type { SessionService } from '../sessions';
import type { SettingsService } from '../settings';
import type { JobSummaryPart } from './history';
import type { Job, JobSummary } from './scheduler';
import { addDays, localDate } from '../shared';

/** What the jobs act on; app.ts passes the live services, tests pass their own. */
export interface JobDependencies {
  db: Database;
  dataDir: string;
  settings: SettingsService;
  chargers: ChargerService;
  sessions: SessionService;
  messageLog: MessageLog;
  /** Closes a charger's WebSocket (the OCPP server); the transport then marks it offline. */
  disconnectCharger(chargerId: string, reason: string): void;
  /** Releases QR-start holds whose time ran out: returns how many. */
  expireHolds?(nowIso: string): Promise<number>;
  /** Marks walk-in payment requests past their 15 minutes expired: returns how many. */
  expirePaymentRequests?(nowIso: string): Promise<number>;
  /** Deletes expired sign-ins (staff and QR-page drivers): returns how many. */
  pruneExpiredSignIns?(): Promise<number>;
  /** Report rollups: whether a closed site-local day is rolled up, and rolling one up. */
  reportRollups?: { isRolledUp(date: string): boolean; rollUp(date: string, nowIso: string): Promise<boolean> };
  /** Forgets Idempotency-Keys stored before the given time: returns how many. */
  pruneIdempotencyKeys?(beforeIso: string): Promise<number>;
  /** A second folder (USB stick, NAS mount) that gets a copy of each nightly backup. */
  backupCopyDir?: string | undefined;
  retention?: RetentionPolicy;
  /** An active session with no meter value for this long is flagged `stuck` for staff. */
  stuckAfterS?: number;
}

const DEFAULT_STUCK_AFTER_S = 2 * 3600;
/** Missed heartbeats tolerated before a charger counts as gone (OCPP leaves the number to us). */
const MISSED_HEARTBEATS_BEFORE_OFFLINE = 2;
const HEARTBEAT_GRACE_S = 60;
/** Rows deleted per write while pruning, so charger traffic is never held up behind a prune. */
const PRUNE_BATCH_ROWS = 5000;

/** The cron table: every background job of the appliance, declared in one place. */
export function createJobTable(deps: JobDependencies): Job[] {
  return [
    {
      name: 'backup',
      cron: '30 2 * * *',
      description: 'Nightly online backup into the data folder, checked with integrity_check, with retention and an optional second copy',
      run: (context) => runNightlyBackup(deps, context.now, context.signal),
    },
    {
      name: 'charger-presence',
      cron: '* * * * *',
      description: 'Marks chargers offline when their heartbeats stop',
      run: (context) => markSilentChargersOffline(deps, context.now),
    },
    {
      name: 'stuck-sessions',
      cron: '*/10 * * * *',
      description: 'Flags active sessions with no meter values for a long time',
      run: (context) => flagStuckSessions(deps, context.now),
    },
    expiryEveryMinute('expire-holds', 'Releases QR-start holds whose time ran out', deps.expireHolds, { key: 'holdsExpired', counted: 'hold(s) expired' }),
    expiryEveryMinute('expire-payment-requests', 'Marks walk-in payment requests expired 15 minutes after they were made', deps.expirePaymentRequests, {
      key: 'paymentRequestsExpired',
      counted: 'payment request(s) expired',
    }),
    {
      name: 'report-rollups',
      cron: '20 0 * * *',
      description: 'Rolls up the per-charger daily report totals of the closed days of the last five weeks',
      run: (context) => rollUpReports(deps, context.now, context.signal),
    },
    {
      name: 'prune-logs',
      cron: '15 3 * * *',
      description: 'Prunes the OCPP message log and what chargers sent for transactions no session had by the retention setting, expired staff and driver sign-ins, and old Idempotency-Keys',
      run: (context) => pruneMessageLog(deps, context.now, context.signal),
    },
  ];
}

/** A part of a summary with its English words; the Maintenance page says it by its key (maintenance.jobSummary.<key>). */
interface WordedPart extends JobSummaryPart {
  english: string;
}

function said(key: string, values: Record<string, string | number>, english: string): WordedPart {
  return { key, values, english };
}

/** The summary of a run from its parts: the English joined for the log and the API, the parts for pages. */
function summaryOf(parts: WordedPart[], separator = ', '): JobSummary {
  return { text: parts.map((part) => part.english).join(separator), parts: parts.map(({ key, values }) => ({ key, values })) };
}

/** Said when a job's dependency is not wired into this process (unit tests wire only what they test). */
const notWired = (what: string) => summaryOf([said('notWired', {}, `no ${what} wired`)]);

/** A job that ends, every minute, what ran out of time by then; its summary says how many. */
function expiryEveryMinute(name: string, description: string, expire: ((nowIso: string) => Promise<number>) | undefined, words: { key: string; counted: string }): Job {
  return {
    name,
    cron: '* * * * *',
    description,
    run: async (context) => {
      if (!expire) return notWired(name);
      const count = await expire(context.now.toISOString());
      return summaryOf([said(words.key, { count }, `${count} ${words.counted}`)]);
    },
  };
}

async function runNightlyBackup(deps: JobDependencies, now: Date, signal: AbortSignal): Promise<JobSummary> {
  const backup = await takeBackup(deps.db, deps.dataDir, { kind: 'nightly', now, signal });
  const deleted = applyRetention(backupsDir(deps.dataDir), deps.retention ?? DEFAULT_RETENTION);
  const parts = [said('backupTaken', { file: backup.file, sizeBytes: backup.sizeBytes, removed: deleted.length }, `${backup.file} (${backup.sizeBytes} bytes, integrity ok); ${deleted.length} old backup(s) removed`)];
  if (deps.backupCopyDir) {
    // The local backup stands even when the second folder is missing (USB stick pulled out):
    // the job still fails so staff see that the off-box copy is not being made.
    const copy = copyBackupTo(backup, deps.backupCopyDir);
    const deletedCopies = applyRetention(deps.backupCopyDir, deps.retention ?? DEFAULT_RETENTION);
    parts.push(said('backupCopied', { copy, removed: deletedCopies.length }, `copied to ${copy}, ${deletedCopies.length} old copy(ies) removed`));
  }
  return summaryOf(parts, '; ');
}

function markSilentChargersOffline(deps: JobDependencies, now: Date): JobSummary {
  const silenceLimitS = deps.settings.get().heartbeatIntervalS * MISSED_HEARTBEATS_BEFORE_OFFLINE + HEARTBEAT_GRACE_S;
  const dropped: string[] = [];
  for (const charger of deps.chargers.all()) {
    if (!charger.connected) continue;
    const lastSeenAt = charger.lastSeenAt ?? charger.connectedSince;
    if (lastSeenAt === null) continue;
    if (now.getTime() - Date.parse(lastSeenAt) <= silenceLimitS * 1000) continue;
    deps.disconnectCharger(charger.id, `No message for more than ${silenceLimitS} s`);
    dropped.push(charger.id);
  }
  if (dropped.length === 0) return summaryOf([said('chargersAlive', {}, 'every connected charger is alive')]);
  return summaryOf([said('chargersOffline', { count: dropped.length, chargers: dropped.join(', ') }, `marked offline: ${dropped.join(', ')}`)]);
}

async function flagStuckSessions(deps: JobDependencies, now: Date): Promise<JobSummary> {
  const lastBootOf = (chargerId: string) => deps.chargers.repository.get(chargerId)?.lastBootAt ?? null;
  const changes = await deps.sessions.flagStuck(now, (deps.stuckAfterS ?? DEFAULT_STUCK_AFTER_S) * 1000, lastBootOf);
  return summaryOf([said('sessionsFlagged', { flagged: changes.flagged, cleared: changes.cleared }, `${changes.flagged} session(s) flagged stuck or open after a reboot, ${changes.cleared} unflagged`)]);
}

/** Closed days looked at by the rollup job; older days keep their rollups or are computed live. */
const ROLLUP_DAYS_BACK = 35;

async function rollUpReports(deps: JobDependencies, now: Date, signal: AbortSignal): Promise<JobSummary> {
  const rollups = deps.reportRollups;
  if (!rollups) return notWired('reports');
  const today = localDate(now.toISOString(), deps.settings.get().timeZone);
  let made = 0;
  for (let back = 1; back <= ROLLUP_DAYS_BACK && !signal.aborted; back++) {
    const date = addDays(today, -back);
    if (rollups.isRolledUp(date)) continue;
    // One day per write, so charger traffic never waits behind a long rollup.
    if (await rollups.rollUp(date, now.toISOString())) made++;
  }
  return summaryOf([said('daysRolledUp', { count: made }, `${made} day(s) rolled up`)]);
}

/** Runs `pruneBatch` until a batch is short of PRUNE_BATCH_ROWS or the appliance stops; returns the rows deleted. */
async function pruneInBatches(signal: AbortSignal, pruneBatch: () => Promise<number>): Promise<number> {
  let deleted = 0;
  while (!signal.aborted) {
    const batch = await pruneBatch();
    deleted += batch;
    if (batch < PRUNE_BATCH_ROWS) break;
  }
  return deleted;
}

/** Idempotency-Keys are kept this long (clients retry within minutes; receipts are kept forever). */
const IDEMPOTENCY_KEY_RETENTION_DAYS = 90;

async function pruneMessageLog(deps: JobDependencies, now: Date, signal: AbortSignal): Promise<JobSummary> {
  const retentionDays = deps.settings.get().messageLogRetentionDays;
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const deleted = await pruneInBatches(signal, () => deps.messageLog.pruneBatch(cutoff, PRUNE_BATCH_ROWS));
  const events = await pruneInBatches(signal, () => deps.db.write(() => deps.chargers.repository.pruneEvents(cutoff, PRUNE_BATCH_ROWS)));
  const unmatched = { messages: 0, readings: 0 };
  await pruneInBatches(signal, async () => {
    const batch = await deps.db.write(() => deps.sessions.repository.pruneUnmatched(cutoff, PRUNE_BATCH_ROWS));
    unmatched.messages += batch.messages;
    unmatched.readings += batch.readings;
    return Math.max(batch.messages, batch.readings);
  });
  const parts = [
    said('logsPruned', { messages: deleted, events, days: retentionDays }, `${deleted} OCPP message(s) and ${events} charger event(s) older than ${retentionDays} day(s) pruned`),
    said(
      'unmatchedPruned',
      { ...unmatched, days: retentionDays },
      `${unmatched.messages} message(s) and ${unmatched.readings} meter reading(s) for transactions no session had, older than ${retentionDays} day(s), removed`,
    ),
  ];
  if (deps.pruneExpiredSignIns) {
    const signIns = await deps.pruneExpiredSignIns();
    parts.push(said('signInsPruned', { count: signIns }, `${signIns} expired sign-in(s) removed`));
  }
  if (deps.pruneIdempotencyKeys) {
    // Far beyond any client's retry window: a key forgotten too early would let a late retry move money again.
    const keyCutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_RETENTION_DAYS * 86_400_000).toISOString();
    const keys = await deps.pruneIdempotencyKeys(keyCutoff);
    parts.push(said('keysPruned', { count: keys, days: IDEMPOTENCY_KEY_RETENTION_DAYS }, `${keys} idempotency key(s) older than ${IDEMPOTENCY_KEY_RETENTION_DAYS} days forgotten`));
  }
  return summaryOf(parts);
}
