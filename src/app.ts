import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { ApiTokenService } from './access';
import { BillingService, type RemoteStopRequester } from './billing';
import { ChargerService, evsesOf, MessageLog } from './chargers';
import type { Config } from './config';
import { Database, ensurePrivateDir } from './db';
import { Authorizer, DriverService } from './drivers';
import { createJobTable, JobHistory, JobScheduler } from './jobs';
import { IdempotencyStore, Ledger } from './ledger';
import { LoadService, type ChargingProfileSender, type LoadClock, type LoadTimings } from './load';
import { createLogger } from './logger';
import { ChargingProfileCommands, CommandService, createV16Adapter, createV201Adapter, OcppServer, DEFAULT_SERVER_OPTIONS, type OcppServerOptions } from './ocpp';
import { ManualBackupRunner } from './ops/manual-backup';
import { DriverSignInService, QrStartService, StartHoldService, type QrStartTimeouts, type StartStopCommands } from './qrstart';
import { ReportService } from './reports';
import type { AppServices, Domains, RestartRequest } from './services';
import { SessionRepository, SessionService } from './sessions';
import { SettingsService } from './settings';
import { AuditLog, bootstrapAdminFromEnv, createStaffServices } from './staff';
import { TariffService } from './tariffs';
import { PaymentRequestService, ShiftService, TillService } from './till';
import { HashingLimiter, type RecordAudit } from './shared';
import { readVersion } from './version';
import { createApiRouter } from './web/api/v1';
import { createWebRouter } from './web';

const DATABASE_FILE_NAME = 'chargeyard.db';

