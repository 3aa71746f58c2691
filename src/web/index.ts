import express, { type NextFunction, type Request, type Response } from 'express';
import cookieParser from 'cookie-parser';
import type { AppServices } from '../services';
import { AppError } from '../shared';
import { loadStaff, requireStaff } from './auth';
import { takeFlash } from './flash';
import { isUiLanguage } from './i18n';
import { assetRoutes } from './pages/assets';
import { accessPages } from './pages/access';
import { adminPages } from './pages/admin';
import { cashierPages } from './pages/cashier';
import { chargerPages } from './pages/chargers';
import { dashboardPages } from './pages/dashboard';
import { driverPages } from './pages/drivers';
import { loadPages } from './pages/load';
import { maintenancePages } from './pages/maintenance';
import { paymentPages } from './pages/payments';
import { driverLocals, qrDriverPages, qrLabelPages } from './pages/qr';
import { qrPaymentPages } from './pages/qr-payments';
import { sessionPages } from './pages/sessions';
import type { WebArea, WebContext } from './area';
import { LiveHub } from './sse';
import { csrfTools, securityHeaders } from './security';
import { viewEngine } from './view-engine';
import { viewsDir } from './paths';
import { refusalText } from './refusals';

/**
 * Areas that need no staff sign-in (setup, login, the public driver pages under /q/). They still
 * get the security headers, CSRF protection on every POST and res.locals (lang, csrfToken...).
 * To add one: write `export const myPages: WebArea = (router, ctx) => {...}` and list it here.
 */
const PUBLIC_AREAS: WebArea[] = [accessPages, qrDriverPages, qrPaymentPages];

/** Areas behind the staff sign-in; each guards its own routes further by role. */
const STAFF_AREAS: WebArea[] = [dashboardPages, chargerPages, cashierPages, paymentPages, sessionPages, driverPages, loadPages, adminPages, maintenancePages, qrLabelPages];

/** Form posts are small; anything larger is refused before parsing. */
const MAX_FORM_BYTES = 64 * 1024;

/** The staff web UI and the public pages, mounted at '/' after /api/v1. */
export function createWebRouter(services: AppServices): express.Express {
  const web = express();
  web.disable('x-powered-by');
  web.engine('.hbs', viewEngine().engine);
  web.set('view engine', '.hbs');
  web.set('views', viewsDir());

  web.use(securityHeaders());
  assetRoutes(web);

  const csrf = csrfTools(services.config.dataDir, services.config.tls !== undefined);
  const context: WebContext = { services, csrf, live: new LiveHub(services) };
  web.use(cookieParser());
  web.use(express.urlencoded({ extended: false, limit: MAX_FORM_BYTES, parameterLimit: 200 }));
  web.use(loadStaff(services.staff.sessions));
  web.use(csrf.protect);
  web.use(csrf.issue);
  web.use((request: Request, response: Response, next: NextFunction) => {
    const settings = services.settings.get();
    const staff = request.staff;
    response.locals.lang = staff?.language ?? (isUiLanguage(settings.language) ? settings.language : 'en');
    response.locals.theme = staff?.theme ?? 'system';
    response.locals.timeZone = settings.timeZone;
    response.locals.currency = settings.currency;
    response.locals.siteName = settings.siteName;
    response.locals.path = request.path;
    response.locals.isAdmin = staff?.role === 'admin';
    response.locals.isCashier = staff?.role === 'admin' || staff?.role === 'cashier';
    response.setHeader('Cache-Control', 'no-store');
    takeFlash(request, response);
    next();
  });

  const publicRouter = express.Router();
  for (const area of PUBLIC_AREAS) area(publicRouter, context);
  web.use(publicRouter);

  const staffRouter = express.Router();
  staffRouter.use(requireStaff(services.staff.users));
  for (const area of STAFF_AREAS) area(staffRouter, context);
  web.use(staffRouter);

  web.use((request: Request) => {
    throw new AppError('not_found', `Nothing at ${request.path}`, 404);
  });
  web.use(errorTail(services));
  return web;
}

/** One tail for every error: an HTML page, JSON for htmx/API-like clients, or text. */
function errorTail(services: AppServices) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const known = error instanceof AppError;
    const csrfFailure = (error as { code?: string } | undefined)?.code === 'csrf_invalid';
    const status = csrfFailure ? 403 : known ? error.httpStatus : ((error as { status?: number }).status ?? 500);
    const code = csrfFailure ? 'csrf_invalid' : known ? error.code : status === 413 ? 'payload_too_large' : status < 500 ? 'invalid_request' : 'internal_error';
    if (status >= 500) services.logger.error({ err: error, path: request.path }, 'web request failed');
    if (response.headersSent) return;
    // A refusal (400, 409...) is no fault of the server: the page says so instead of "something went wrong".
    const refused = status >= 400 && status < 500;
    const titleKey = status === 404 ? 'errors.notFound' : status === 403 ? 'errors.forbidden' : status === 429 ? 'errors.tooMany' : refused ? 'errors.refused' : 'errors.server';
    const textKey = csrfFailure ? 'errors.csrf' : status === 404 ? 'errors.notFoundText' : status === 403 ? 'errors.forbiddenText' : refused ? 'errors.refusedText' : 'errors.serverText';
    const refusal = status < 500 && known ? error : undefined;
    // The page says the refusal in its language; a JSON answer keeps the domain's English words.
    const message = refusal ? refusalText(refusal, response) : '';
    response.status(status);
    // CONTRACT: an error on the QR pages leaves the driver on them, with the way back to the charger.
    // The CSRF check runs before the pages' own middleware: the driver's pages are known by their path here.
    const driverPage = /^\/(q|charges)(\/|$)/.test(request.path);
    const driverBack = driverPage ? /^\/(q\/[^/]+\/\d{1,4}|charges\/\d{1,15})/.exec(request.path)?.[0] : undefined;
    if (driverPage) Object.assign(response.locals, driverLocals(request, services));
    response.format({
      html: () =>
        driverPage
          ? response.render('pages/qr/error', { layout: 'driver', titleKey, textKey: csrfFailure ? 'qr.expired' : status === 404 ? 'qr.notFound' : textKey, back: driverBack })
          : response.render('pages/errors/error', { titleKey, textKey, message, status, layout: request.staff ? 'main' : 'plain' }),
      json: () => response.json({ error: { code, message: refusal?.message || titleKey } }),
      default: () => response.type('text/plain').send(`${status} ${code}`),
    });
  };
}
