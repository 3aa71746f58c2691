import type { Response } from 'express';
import { backupsDir, listBackups } from '../../ops/backups';
import type { AppServices } from '../../services';
import { labelledConnectors } from '../../chargers';
import { parseFlags, SESSION_FLAGS } from '../../sessions';
import { addDays, localDate, nowIso, startOfLocalDayUtc } from '../../shared';
import type { WebArea } from '../area';
import { renderFragment } from '../view-engine';
import { ocppBaseUrl, sessionWho } from '../names';

/** A session with no meter value for this long is shown as stuck. */
const STUCK_AFTER_MS = 60 * 60 * 1000;
/** A nightly backup older than this is an alert. */
const BACKUP_STALE_MS = 36 * 60 * 60 * 1000;
/** Unknown cards seen within this window are alerts, at most this many. */
const UNKNOWN_CARD_ALERT_MS = 24 * 60 * 60 * 1000;
const MAX_UNKNOWN_CARD_ALERTS = 10;
/** Pending chargers named one by one in the alerts, newest first. */
const PENDING_ALERTS = 5;
/** The page polls as a fallback when the SSE stream is down. */
const DASHBOARD_POLL_S = 30;

/** How much an alert matters: a charger that cannot charge first, then what staff should act on, then news. */
type Severity = 'bad' | 'warn' | 'info';
const SEVERITY_RANK: Record<Severity, number> = { bad: 0, warn: 1, info: 2 };

interface Alert {
  severity: Severity;
  key: string;
  params: Record<string, string | number>;
  /** Where staff deal with it, when there is a page for it. */
  href?: string;
}

const chargerHref = (id: string) => `/chargers/${encodeURIComponent(id)}`;

