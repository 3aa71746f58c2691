import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import type { JobRun } from '../../jobs';
import { type BackupFile, backupsDir, BackupVerificationError, listBackups, verifyDatabaseFile } from '../../ops/backups';
import type { ManualBackupRunner } from '../../ops/manual-backup';
import { restoreDatabase } from '../../ops/restore';
import type { AppServices } from '../../services';
import { AppError } from '../../shared';
import { actorOf, requireRole } from '../auth';
import { type Flash, setFlash } from '../flash';
import { formBody } from '../forms';
import type { WebArea } from '../area';
import { pageLanguage, type UiLanguage } from '../i18n';
import { jobSummaryText, jobTitle } from '../job-words';

/** An uploaded backup may be this large (the database of a big site is well below it). */
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/** Runs shown per job in the history under each job. */
const RECENT_RUNS_SHOWN = 5;
/** "Run now" waits this long for the job to finish before answering "still running". */
const RUN_NOW_WAIT_MS = 10_000;
/** Uploads land in the data directory (same file system as the database: no cross-device copy). */
const UPLOAD_PREFIX = 'restore-upload-';

/** The file a restore reads (a listed backup or an upload), its name for people, and how to clean it up. */
interface RestoreSource {
  file: string;
  label: string;
  origin: 'backup' | 'upload';
  discard(): void;
}

/**
 * The admin Maintenance page, where staff see the scheduled jobs and download and restore backups:
 * the jobs with their last run and "Run now", the backup folder with download, "Back up now"
 * (progress polled by htmx) and restore, which swaps the database in while the appliance restarts
 * itself in-process (main.ts restart loop).
 */
export const maintenancePages: WebArea = (router, { services }) => {
  const admin = requireRole('admin');
  const { audit } = services.staff;
  const dataDir = services.config.dataDir;
  const { jobHistory: history, manualBackups: backups } = services;
  removeLeftoverUploads(dataDir);

  const pageModel = (extra: Record<string, unknown> = {}) => ({
    titleKey: 'maintenance.title',
    area: 'maintenance',
    jobs: services.jobs.status().map((job) => ({ ...job, recent: history.recent(job.name, RECENT_RUNS_SHOWN) })),
    backups: listBackups(backupsDir(dataDir)).map(backupRow),
    backup: backupProgress(backups),
    maxUploadGiB: MAX_UPLOAD_BYTES / 1024 ** 3,
    errors: {},
    ...extra,
  });

  router.get('/maintenance', admin, (_request, response) => {
    response.render('pages/maintenance/index', pageModel());
  });

  // ---- jobs ------------------------------------------------------------------------------------
  router.post('/maintenance/jobs/:job/run', admin, async (request, response) => {
    const name = String(request.params.job);
    if (!services.jobs.names().includes(name)) throw new AppError('not_found', 'No such job', 404);
    await audit.record(actorOf(request), { action: 'job.run', objectType: 'job', objectId: name });
    const run = services.jobs.runJob(name);
    const finished = await Promise.race([run, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), RUN_NOW_WAIT_MS).unref())]);
    setFlash(request, runFlash(name, finished, pageLanguage(response)));
    response.redirect(303, '/maintenance');
  });

  // ---- backups ---------------------------------------------------------------------------------
  router.post('/maintenance/backups', admin, async (request, response) => {
    const started = backups.start();
    if (started) await audit.record(actorOf(request), { action: 'backup.start', objectType: 'backup' });
    else setFlash(request, { key: 'maintenance.backupBusy', params: {}, kind: 'error' });
    response.redirect(303, '/maintenance');
  });

  /** The progress fragment; htmx polls it while a backup runs and reloads the page when it ends. */
  router.get('/maintenance/fragments/backup', admin, (request, response) => {
    const progress = backupProgress(backups);
    // The page that was polling a running backup reloads once so the new file shows in the list.
    if (!progress.running && request.query.polling === '1' && request.headers['hx-request']) response.setHeader('HX-Refresh', 'true');
    response.render('fragments/maintenance-backup', { layout: false, backup: progress });
  });

  router.get('/maintenance/backups/:name', admin, (request, response) => {
    const backup = listedBackup(dataDir, String(request.params.name));
    response.attachment(path.basename(backup.file));
    response.type('application/vnd.sqlite3');
    response.setHeader('Content-Length', String(backup.sizeBytes));
    fs.createReadStream(backup.file).pipe(response);
  });

  // ---- restore ---------------------------------------------------------------------------------
  router.get('/maintenance/restore', admin, (request, response) => {
    const backup = listedBackup(dataDir, String(request.query.backup ?? ''));
    response.render('pages/maintenance/confirm', { titleKey: 'maintenance.restoreTitle', area: 'maintenance', backup: backupRow(backup), errors: {} });
  });

  router.post('/maintenance/restore', admin, async (request, response) => {
    const form = formBody(request);
    const backup = listedBackup(dataDir, form.backup ?? '');
    if (form.confirm !== 'yes') {
      return response.status(400).render('pages/maintenance/confirm', { titleKey: 'maintenance.restoreTitle', area: 'maintenance', backup: backupRow(backup), errors: { confirm: 'maintenance.confirmNeeded' } });
    }
    const source: RestoreSource = { file: backup.file, label: path.basename(backup.file), origin: 'backup', discard: () => undefined };
    if (backups.status().running) return renderRestoreError(response, request, pageModel, { key: 'maintenance.backupBusy' });
    await restoreAndRestart(services, request, response, source, () => pageModel());
  });

  /**
   * Upload and restore. The file is streamed to the data directory, never held in memory. The
   * CSRF token travels in the htmx header (a multipart body is parsed only after the CSRF check).
   */
  router.post('/maintenance/restore/upload', admin, async (request, response) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES + 64 * 1024) {
      // Answered before the body is read: the connection closes rather than taking in 2 GiB for nothing.
      response.setHeader('Connection', 'close');
      return renderRestoreError(response, request, pageModel, { key: 'maintenance.tooLarge', httpStatus: 413 });
    }
    const upload = await receiveUpload(request, dataDir);
    if (upload.kind === 'too_large') return renderRestoreError(response, request, pageModel, { key: 'maintenance.tooLarge', httpStatus: 413 });
    if (upload.kind === 'missing') return renderRestoreError(response, request, pageModel, { key: 'maintenance.noFile' });
    const source: RestoreSource = { file: upload.file, label: upload.fileName, origin: 'upload', discard: () => removeUpload(upload.file) };
    if (upload.confirm !== 'yes') {
      source.discard();
      return renderRestoreError(response, request, pageModel, { key: 'maintenance.confirmNeeded' });
    }
    // A restore closes the database the running backup reads from; the backup finishes first.
    if (backups.status().running) {
      source.discard();
      return renderRestoreError(response, request, pageModel, { key: 'maintenance.backupBusy' });
    }
    await restoreAndRestart(services, request, response, source, () => pageModel());
  });
};

