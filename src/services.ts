import type { Logger } from 'pino';
import type { ApiTokenService } from './access';
import type { BillingService } from './billing';
import type { ChargerService, MessageLog } from './chargers';
import type { Config } from './config';
import type { Database } from './db';
import type { Authorizer, DriverService } from './drivers';
import type { JobHistory, JobScheduler } from './jobs';
import type { LoadService } from './load';
import type { IdempotencyStore, Ledger } from './ledger';
import type { CommandService, OcppServer } from './ocpp';
import type { ManualBackupRunner } from './ops/manual-backup';
import type { DriverSignInService, QrStartService, StartHoldService } from './qrstart';
import type { ReportService } from './reports';
import type { SessionService } from './sessions';
import type { SettingsService } from './settings';
import type { StaffServices } from './staff';
import type { HashingLimiter } from './shared';
import type { TariffService } from './tariffs';
import type { PaymentRequestService, ShiftService, TillService } from './till';

/** The domain services createDomains (app.ts) builds, each complete with its collaborators. */
export interface Domains {
  /** The process-wide cap on password and PIN hashing (charger upgrades, staff and driver sign-ins). */
  hashing: HashingLimiter;
  settings: SettingsService;
  ledger: Ledger;
  /** Idempotency-Keys of money writes (top-ups, refunds, adjustments). */
  idempotency: IdempotencyStore;
  chargers: ChargerService;
  messageLog: MessageLog;
  tariffs: TariffService;
  /** Drivers and their RFID cards. */
  drivers: DriverService;
  /** The one authorization decision for Authorize, StartTransaction and remote starts. */
  authorizer: Authorizer;
  sessions: SessionService;
  /** Pricing and posting a session at its end, and the balance watchdog while it runs. */
  billing: BillingService;
  /** QR-start holds on a driver's balance, taken by the session the charger starts. */
  startHolds: StartHoldService;
  /** QR start: hold, remote start, outcome. */
  qrStart: QrStartService;
  /** Drivers' phone + PIN sign-in on the QR pages. */
  driverSignIn: DriverSignInService;
  /** The cashier desk: top-ups with receipts, refunds and adjustments. */
  till: TillService;
  /** Cashier shifts and their Z-report. */
  shifts: ShiftService;
  /** Walk-in payments asked for on the QR pages, confirmed at the desk. */
  paymentRequests: PaymentRequestService;
  /** Daily and per-driver reports, and the rollups of closed days. */
  reports: ReportService;
  /** Site load management: limits, the allocation, charging profiles. */
  load: LoadService;
}

/**
 * Everything createApp wires together, handed to the web layer: the domains plus the OCPP edge,
 * staff access, the jobs and the process around them.
 */
export interface AppServices extends Domains {
  config: Config;
  logger: Logger;
  version: string;
  db: Database;
  ocpp: OcppServer;
  commands: CommandService;
  tokens: ApiTokenService;
  /** Staff users, their browser sessions, sign-in lockout and the audit log. */
  staff: StaffServices;
  /** The cron table: status for the UI and health, runJob for "run now". */
  jobs: JobScheduler;
  /** Past runs of every job (the Maintenance page shows the recent ones). */
  jobHistory: JobHistory;
  /** "Back up now" from the Maintenance page, with its progress. */
  manualBackups: ManualBackupRunner;
  /** The UI URL clients can reach (uiUrl of the start line); publicBaseUrl defaults to it. */
  uiUrl(): string;
  /**
   * Asks the process to close this app, run `whileStopped` (a database swap) and open it again on
   * the same port. False when this app runs without a restart loop, or a restart is already under way.
   */
  requestRestart(request: RestartRequest): boolean;
}

/** A restart in-process: what to do between close and reopen, and afterwards on the new app. */
export interface RestartRequest {
  reason: string;
  /** Runs while no app is open (no connection to the database). */
  whileStopped(): Promise<void>;
  /** Runs on the reopened app; `failure` is what whileStopped threw, if it did. */
  afterRestart?(services: AppServices, failure: unknown): Promise<void>;
}