/** Everything the dashboard shows, computed from the domain services. */
function dashboardModel(services: AppServices) {
  const now = nowIso();
  const settings = services.settings.get();
  const chargers = services.chargers.all();
  const accepted = chargers.filter((charger) => charger.registration === 'accepted');
  const faultedConnectors = accepted.flatMap((charger) =>
    labelledConnectors(charger.connectors).filter((connector) => connector.status === 'Faulted').map((connector) => ({ chargerId: charger.id, connector })),
  );
  const faultedIds = new Set(faultedConnectors.map((entry) => entry.chargerId));
  const active = services.sessions.repository.active();
  const today = localDate(now, settings.timeZone);
  const ended = services.sessions.repository.endedBetween(startOfLocalDayUtc(today, settings.timeZone), startOfLocalDayUtc(addDays(today, 1), settings.timeZone));

  // Issue 13: a charger without a password is the weak point of the site; say how many there are.
  const withoutPassword = chargers.filter((charger) => charger.registration !== 'rejected' && !charger.passwordSet).length;
  const alerts: Alert[] = [];
  // Up to 200 strangers may wait (CONTRACT): the newest few are named, the rest counted.
  const pending = chargers.filter((c) => c.registration === 'pending').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (withoutPassword > 0) alerts.push({ severity: 'warn', key: 'dashboard.alertNoPassword', params: { number: withoutPassword }, href: '/chargers' });
  for (const charger of pending.slice(0, PENDING_ALERTS)) alerts.push({ severity: 'warn', key: 'dashboard.alertPending', params: { id: charger.id }, href: '/chargers' });
  if (pending.length > PENDING_ALERTS) alerts.push({ severity: 'warn', key: 'dashboard.alertPendingMore', params: { number: pending.length - PENDING_ALERTS }, href: '/chargers' });
  for (const charger of accepted.filter((c) => !c.connected)) alerts.push({ severity: 'bad', key: 'dashboard.alertOffline', params: { id: charger.id, at: charger.lastSeenAt ?? '—' }, href: chargerHref(charger.id) });
  for (const { chargerId, connector } of faultedConnectors) {
    alerts.push({ severity: 'bad', key: 'dashboard.alertFaulted', params: { id: chargerId, connector: connector.label, error: connector.errorCode ?? 'Faulted' }, href: chargerHref(chargerId) });
  }
  for (const session of active) {
    // The charger restarted and never ended it (the stuck-sessions job): staff close it on its page.
    if (parseFlags(session.flagsJson).includes(SESSION_FLAGS.openAfterReboot)) {
      alerts.push({ severity: 'bad', key: 'dashboard.alertOpenAfterReboot', params: { id: session.id, charger: session.chargerId }, href: `/sessions/${session.id}` });
    }
    const lastMs = Date.parse(session.lastMeterAt ?? session.startedAt);
    if (Date.now() - lastMs > STUCK_AFTER_MS) alerts.push({ severity: 'bad', key: 'dashboard.alertStuck', params: { id: session.id, charger: session.chargerId, at: session.lastMeterAt ?? session.startedAt }, href: `/sessions/${session.id}` });
  }
  const dayAgo = new Date(Date.now() - UNKNOWN_CARD_ALERT_MS).toISOString();
  for (const card of services.drivers.unknownCards(MAX_UNKNOWN_CARD_ALERTS).filter((row) => row.lastSeenAt >= dayAgo)) {
    alerts.push({ severity: 'info', key: 'dashboard.alertUnknownCard', params: { id: card.uid, charger: card.lastChargerId, at: card.lastSeenAt }, href: '/drivers' });
  }
  const load = services.load.view();
  if (load.overLimit) alerts.push({ severity: 'bad', key: 'load.overLimit', params: { draw: load.drawW, limit: load.limitInForceW ?? 0 }, href: '/load' });
  for (const chargerId of new Set(load.connectors.filter((connector) => connector.flags.includes('rejects_profiles')).map((connector) => connector.chargerId))) {
    alerts.push({ severity: 'warn', key: 'load.rejects', params: { id: chargerId }, href: '/load' });
  }
  const jobs = services.jobs.status();
  // The newest backup file on disk, so the age survives restarts (the job table only knows this run).
  const lastBackup = listBackups(backupsDir(services.config.dataDir))[0];
  if (!lastBackup) alerts.push({ severity: 'warn', key: 'dashboard.alertNoBackup', params: {} });
  else if (Date.now() - lastBackup.takenAt.getTime() > BACKUP_STALE_MS) {
    alerts.push({ severity: 'warn', key: 'dashboard.alertBackup', params: { age: `${Math.floor((Date.now() - lastBackup.takenAt.getTime()) / 3_600_000)} h` } });
  }
  for (const job of jobs.filter((j) => j.lastResult === 'failed')) alerts.push({ severity: 'warn', key: 'dashboard.alertJob', params: { job: job.name, result: job.lastSummary ?? 'failed' } });

  // Stable sort: within a severity the order above (pending, offline, faulted, ...) stays.
  alerts.sort((first, second) => SEVERITY_RANK[first.severity] - SEVERITY_RANK[second.severity]);
  const todayByCharger = new Map(services.reports.daily(today).items.map((item) => [item.chargerId, item]));
  const everConnected = chargers.some((charger) => charger.connected || charger.lastSeenAt !== null);

  return {
    // First run: the address to enter into the chargers, until one has connected; what to do next on an empty site.
    ocppUrl: everConnected ? undefined : ocppBaseUrl(services),
    empty: chargers.length === 0,
    counts: {
      online: accepted.filter((c) => c.connected).length,
      offline: accepted.filter((c) => !c.connected).length,
      faulted: faultedIds.size,
      pending: pending.length,
      withoutPassword,
    },
    chargers: accepted.map((charger) => ({
      ...charger,
      connectors: labelledConnectors(charger.connectors),
      todayEnergyWh: todayByCharger.get(charger.id)?.energyWh ?? 0,
      todayRevenueMinor: todayByCharger.get(charger.id)?.revenue.amount ?? 0,
      problem: !charger.connected || faultedIds.has(charger.id),
    })).sort((first, second) => Number(second.problem) - Number(first.problem)),
    active: active.map((session) => ({
      ...session,
      who: sessionWho(services, session),
      runningWh: session.lastMeterWh === null ? 0 : Math.max(0, session.lastMeterWh - session.meterStartWh),
      // Known for prepaid sessions (billing tracks it to stop at the balance); personal cards pay nothing.
      runningCostMinor: services.billing.runningCostOf(session.id) ?? null,
    })),
    today: {
      sessions: ended.length,
      energyWh: ended.reduce((sum, session) => sum + (session.energyWh ?? 0), 0),
      revenueMinor: [...todayByCharger.values()].reduce((sum, item) => sum + item.revenue.amount, 0),
    },
    alerts,
    lastBackupAt: lastBackup?.takenAt.toISOString() ?? null,
    updatedAt: now,
  };
}

/** The root context of a fragment rendered outside res.render (SSE): the viewer's language and site units. */
export function fragmentRoot(response: Response): Record<string, unknown> {
  const { lang, timeZone, currency, csrfToken, isAdmin, isCashier } = response.locals as Record<string, unknown>;
  return { lang, timeZone, currency, csrfToken, isAdmin, isCashier };
}

export const dashboardPages: WebArea = (router, { services, live }) => {
  router.get('/', (_request, response) => {
    response.render('pages/dashboard/index', { titleKey: 'dashboard.title', area: 'dashboard', pollS: DASHBOARD_POLL_S, model: dashboardModel(services) });
  });

  /** The fragment alone: the poll fallback and htmx refreshes. */
  router.get('/fragments/dashboard', (_request, response) => {
    response.render('fragments/dashboard', { layout: false, model: dashboardModel(services) });
  });

  /** Live updates: the dashboard fragment whenever a charger or a session changes. */
  router.get('/events/dashboard', (request, response) => {
    const root = fragmentRoot(response);
    live.stream(request, response, [
      {
        event: 'dashboard',
        minIntervalMs: 500,
        wants: (topic) => topic.kind !== 'message',
        render: () => renderFragment('dashboard', { ...root, model: dashboardModel(services) }),
      },
    ]);
  });
};