/** Verifies the file while the appliance still runs, then restarts it with the file swapped in. */
async function restoreAndRestart(
  services: AppServices,
  request: Request,
  response: Response,
  source: RestoreSource,
  pageModel: () => Record<string, unknown>,
): Promise<void> {
  const { dataDir } = services.config;
  try {
    // Checked before anything stops: a damaged file, another product's database or one from a
    // newer version is refused here and the running data is not touched.
    verifyDatabaseFile(source.file);
  } catch (error) {
    source.discard();
    if (!(error instanceof BackupVerificationError)) throw error;
    await services.staff.audit.record(actorOf(request), { action: 'backup.restore_refused', objectType: 'backup', objectId: source.label, after: { problem: error.message } });
    return renderRestoreError(response, request, pageModel, { key: 'maintenance.refused', problem: problemOf(error, source), reasonKey: `maintenance.restoreProblem.${error.reason}` });
  }
  const actor = actorOf(request);
  let safetyBackupName: string | null = null;
  const accepted = services.requestRestart({
    reason: `restore of ${source.label} by ${actor.name}`,
    whileStopped: async () => {
      try {
        const result = await restoreDatabase(dataDir, source.file);
        services.logger.info({ restored: source.label, safetyBackup: result.safetyBackup?.file }, 'database restored from the admin UI');
        safetyBackupName = result.safetyBackup ? path.basename(result.safetyBackup.file) : null;
      } finally {
        source.discard();
      }
    },
    // Recorded in the restored database (the one that stays); the safety backup has the rest.
    afterRestart: async (reopened, failure) => {
      await reopened.staff.audit.record(actor, {
        action: failure ? 'backup.restore_failed' : 'backup.restore',
        objectType: 'backup',
        objectId: source.label,
        after: { origin: source.origin, safetyBackup: safetyBackupName, ...(failure ? { problem: failure instanceof Error ? failure.message : String(failure) } : {}) },
      });
    },
  });
  if (!accepted) {
    source.discard();
    return renderRestoreError(response, request, pageModel, { key: 'maintenance.restartUnavailable' });
  }
  // Answered here rather than by 303 → GET: the server that would answer the GET is about to close.
  response.setHeader('Connection', 'close');
  response.render(request.headers['hx-request'] ? 'fragments/maintenance-restarting' : 'pages/maintenance/restarting', {
    titleKey: 'maintenance.restartingTitle',
    area: 'maintenance',
    label: source.label,
    ...(request.headers['hx-request'] ? { layout: false } : {}),
  });
}

/** `reasonKey` says the problem in the page's language; `problem` keeps SQLite's own words for whoever investigates. */
interface RestoreError {
  key: string;
  problem?: string;
  reasonKey?: string;
  httpStatus?: number;
}

