import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { ApiTokenService } from './access';
import { ChargerService, MessageLog } from './chargers';
import type { Config } from './config';
import { Database } from './db';
import { createMoneyServices } from './billing';
import { normaliseUid, SingleSessionAuthorizer } from './drivers';
import { createJobTable, JobHistory, JobScheduler } from './jobs';
import { createLogger } from './logger';
import { CommandService, createV16Adapter, createV201Adapter, OcppServer, DEFAULT_SERVER_OPTIONS, type OcppServerOptions } from './ocpp';
import type { AppServices, RestartRequest } from './services';
import { SessionService } from './sessions';
import { SettingsService } from './settings';
import { bootstrapAdminFromEnv, createStaffServices } from './staff';
import { TariffService } from './tariffs';
import { DriverSignInService, QrStartService, type QrStartTimeouts } from './qrstart';
import { readVersion } from './version';
import { createApiRouter } from './web/api/v1';
import { moneyRoutes } from './web/api/v1/money';
import { qrRoutes } from './web/api/v1/qr';
import { setCardUidNormaliser } from './web/api/v1/sessions';
import { createWebRouter } from './web';

export const DATABASE_FILE_NAME = 'chargeyard.db';

export interface AppOptions {
  logger?: Logger;
  ocpp?: Partial<OcppServerOptions>;
  /** QR start timeouts (CONTRACT defaults 30 s and 120 s); tests shorten them. */
  qrStart?: Partial<QrStartTimeouts>;
  /** The restart loop (main.ts) that can close and reopen this app; without it restarts are refused. */
  onRestartRequest?: (request: RestartRequest) => boolean;
}

export interface App {
  server: http.Server | https.Server;
  port: number;
  uiUrl: string;
  ocppUrl: string;
  services: AppServices;
  close(): Promise<void>;
}

/** How often in-memory last-seen times are written to the database. */
const LAST_SEEN_FLUSH_MS = 5000;
/** How long a remote stop for an exhausted balance waits for the charger's answer. */
const REMOTE_STOP_TIMEOUT_MS = 30_000;

