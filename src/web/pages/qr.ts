import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { evsesOf, type ChargerView } from '../../chargers';
import { connectorPageUrl, qrSvg, readableUrl, type QrStartRow } from '../../qrstart';
import type { AppServices } from '../../services';
import { AppError, currencyDigits, decimalStringToMinor, minorToDecimalString } from '../../shared';
import { costLines, tariffView } from '../../tariffs';
import { clientAddress } from '../auth';
import { formBody } from '../forms';
import { isUiLanguage, translator, UI_LANGUAGES } from '../i18n';
import { isLoopbackUrl } from '../names';
import type { WebArea } from '../area';
import {
  attemptsPerAddress,
  connectorIdOf,
  connectorPath,
  DRIVER_COOKIE,
  DRIVER_PRESET_AMOUNTS_MAJOR,
  driverOf,
  keepDriverSignedIn,
  renderDriverNotFound,
  signInRefusalMessage,
  withConnector,
} from './qr-driver';
import { walkInModel } from './qr-payments';

/** The language a driver chose on the QR pages, remembered on the phone (not a sign-in: no secret). */
const DRIVER_LANGUAGE_COOKIE = 'cy_lang';
const LANGUAGE_COOKIE_MS = 365 * 24 * 60 * 60 * 1000;
/**
 * Sign-in attempts one address may make per window, whatever phone numbers it tries: the
 * per-phone lockout alone would let one phone try a few PINs on every registered number.
 */
const SIGN_IN_ATTEMPTS_PER_ADDRESS = 30;
const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
/** How often the live part of the charging page asks for fresh numbers. */
const LIVE_POLL_S = 2;

/** The public base every QR code points at (CONTRACT: `publicBaseUrl` defaults to the UI URL). */
function publicBase(services: AppServices): string {
  return (services.settings.get().publicBaseUrl ?? services.uiUrl()).replace(/\/+$/, '');
}

