import type { Logger } from 'pino';
import type { ApiTokenService } from './access';
import type { MoneyServices } from './billing';
import type { ChargerService, MessageLog } from './chargers';
import type { Config } from './config';
import type { Database } from './db';
import type { JobScheduler } from './jobs';
import type { CommandService, OcppServer } from './ocpp';
import type { DriverSignInService, QrStartService } from './qrstart';
import type { SessionService } from './sessions';
import type { SettingsService } from './settings';
import type { StaffServices } from './staff';
import type { TariffService } from './tariffs';

/**
 * Everything createApp wires together, handed to the web layer and the jobs. Domains add their
 * service here when they join the appliance.
 */
export interface AppServices {
  config: Config;
  logger: Logger;
  version: string;
  db: Database;
  settings: SettingsService;
  chargers: ChargerService;
  messageLog: MessageLog;
  sessions: SessionService;
  ocpp: OcppServer;
  commands: CommandService;
  tokens: ApiTokenService;
  /** Staff users, their browser sessions, sign-in lockout and the audit log. */
  staff: StaffServices;
  tariffs: TariffService;
  /** Drivers, cards, ledger, billing, till and reports (issue 4). */
  money: MoneyServices;
  /** QR start: hold, remote start, outcome (issue 6). */
  qrStart: QrStartService;
  /** Drivers' phone + PIN sign-in on the QR pages (issue 6). */
  driverSignIn: DriverSignInService;
  /** The cron table: status for the UI and health, runJob for "run now". */
  jobs: JobScheduler;
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