function renderRestoreError(response: Response, request: Request, pageModel: () => Record<string, unknown>, restoreError: RestoreError): void {
  // htmx swaps only 2xx answers; the upload form is htmx, so it gets its message with a 200.
  const status = request.headers['hx-request'] ? 200 : (restoreError.httpStatus ?? 400);
  response.status(status).render('pages/maintenance/index', { ...pageModel(), restoreError, ...(request.headers['hx-request'] ? { layout: false } : {}) });
}

/** The verification message names the file; for an upload that is a temporary name staff never saw. */
function problemOf(error: BackupVerificationError, source: RestoreSource): string {
  return error.message.replace(error.file, source.label);
}

function runFlash(name: string, run: JobRun | undefined, language: UiLanguage): Flash {
  const title = jobTitle(name, language);
  if (!run) return { key: 'maintenance.jobStillRunning', params: { name: title }, kind: 'ok' };
  if (run.result === 'skipped') return { key: 'maintenance.jobSkipped', params: { name: title }, kind: 'error' };
  return { key: run.result === 'ok' ? 'maintenance.jobDone' : 'maintenance.jobFailed', params: { name: title, message: jobSummaryText(run, language) }, kind: run.result === 'ok' ? 'ok' : 'error' };
}

function backupProgress(runner: ManualBackupRunner) {
  const state = runner.status();
  return { ...state, percent: Math.floor(state.fraction * 100) };
}

function backupRow(backup: BackupFile) {
  const name = path.basename(backup.file);
  // One decimal of MiB is what staff compare; the exact byte count is in the cell's title.
  const sizeMiB = Math.round((backup.sizeBytes / 1024 ** 2) * 10) / 10;
  return { name, kind: backup.kind, takenAt: backup.takenAt.toISOString(), sizeBytes: backup.sizeBytes, sizeMiB, downloadUrl: `/maintenance/backups/${encodeURIComponent(name)}`, restoreUrl: `/maintenance/restore?backup=${encodeURIComponent(name)}` };
}

/** Only a name from the listing is ever turned into a path: nothing from the request reaches the file system. */
function listedBackup(dataDir: string, name: string): BackupFile {
  const backup = listBackups(backupsDir(dataDir)).find((candidate) => path.basename(candidate.file) === name);
  if (!backup) throw new AppError('not_found', 'No such backup', 404);
  return backup;
}

type Upload = { kind: 'file'; file: string; fileName: string; confirm: string | undefined } | { kind: 'missing' } | { kind: 'too_large' };

/** Streams the multipart body's one file to a temporary file in the data directory. */
function receiveUpload(request: Request, dataDir: string): Promise<Upload> {
  return new Promise<Upload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fields: 10, fieldSize: 1024, fileSize: MAX_UPLOAD_BYTES } });
    } catch {
      reject(new AppError('invalid_request', 'Send the backup as a file upload (multipart/form-data)', 400));
      return;
    }
    const fields: Record<string, string> = {};
    let written: Promise<{ file: string; fileName: string; truncated: boolean }> | undefined;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_field, stream, info) => {
      if (written) {
        stream.resume();
        return;
      }
      const file = path.join(dataDir, `${UPLOAD_PREFIX}${crypto.randomBytes(8).toString('hex')}.db`);
      let truncated = false;
      stream.on('limit', () => {
        truncated = true;
      });
      // The name is shown to staff and written to the audit log; only its last segment is kept.
      const fileName = path.basename(info.filename || 'upload.db').slice(0, 200);
      written = pipeline(stream, fs.createWriteStream(file, { mode: 0o600 })).then(
        () => ({ file, fileName, truncated }),
        (error: unknown) => {
          removeUpload(file);
          throw error;
        },
      );
    });
    parser.on('error', (error: unknown) => reject(new AppError('invalid_request', `The upload could not be read (${(error as Error).message})`, 400)));
    parser.on('close', () => {
      if (!written) return resolve({ kind: 'missing' });
      written.then((result) => {
        if (result.truncated) {
          removeUpload(result.file);
          return resolve({ kind: 'too_large' });
        }
        if (fs.statSync(result.file).size === 0) {
          removeUpload(result.file);
          return resolve({ kind: 'missing' });
        }
        resolve({ kind: 'file', file: result.file, fileName: result.fileName, confirm: fields.confirm });
      }, reject);
    });
    request.pipe(parser);
  });
}

/**
 * Uploads cut off by a crash or power loss would stay in the data directory for ever; when the web
 * area starts no request can be writing one (one appliance per data directory, see the pid file).
 */
function removeLeftoverUploads(dataDir: string): void {
  if (!fs.existsSync(dataDir)) return;
  for (const name of fs.readdirSync(dataDir)) {
    if (name.startsWith(UPLOAD_PREFIX)) fs.rmSync(path.join(dataDir, name), { force: true });
  }
}

function removeUpload(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}