/** A path on the QR pages a driver may be sent back to (the connector page, its walk-in pages, or a charge). */
function driverPagePath(raw: unknown): string | undefined {
  return typeof raw === 'string' && /^\/(q\/[^/?#\\]+\/\d{1,4}(\/register|\/payments\/\d{1,15})?|charges\/\d{1,15})$/.test(raw) ? raw : undefined;
}

/**
 * What every driver page shows besides its own content: the language the driver chose (it wins
 * over the site's and a staff user's), the site name, and the page to come back to after a
 * language change. Also used by the error tail, which can run before the pages' middleware.
 */
export function driverLocals(request: Request, services: AppServices): Record<string, unknown> {
  const settings = services.settings.get();
  const chosen = request.cookies?.[DRIVER_LANGUAGE_COOKIE];
  const siteLanguage = isUiLanguage(settings.language) ? settings.language : 'en';
  return {
    lang: isUiLanguage(chosen) ? chosen : siteLanguage,
    siteName: settings.siteName,
    timeZone: settings.timeZone,
    currency: settings.currency,
    // originalUrl: under router.use('/q') the path has lost its mount point.
    languageBack: driverPagePath(request.originalUrl.split('?')[0]!.replace(/\/(sign-in|start|status|live|stop)$/, '')),
    languages: UI_LANGUAGES,
  };
}

/** Refusals that mean the connector cannot be used at all now: the page says so instead of asking for a sign-in. */
const OUT_OF_ORDER = new Set(['charger_offline', 'connector_unavailable', 'no_tariff']);

function durationText(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The public pages under /q/ (CONTRACT "Web pages", QR start): connector page, driver sign-in, start, live charge and receipt. */
export const qrDriverPages: WebArea = (router, context) => {
  const { services } = context;
  const secureCookies = services.config.tls !== undefined;

  router.use(['/q', '/charges'], (request, response, next) => {
    Object.assign(response.locals, driverLocals(request, services));
    next();
  });

  /** The language buttons on every driver page: remembered on the phone for a year, back to the same page. */
  router.post('/q/language', (request, response) => {
    const form = formBody(request);
    if (isUiLanguage(form.language)) {
      response.cookie(DRIVER_LANGUAGE_COOKIE, form.language, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/', maxAge: LANGUAGE_COOKIE_MS });
    }
    response.redirect(303, driverPagePath(form.back) ?? '/q/signed-out');
  });

  /** The connector page; `extra` carries a sign-in or start error back to it. */
  const renderConnector = (request: Request, response: Response, chargerId: string, connectorId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const { qrStart, settings, tariffs } = services;
    const { charger, connector } = qrStart.connector(chargerId, connectorId);
    const driver = driverOf(services, request);
    const refusal = qrStart.refusalFor(chargerId, connectorId, driver);
    const version = tariffs.versionInForce(chargerId);
    const { currency } = settings.get();
    const availableMinor = driver ? qrStart.availableMinor(driver) : 0;
    // Only the amounts the balance covers are offered.
    const presets = DRIVER_PRESET_AMOUNTS_MAJOR.map((major) => major * 10 ** currencyDigits(currency))
      .filter((minor) => minor < availableMinor)
      .map((minor) => ({ minor, value: minorToDecimalString(minor, currency) }));
    response.status(status).render('pages/qr/connector', {
      layout: 'driver',
      titleKey: 'qr.title',
      charger: { id: charger.id, name: charger.name ?? charger.id, connected: charger.connected },
      connector,
      pagePath: connectorPath(chargerId, connectorId),
      tariff: version ? tariffView(version) : undefined,
      driver,
      availableMinor,
      presets,
      refusal,
      outOfOrder: refusal !== undefined && OUT_OF_ORDER.has(refusal),
      drawnOutOfOrder: refusal !== undefined && OUT_OF_ORDER.has(refusal),
      formKey: `qr-${crypto.randomUUID()}`,
      activeStart: driver ? qrStart.activeStartOf(driver.id) : undefined,
      ...walkInModel(services, request, driver, refusal),
      ...extra,
    });
  };

  router.get('/q/:chargerId/:connectorId', withConnector(services, (request, response, chargerId, connectorId) => renderConnector(request, response, chargerId, connectorId)));

  /** The connector's status, polled by the page so a driver waiting for a free connector sees it change. */
  router.get('/q/:chargerId/:connectorId/status', withConnector(services, (request, response, chargerId, connectorId) => {
    const { charger, connector } = services.qrStart.connector(chargerId, connectorId);
    const refusal = services.qrStart.refusalFor(chargerId, connectorId, undefined);
    const outOfOrder = refusal !== undefined && OUT_OF_ORDER.has(refusal);
    response.render('fragments/qr-connector-status', {
      layout: false,
      charger: { connected: charger.connected },
      connector,
      pagePath: connectorPath(chargerId, connectorId),
      outOfOrder,
      // The page keeps the state it was drawn in; when the connector is now in the other one
      // (in service again, or out of order), the driver is offered the page as it is now.
      drawnOutOfOrder: request.query.drawn === 'out',
      changed: (request.query.drawn === 'out') !== outOfOrder,
    });
  }));

  const signInAttemptsPerAddress = attemptsPerAddress(SIGN_IN_WINDOW_MS, SIGN_IN_ATTEMPTS_PER_ADDRESS, (request, response) => {
    const connectorId = connectorIdOf(request.params.connectorId);
    renderConnector(request, response, String(request.params.chargerId), connectorId, { signInError: { key: 'qr.locked', minutes: Math.ceil(SIGN_IN_WINDOW_MS / 60_000) } }, 429);
  });

  router.post('/q/:chargerId/:connectorId/sign-in', signInAttemptsPerAddress, withConnector(services, async (request, response, chargerId, connectorId) => {
    const form = formBody(request);
    const outcome = await services.driverSignIn.signIn(String(form.phone ?? ''), String(form.pin ?? ''), clientAddress(request));
    if (!outcome.ok) {
      const signInError = signInRefusalMessage(outcome, 'qr.wrongPin');
      return renderConnector(request, response, chargerId, connectorId, { signInError, phone: form.phone ?? '' }, outcome.reason === 'wrong_pin' ? 401 : 429);
    }
    keepDriverSignedIn(context, request, response, outcome.token);
    response.redirect(303, connectorPath(chargerId, connectorId));
  }));

  router.post('/q/sign-out', async (request, response) => {
    const token = request.cookies?.[DRIVER_COOKIE];
    if (typeof token === 'string') await services.driverSignIn.signOut(token);
    response.clearCookie(DRIVER_COOKIE, { path: '/' });
    const back = String(formBody(request).back ?? '');
    response.redirect(303, driverPagePath(back) ?? '/q/signed-out');
  });

  router.get('/q/signed-out', (_request, response) => response.render('pages/qr/signed-out', { layout: 'driver', titleKey: 'qr.title' }));

  router.post('/q/:chargerId/:connectorId/start', withConnector(services, async (request, response, chargerId, connectorId) => {
    const driver = driverOf(services, request);
    if (!driver) return response.redirect(303, connectorPath(chargerId, connectorId));
    const form = formBody(request);
    const { currency } = services.settings.get();
    const amountMinor = form.amount === 'all' ? services.qrStart.availableMinor(driver) : decimalStringToMinor(String(form.amount ?? form.otherAmount ?? ''), currency);
    const formKey = String(form.formKey ?? '');
    if (!/^qr-[0-9a-f-]{36}$/.test(formKey)) return renderConnector(request, response, chargerId, connectorId, { startError: 'qr.expired' }, 400);
    if (amountMinor === undefined || amountMinor < 1) {
      return renderConnector(request, response, chargerId, connectorId, { amountError: 'qr.badAmount', otherAmount: form.otherAmount ?? '' }, 400);
    }
    try {
      const start = await services.qrStart.start({ formKey, user: driver, chargerId, connectorId, amountMinor });
      response.redirect(303, `/charges/${start.id}`);
    } catch (error) {
      if (error instanceof AppError && error.httpStatus < 500) {
        const known = ['charger_offline', 'connector_unavailable', 'connector_occupied', 'no_tariff', 'balance_below_minimum', 'driver_busy', 'insufficient_funds'];
        const startError = known.includes(error.code) ? `qr.refusal.${error.code}` : 'qr.state.failed';
        return renderConnector(request, response, chargerId, connectorId, { startError }, error.httpStatus);
      }
      throw error;
    }
  }));

  /** The driver's own start, or the not-found page (another driver's start is not theirs to see). */
  const ownStart = (request: Request): QrStartRow | undefined => {
    const driver = driverOf(services, request);
    const id = Number(request.params.startId);
    const start = driver && Number.isSafeInteger(id) ? services.qrStart.get(id) : undefined;
    return start && driver && start.userId === driver.id ? start : undefined;
  };

  const liveContext = (start: QrStartRow) => {
    const view = services.qrStart.view(start);
    const lines = view.receipt ? costLines(view.session?.costBreakdownJson) : undefined;
    const driver = view.receipt ? services.drivers.user(start.userId) : undefined;
    return {
      ...view,
      costLines: lines?.lines.filter((line) => line.amountMinor > 0 || line.part === 'energy'),
      durationTextFinal: lines ? durationText(lines.durationS) : undefined,
      // Issue 16: where the charge ends with money left over, the receipt shows it kept for next time.
      balanceKeptMinor: driver ? services.qrStart.availableMinor(driver) : undefined,
      durationText: durationText(view.durationS),
      pollSeconds: LIVE_POLL_S,
      connectorPath: connectorPath(start.chargerId, start.connectorId),
    };
  };

  router.get('/charges/:startId', (request, response) => {
    const start = ownStart(request);
    if (!start) return renderDriverNotFound(response);
    const charger = services.chargers.view(start.chargerId);
    const stopMessage = request.query.stop === 'sent' ? 'qr.stopSent' : request.query.stop === 'failed' ? 'qr.stopFailed' : undefined;
    response.render('pages/qr/start', { layout: 'driver', titleKey: 'qr.yourSession', live: liveContext(start), chargerName: charger?.name ?? start.chargerId, stopMessage });
  });

  router.get('/charges/:startId/live', (request, response) => {
    const start = ownStart(request);
    if (!start) return renderDriverNotFound(response);
    response.render('fragments/qr-live', { layout: false, live: liveContext(start) });
  });

  router.post('/charges/:startId/stop', async (request, response) => {
    const start = ownStart(request);
    if (!start) return renderDriverNotFound(response);
    let accepted = false;
    try {
      accepted = await services.qrStart.stop(start.id, start.userId);
    } catch (error) {
      // Offline, silent or erroring charger: the driver is told the stop did not go through.
      if (!(error instanceof AppError)) throw error;
    }
    response.redirect(303, `/charges/${start.id}?stop=${accepted ? 'sent' : 'failed'}`);
  });
};

/** One printable label per connector: site name, charger and connector, a short URL and the code. */
async function labelsFor(services: AppServices, chargers: ChargerView[], onlyConnectorId?: number) {
  const base = publicBase(services);
  const labels = [];
  for (const charger of chargers) {
    const known = evsesOf(charger.connectors).map((evse) => evse.connectorId).filter((id) => id > 0);
    const connectorIds = onlyConnectorId !== undefined ? [onlyConnectorId] : known.length > 0 ? known : [1];
    for (const connectorId of connectorIds) {
      const url = connectorPageUrl(base, charger.id, connectorId);
      labels.push({ chargerPath: `/chargers/${encodeURIComponent(charger.id)}`, chargerName: charger.name ?? charger.id, connectorId, url, shortUrl: readableUrl(url), svg: await qrSvg(url) });
    }
  }
  return labels;
}

/** The staff side: label sheets (one connector, one charger, all chargers on A4) and SVG downloads. */
export const qrLabelPages: WebArea = (router, { services }) => {
  const chargerOf = (request: Request): ChargerView => {
    const charger = services.chargers.view(String(request.params.chargerId));
    if (!charger) throw new AppError('not_found', `Charger ${String(request.params.chargerId)} does not exist`, 404);
    return charger;
  };
  // A label is read by every driver, whatever the staff's language: "Scan to charge" in each UI language.
  // A code for localhost or a loopback address opens nothing on a phone: the sheet says so before printing.
  const render = (response: Response, labels: unknown[], extra: Record<string, unknown>) => {
    const base = publicBase(services);
    response.render('pages/qr/labels', {
      layout: 'labels',
      titleKey: 'qr.labels',
      labels,
      scanTexts: UI_LANGUAGES.map((language) => ({ language, text: translator(language)('qr.scanToCharge') })),
      unreachableBase: isLoopbackUrl(base) ? base : undefined,
      ...extra,
    });
  };

  router.get('/qr-labels', async (_request, response) => {
    const chargers = services.chargers.all().filter((charger) => charger.registration === 'accepted');
    render(response, await labelsFor(services, chargers), {});
  });

  router.get('/chargers/:chargerId/qr-labels', async (request, response) => {
    const charger = chargerOf(request);
    render(response, await labelsFor(services, [charger]), { charger, noConnectors: charger.connectors.length === 0 });
  });

  router.get('/chargers/:chargerId/connectors/:connectorId/qr-label', async (request, response) => {
    const charger = chargerOf(request);
    render(response, await labelsFor(services, [charger], connectorIdOf(request.params.connectorId)), { charger });
  });

  router.get('/chargers/:chargerId/connectors/:connectorId/qr.svg', async (request, response) => {
    const charger = chargerOf(request);
    const connectorId = connectorIdOf(request.params.connectorId);
    const svg = await qrSvg(connectorPageUrl(publicBase(services), charger.id, connectorId));
    const fileName = `qr-${charger.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${connectorId}.svg`;
    response.type('image/svg+xml').attachment(fileName).send(svg);
  });
};