export interface AppOptions {
  logger?: Logger;
  ocpp?: Partial<OcppServerOptions>;
  /** QR start timeouts (CONTRACT defaults 30 s and 120 s); tests shorten them. */
  qrStart?: Partial<QrStartTimeouts>;
  /** How long a walk-in payment request stays open (CONTRACT 15 minutes); tests shorten it. */
  paymentRequestTtlMs?: number;
  /** Load management's clock and timings; with a clock of its own nothing runs on a timer (tests). */
  load?: LoadOptions;
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

export interface LoadOptions {
  clock?: LoadClock;
  timings?: Partial<LoadTimings>;
}

/** How often in-memory last-seen times are written to the database. */
const LAST_SEEN_FLUSH_MS = 5000;
/** How long a remote stop for an exhausted balance waits for the charger's answer. */
const REMOTE_STOP_TIMEOUT_MS = 30_000;

/** What the domains need from outside: the OCPP commands (built after them) and where errors go. */
export interface DomainWiring {
  /** RemoteStart and RemoteStop for the QR start, in version-neutral words. */
  chargerCommands: StartStopCommands;
  /** Billing's remote stop of a session whose running cost reached what it may spend. */
  requestRemoteStop: RemoteStopRequester;
  /** Background work that failed (a remote stop, a hold release): logged, never thrown at a charger. */
  onError(error: unknown, context: string): void;
  /** QR start timeouts (CONTRACT defaults 30 s and 120 s); tests shorten them. */
  qrStartTimeouts?: Partial<QrStartTimeouts> | undefined;
  /** How long a walk-in payment request stays open (CONTRACT 15 minutes); tests shorten it. */
  paymentRequestTtlMs?: number | undefined;
  /** Load management's charging profiles on the wire (the OCPP commands). */
  chargingProfiles: ChargingProfileSender;
  /** Whether a charger is connected now (the OCPP server). */
  isConnected(chargerId: string): boolean;
  /** Writes an audit entry inside the caller's transaction (the staff domain's audit log). */
  audit: RecordAudit;
  logger: Logger;
  load?: LoadOptions | undefined;
}

/**
 * Builds every domain complete with its collaborators, in dependency order. Where two need each
 * other, one gets a function that reaches the other once both exist (said where it happens).
 */
export function createDomains(db: Database, wiring: DomainWiring): Domains {
  // Settings and the ledger need each other: the currency may change only while no money has
  // moved (accounts opened so far follow it, in the settings write), and the ledger opens
  // accounts in the site's currency.
  const ledger: Ledger = new Ledger(db, () => settings.get().currency);
  const settings = new SettingsService(db, ledger, wiring.audit);
  const idempotency = new IdempotencyStore(db);
  // One cap on password and PIN hashing for the whole process: chargers, staff and drivers share the CPU.
  const hashing = new HashingLimiter();
  const chargers = new ChargerService(db, settings, hashing, wiring.audit);
  const messageLog = new MessageLog(db);
  const tariffs = new TariffService(db, wiring.audit);
  const sessionRepository = new SessionRepository(db);
  const drivers = new DriverService(db, ledger, settings, (cardUid) => sessionRepository.activeCountForCard(cardUid), wiring.audit);
  const startHolds = new StartHoldService(db, ledger, drivers);
  const billing = new BillingService({
    db,
    ledger,
    tariffs,
    drivers,
    settings,
    sessions: sessionRepository,
    chargers: chargers.repository,
    holds: startHolds,
    requestRemoteStop: wiring.requestRemoteStop,
    onError: wiring.onError,
  });
  const shifts = new ShiftService(db, settings, wiring.audit);
  const till = new TillService(db, ledger, drivers, settings, shifts, idempotency, wiring.audit);
  const reports = new ReportService(db, settings, sessionRepository, billing.repository, chargers.repository, till);
  const qrStart = new QrStartService({
    db,
    ledger,
    holds: startHolds,
    billing,
    tariffs,
    chargers,
    sessions: sessionRepository,
    settings,
    commands: wiring.chargerCommands,
    timeouts: wiring.qrStartTimeouts,
    onError: wiring.onError,
  });
  const authorizer = new Authorizer({
    drivers,
    ledger,
    settings,
    hasTariff: (chargerId) => tariffs.versionInForce(chargerId) !== null,
    activeSessionsOfCard: (cardUid) => sessionRepository.activeCountForCard(cardUid),
    startHoldOfTag: (idTag) => startHolds.forTag(idTag),
    // Remembering an unknown tag must not slow or fail the charger's answer: it is written in the next batch.
    onUnknownTag: (uid, chargerId) => void drivers.recordUnknownCard(uid, chargerId).catch((error) => wiring.onError(error, 'record unknown card')),
  });
  const load = new LoadService({
    db,
    sessions: sessionRepository,
    chargers: {
      isConnected: (chargerId) => wiring.isConnected(chargerId),
      isAccepted: (chargerId) => chargers.registrationOf(chargerId) === 'accepted',
      connectedIds: () => chargers.all().filter((charger) => charger.connected).map((charger) => charger.id),
      // Connectors of the accepted chargers as they reported them in StatusNotification (1.6
      // connector 0 and 2.0.1 EVSE 0 are the charger itself); one that never reported counts as
      // one. Strangers waiting for approval take no share.
      connectorCounts: () =>
        new Map(
          chargers
            .all()
            .filter((charger) => charger.registration === 'accepted')
            .map((charger) => [charger.id, Math.max(1, evsesOf(charger.connectors).filter((evse) => evse.connectorId > 0).length)]),
        ),
    },
    sender: wiring.chargingProfiles,
    timeZone: () => settings.get().timeZone,
    audit: wiring.audit,
    logger: wiring.logger.child({ component: 'load' }),
    clock: wiring.load?.clock,
    timings: wiring.load?.timings,
  });
  // A charger that boots gets its safe default profile; one that comes or goes changes the sums.
  chargers.onChange((change) => load.onChargerEvent(change));
  const sessions = new SessionService(db, sessionRepository, authorizer, [
    // 1. Billing: at a start it fixes who pays and attaches the driver's QR hold to the session; at
    //    a stop it prices the session and posts the charge, inside the session's own transaction.
    billing.hooks(),
    // 2. Reports: a stop on a day already rolled up makes that day live again, in the same transaction.
    reports.hooks(),
    // 3. The QR start, after billing: it finds its start by the hold billing attached, and closes
    //    it once billing has posted the cost from that hold.
    qrStart.hooks(),
    // 4. Load management, only after the commits (it sends charging profiles): a start or a stop
    //    changes the shares, a reading may show a car drawing less or more.
    load.sessionHooks(),
  ], wiring.audit);
  const paymentRequests = new PaymentRequestService({
    db,
    drivers,
    settings,
    till,
    idempotency,
    qrStart,
    ttlMs: wiring.paymentRequestTtlMs,
    onError: wiring.onError,
    audit: wiring.audit,
  });
  const driverSignIn = new DriverSignInService(db, drivers, hashing, wiring.audit);
  return {
    load,
    hashing,
    settings,
    ledger,
    idempotency,
    chargers,
    messageLog,
    tariffs,
    drivers,
    authorizer,
    sessions,
    billing,
    startHolds,
    qrStart,
    driverSignIn,
    till,
    shifts,
    paymentRequests,
    reports,
  };
}

/**
 * The one place that wires the appliance together: database, domains, OCPP endpoint, JSON API
 * and web UI on one port. Returns once listening; `close()` shuts down gracefully.
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // The data folder is the appliance's alone (0700), also when no systemd unit set it up.
  ensurePrivateDir(config.dataDir, { linkAllowed: true });
  const db = Database.open(path.join(config.dataDir, DATABASE_FILE_NAME));
  // Every domain writes its changes' audit entries in its own transactions (CONTRACT "JSON API").
  const auditLog = new AuditLog(db);

  const domains = createDomains(db, {
    // The OCPP commands are built below: the protocol adapters feed the sessions built here.
    chargerCommands: {
      remoteStart: (chargerId, connectorId, idTag, timeoutMs) => commands.remoteStart(chargerId, connectorId, idTag, timeoutMs),
      remoteStop: (session, timeoutMs) => commands.remoteStop(session, timeoutMs),
    },
    requestRemoteStop: (chargerId, transactionId, reason) => {
      logger.info({ chargerId, transactionId, reason }, 'Stopping a session remotely');
      return commands.remoteStop({ chargerId, transactionId }, REMOTE_STOP_TIMEOUT_MS);
    },
    onError: (error, context) => logger.error({ err: error }, `${context} failed`),
    qrStartTimeouts: options.qrStart,
    paymentRequestTtlMs: options.paymentRequestTtlMs,
    // Built below like the commands: profiles are sent only once chargers are connected.
    chargingProfiles: {
      send: (order, timeoutMs) => chargingProfiles.send(order, timeoutMs),
      clear: (chargerId, profiles, timeoutMs) => chargingProfiles.clear(chargerId, profiles, timeoutMs),
      capabilities: (chargerId, timeoutMs) => chargingProfiles.capabilities(chargerId, timeoutMs),
    },
    isConnected: (chargerId) => ocpp.isConnected(chargerId),
    audit: auditLog.recordNow,
    logger,
    load: options.load,
  });
  const { settings, chargers, messageLog, sessions, billing, qrStart, load } = domains;
  // Drivers registered before numbers were stored in E.164 (CONTRACT /users) are brought to it.
  const phones = await domains.drivers.normaliseStoredPhones();
  if (phones.changed > 0) logger.info({ changed: phones.changed }, 'Driver phone numbers stored in E.164');
  for (const conflict of phones.conflicts) {
    logger.warn({ driverId: conflict.id, phone: conflict.phone }, 'A driver phone number is the same number as another driver\'s; left as it was for staff to correct');
  }

  // The OCPP edge: one adapter per version over the same domains, then the outbound commands.
  const v201 = createV201Adapter({ db, chargers, sessions, settings, runningCostOf: (sessionId) => billing.runningCostOf(sessionId) });
  const ocpp = new OcppServer(chargers, messageLog, logger, [createV16Adapter({ chargers, sessions }), v201], {
    ...DEFAULT_SERVER_OPTIONS,
    ...options.ocpp,
  });
  const commands = new CommandService(ocpp, chargers, v201.deviceModel, (result) => v201.onCommandResult(result), {
    refusal: () => db.writesRefused(),
    record: (actor, entry) => auditLog.record(actor, entry),
  });
  const chargingProfiles = new ChargingProfileCommands(commands);
  // A connection lives under the terms it was admitted on: a new password, a rejection or a
  // removal ends it at once, from any door (UI or API).
  chargers.onChange((change) => {
    if (change.kind === 'access_changed') ocpp.disconnect(change.chargerId, 'Credentials or registration changed by staff');
    if (change.kind === 'removed') ocpp.disconnect(change.chargerId, 'Charger removed by staff');
  });

  const tokens = new ApiTokenService(db, config.apiToken, auditLog.recordNow);
  const staff = createStaffServices(db, domains.hashing, auditLog);
  await bootstrapAdminFromEnv(staff.users, config.adminPassword, logger);
  const jobHistory = new JobHistory(db);
  const jobs = new JobScheduler(
    createJobTable({
      db,
      dataDir: config.dataDir,
      settings,
      chargers,
      sessions,
      messageLog,
      disconnectCharger: (chargerId, reason) => ocpp.disconnect(chargerId, reason),
      backupCopyDir: config.backupCopyDir,
      expireHolds: (nowIso) => domains.startHolds.expireDue(nowIso),
      expirePaymentRequests: (nowIso) => domains.paymentRequests.expireDue(nowIso),
      pruneExpiredSignIns: async () => (await staff.sessions.pruneExpired()) + (await domains.driverSignIn.pruneExpired()),
      pruneIdempotencyKeys: (beforeIso) => domains.idempotency.prune(beforeIso),
      reportRollups: domains.reports,
    }),
    logger.child({ component: 'jobs' }),
    settings.get().timeZone,
    jobHistory,
  );
  settings.onChange((next) => jobs.setTimeZone(next.timeZone));
  const manualBackups = new ManualBackupRunner(db, config.dataDir, (error) => logger.error({ err: error }, 'manual backup failed'));

  let uiUrl = '';
  const services: AppServices = {
    ...domains,
    config,
    logger,
    version: readVersion(),
    db,
    ocpp,
    commands,
    tokens,
    staff,
    jobs,
    jobHistory,
    manualBackups,
    uiUrl: () => uiUrl,
    requestRestart: (request) => options.onRestartRequest?.(request) ?? false,
  };

  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', false);
  web.use('/api/v1', createApiRouter(services));
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
  await domains.paymentRequests.resumeInterrupted();
  load.start();
  jobs.start();
  const lastSeenTimer = setInterval(() => void chargers.flushLastSeen().catch(() => undefined), LAST_SEEN_FLUSH_MS);
  lastSeenTimer.unref();

  // The start line is printed even when the log level hides info: scripts and tests read the port from it.
  const startLogger = logger.isLevelEnabled('info') || config.logLevel === 'silent' ? logger : createLogger('info');
  startLogger.info({ uiUrl, ocppUrl, port, dataDir: config.dataDir, version: services.version }, 'Chargeyard is running');
  if (!services.staff.users.hasAnyUser()) {
    // Printed only here: whoever started the appliance (or reads its log) can finish setup from another machine.
    startLogger.warn({ setupUrl: `${uiUrl}setup`, setupCode: services.staff.setupCode.grouped }, 'No staff user yet: finish setup on this machine, or from another one with this setup code');
  }

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
      // Profiles on their way fail at once now; their answers are written before the database closes.
      await load.close();
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
