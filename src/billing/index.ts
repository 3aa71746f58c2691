import type { Db } from '../db';
import { DriverService, MoneyAuthorizer } from '../drivers';
import { Ledger } from '../ledger';
import type { SessionService } from '../sessions';
import type { SettingsService } from '../settings';
import { TariffService } from '../tariffs';
import { BillingService, type RemoteStopRequester } from './billing';
import { StartHoldService } from './holds';
import { ReportService } from './reports';
import { TillService } from './till';

export { BillingService, BALANCE_EXHAUSTED } from './billing';
export type { RemoteStopRequester, SessionBillingRow } from './billing';
export { StartHoldService, START_HOLD_TIMEOUT_MS } from './holds';
export type { PlaceStartHoldInput } from './holds';
export { ReportService, defuseCell } from './reports';
export type { DailyReport, PeriodReport } from './reports';
export { TillService, topupInputSchema } from './till';
export type { PaymentMethod, ShiftRow, ShiftView, TopupResult, TopupRow } from './till';

export interface MoneyServices {
  ledger: Ledger;
  tariffs: TariffService;
  drivers: DriverService;
  holds: StartHoldService;
  billing: BillingService;
  till: TillService;
  reports: ReportService;
  authorizer: MoneyAuthorizer;
}

export interface MoneyWiring {
  db: Db;
  settings: SettingsService;
  sessions: SessionService;
  /** The app's one TariffService (its in-force cache must be the one every writer clears). */
  tariffs?: TariffService | undefined;
  requestRemoteStop?: RemoteStopRequester | undefined;
  onError?: (error: unknown, context: string) => void;
}

/**
 * Wires the money domains into the core: the ledger answers the settings' "has money moved", the
 * money authorizer replaces the open-site one, and billing hooks into every session.
 */
export function createMoneyServices(wiring: MoneyWiring): MoneyServices {
  const { db, settings, sessions } = wiring;
  const onError = wiring.onError ?? (() => undefined);
  const ledger = new Ledger(db, () => settings.get().currency);
  settings.hasMoneyMoved = () => ledger.hasMoneyMoved();
  settings.onChange((next) => {
    if (!ledger.hasMoneyMoved()) ledger.adoptCurrency(next.currency);
  });
  const tariffs = wiring.tariffs ?? new TariffService(db);
  const drivers = new DriverService(db, ledger, settings);
  const holds = new StartHoldService(db, ledger, drivers);
  const billing = new BillingService({ db, ledger, tariffs, drivers, settings, holds, requestRemoteStop: wiring.requestRemoteStop, onError });
  const authorizer = new MoneyAuthorizer({
    drivers,
    ledger,
    settings,
    hasTariff: (chargerId) => tariffs.versionInForce(chargerId) !== null,
    activeSessionsOfTag: (idTag) => sessions.activeCountForTag(idTag),
    startHoldMinor: (userId, chargerId) => holds.heldAtChargerMinor(userId, chargerId),
    // Remembering an unknown tag must not slow or fail the charger's answer: it is written in the next batch.
    onUnknownTag: (uid, chargerId) => void db.write(() => drivers.recordUnknownCard(uid, chargerId)).catch((error) => onError(error, 'record unknown card')),
  });
  sessions.setAuthorizer(authorizer);
  sessions.addHooks(billing.hooks());
  const reports = new ReportService(db, settings);
  sessions.addHooks(reports.hooks());
  return {
    ledger,
    tariffs,
    drivers,
    holds,
    billing,
    till: new TillService(db, ledger, drivers, settings),
    reports,
    authorizer,
  };
}