/**
 * The one place that wires the appliance together: database, domains, OCPP endpoint, JSON API
 * and web UI on one port. Returns once listening; `close()` shuts down gracefully.
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const db = Database.open(path.join(config.dataDir, DATABASE_FILE_NAME));

  const settings = new SettingsService(db);
  const chargers = new ChargerService(db, settings);
  const messageLog = new MessageLog(db);
  const sessions: SessionService = new SessionService(db, new SingleSessionAuthorizer((idTag: string): number => sessions.activeCountForTag(idTag)));
  // Billing is built below; a 2.0.1 station asks for the running cost only once sessions run.
  const v201 = createV201Adapter({ db, chargers, sessions, settings, runningCostOf: (sessionId) => money.billing.runningCostOf(sessionId) });
  const ocpp = new OcppServer(chargers, messageLog, logger, [createV16Adapter({ chargers, sessions }), v201], {
    ...DEFAULT_SERVER_OPTIONS,
    ...options.ocpp,
  });
  const commands = new CommandService(ocpp, chargers, v201.deviceModel, (result) => v201.onCommandResult(result));
  const tokens = new ApiTokenService(db, config.apiToken);
  const staff = createStaffServices(db);
  const tariffs = new TariffService(db);
  const money = createMoneyServices({
    db,
    settings,
    sessions,
    tariffs,
    requestRemoteStop: (chargerId, transactionId, reason) => {
      logger.info({ chargerId, transactionId, reason }, 'Stopping a session remotely');
      return commands.remoteStop({ chargerId, transactionId }, REMOTE_STOP_TIMEOUT_MS);
    },
    onError: (error, context) => logger.error({ err: error }, `Money: ${context} failed`),
  });
  const qrStart = new QrStartService({
    db,
    ledger: money.ledger,
    holds: money.holds,
    billing: money.billing,
    tariffs,
    chargers,
    sessions,
    settings,
    commands,
    timeouts: options.qrStart,
    onError: (error, context) => logger.error({ err: error }, `QR start: ${context} failed`),
  });
  // After billing's hooks: the QR start reads the hold billing attached to the new session.
  sessions.addHooks(qrStart.hooks());
  const driverSignIn = new DriverSignInService(db, money.drivers);
  setCardUidNormaliser(normaliseUid);
  await bootstrapAdminFromEnv(staff.users, config.adminPassword, logger);
  const jobs = new JobScheduler(
    createJobTable({
      db,
      dataDir: config.dataDir,
      settings,
      chargers,
      sessions,
      disconnectCharger: (chargerId, reason) => ocpp.disconnect(chargerId, reason),
      backupCopyDir: config.backupCopyDir,
      expireHolds: (nowIso) => money.holds.expireDue(nowIso),
      pruneExpiredStaffSessions: async () => (await staff.sessions.pruneExpired()) + (await driverSignIn.pruneExpired()),
      pruneIdempotencyKeys: (beforeIso) => money.till.idempotency.prune(beforeIso),
      reportRollups: money.reports,
    }),
    logger.child({ component: 'jobs' }),
    settings.get().timeZone,
    new JobHistory(db),
  );
  settings.onChange((next) => jobs.setTimeZone(next.timeZone));

  let uiUrl = '';
  const services: AppServices = {
    config,
    logger,
    version: readVersion(),
    db,
    settings,
    chargers,
    messageLog,
    sessions,
    ocpp,
    commands,
    tokens,
    staff,
    tariffs,
    money,
    qrStart,
    driverSignIn,
    jobs,
    uiUrl: () => uiUrl,
    requestRestart: (request) => options.onRestartRequest?.(request) ?? false,
  };

  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', false);
  web.use('/api/v1', createApiRouter(services, [moneyRoutes, qrRoutes]));
  web.use('/', createWebRouter(services));

  const server = config.tls
    ? https.createServer({ cert: config.tls.certPem, key: config.tls.keyPem, minVersion: 'TLSv1.2' }, web)
    : http.createServer(web);
  // Slow or stuck HTTP clients must not hold sockets forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 150_000;
  server.keepAliveTimeout = 5_000;
  server.on('upgrade', (request, socket, head) => ocpp.handleUpgrade(request, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const scheme = config.tls ? 'https' : 'http';
  uiUrl = `${scheme}://${reachableHost}:${port}/`;
  const ocppUrl = `${config.tls ? 'wss' : 'ws'}://${reachableHost}:${port}/ocpp/`;

  ocpp.start();
  messageLog.start();
  qrStart.resumePending();
  jobs.start();
  const lastSeenTimer = setInterval(() => void chargers.flushLastSeen().catch(() => undefined), LAST_SEEN_FLUSH_MS);
  lastSeenTimer.unref();

  // The start line is printed even when the log level hides info: scripts and tests read the port from it.
  const startLogger = logger.isLevelEnabled('info') || config.logLevel === 'silent' ? logger : createLogger('info');
  startLogger.info({ uiUrl, ocppUrl, port, dataDir: config.dataDir, version: services.version }, 'Chargeyard is running');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting first, let in-flight requests and writes finish, then close the database.
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A job mid-run (a backup) is asked to give up so the database can close in time.
      const jobsStopped = jobs.stop();
      await ocpp.close();
      // After the chargers are gone: a start still waiting for its answer fails at once and releases its hold.
      await qrStart.close();
      server.closeIdleConnections?.();
      const forced = setTimeout(() => server.closeAllConnections?.(), 3000);
      forced.unref();
      await httpClosed;
      clearTimeout(forced);
      clearInterval(lastSeenTimer);
      await chargers.flushLastSeen().catch(() => undefined);
      await messageLog.stop();
      await jobsStopped;
      db.close();
      logger.info('Chargeyard stopped');
    })());

  return { server, port, uiUrl, ocppUrl, services, close };
}
