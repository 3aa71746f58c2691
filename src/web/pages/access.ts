import type { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { AppError, isCurrencyCode, isValidTimeZone } from '../../shared';
import { MIN_PASSWORD_LENGTH } from '../../staff';
import { UNKNOWN_CHARGER_POLICIES, machineTimeZone } from '../../settings';
import { SESSION_COOKIE, clientAddress, safeNextPath } from '../auth';
import { fieldErrorsOf, formBody, type FieldErrors } from '../forms';
import { parsePriceFields, tariffPreview } from '../tariff-form';
import { isUiLanguage } from '../i18n';
import { isLoopbackAddress } from '../names';
import type { WebArea } from '../area';

const setupSchema = z
  .object({
    language: z.enum(['en', 'pa', 'hi']),
    siteName: z.string().trim().min(1, 'required').max(100),
    currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code'),
    timeZone: z.string().trim().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Kolkata'),
    userName: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{2,40}$/, 'must be 2-40 letters, digits, dots, dashes or underscores'),
    password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
    passwordConfirm: z.string(),
    unknownChargerPolicy: z.enum(UNKNOWN_CHARGER_POLICIES),
    // Prices are read in major units of the chosen currency after the rest (parsePriceFields).
    energyPricePerKwh: z.string(),
    sessionFee: z.string().default(''),
    timePricePerHour: z.string().default(''),
    publicBaseUrl: z.union([z.literal(''), z.string().trim().url().refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL')]),
  })
  .refine((form) => form.password === form.passwordConfirm, { path: ['passwordConfirm'], message: 'setup.mismatch' });

/** Setup submissions one address on the LAN may make per window (the code is 59 bits; this only slows a flood). */
const SETUP_ATTEMPTS_PER_ADDRESS = 20;
const SETUP_WINDOW_MS = 15 * 60 * 1000;

/**
 * Whether the request comes from the appliance itself. The socket's address, never a header
 * (`trust proxy` is off): the setup wizard needs no code there, as whoever sits at the box
 * started it or can read its log anyway.
 */
function isLoopback(request: Request): boolean {
  return isLoopbackAddress(clientAddress(request));
}

/** Sign-in attempts one address may make per window, whatever the user names. */
const LOGIN_ATTEMPTS_PER_ADDRESS = 50;
const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const loginSchema = z.object({ userName: z.string().max(100), password: z.string().max(200), next: z.string().max(500).optional() });

/** Setup wizard (first visit only), sign-in and sign-out. */
export const accessPages: WebArea = (router, { services, csrf }) => {
  const { users, sessions, passwordCheck, setupCode } = services.staff;
  // Setup submissions from one address on the LAN: enough for typing slips, never a guessing run.
  const setupAttempts = rateLimit({
    windowMs: SETUP_WINDOW_MS,
    limit: SETUP_ATTEMPTS_PER_ADDRESS,
    skip: isLoopback,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_request: Request, _response: Response, next: NextFunction) => next(new AppError('too_many_requests', 'Too many setup attempts from this address; try again later', 429)),
  });

  const renderSetup = (request: Request, response: Response, values: Record<string, string>, errors: FieldErrors, status = 200) => {
    const settings = services.settings.get();
    response.status(status).render('pages/access/setup', {
      layout: 'plain',
      titleKey: 'setup.title',
      askCode: !isLoopback(request),
      values: {
        language: settings.language,
        siteName: settings.siteName,
        currency: settings.currency,
        timeZone: settings.timeZone || machineTimeZone(),
        unknownChargerPolicy: settings.unknownChargerPolicy,
        energyPricePerKwh: '0',
        sessionFee: '0',
        timePricePerHour: '0',
        publicBaseUrl: '',
        userName: 'admin',
        ...values,
      },
      errors,
      tariffPreview: tariffPreview({ energyPricePerKwh: '0', ...values }, isCurrencyCode(values.currency) ? values.currency : settings.currency),
    });
  };

  router.get('/setup', (request, response) => {
    if (users.hasAnyUser()) return response.redirect(303, request.staff ? '/' : '/login');
    const language = request.query.lang;
    if (isUiLanguage(language)) response.locals.lang = language;
    renderSetup(request, response, isUiLanguage(language) ? { language } : {}, {});
  });

  router.post('/setup', setupAttempts, async (request, response) => {
    if (users.hasAnyUser()) throw new AppError('setup_done', 'Setup is already done', 409);
    const form = formBody(request);
    if (isUiLanguage(form.language)) response.locals.lang = form.language;
    const parsed = setupSchema.safeParse(form);
    const { password: _password, passwordConfirm: _confirm, setupCode: _code, ...safeValues } = form;
    // Every error of the form at once: the prices (in the chosen currency) beside the others.
    const errors = parsed.success ? {} : fieldErrorsOf(parsed.error);
    const currency = parsed.success ? parsed.data.currency : (form.currency ?? '').trim().toUpperCase();
    const prices = parsePriceFields(form, ['energyPricePerKwh', 'sessionFee', 'timePricePerHour'] as const, isCurrencyCode(currency) ? currency : 'INR', errors, ['energyPricePerKwh']);
    const codeRefused = !isLoopback(request) && !setupCode.matches(form.setupCode ?? '');
    if (codeRefused) errors.setupCode = 'setup.badCode';
    if (!parsed.success || !prices || codeRefused) return renderSetup(request, response, safeValues, errors, 400);
    const input = parsed.data;
    // The admin is created first, atomically: a second wizard racing this one gets setup_done.
    const admin = await users.createFirstAdmin({ userName: input.userName, password: input.password, language: input.language });
    const actor = { userId: admin.id, name: admin.userName };
    const settingsBefore = services.settings.get();
    await services.settings.update({
      language: input.language,
      siteName: input.siteName,
      timeZone: input.timeZone,
      unknownChargerPolicy: input.unknownChargerPolicy,
      publicBaseUrl: input.publicBaseUrl === '' ? null : input.publicBaseUrl.replace(/\/+$/, ''),
      ...(input.currency !== settingsBefore.currency ? { currency: input.currency } : {}),
    }, actor);
    await services.tariffs.setDefault(prices, actor);
    await signIn(request, response, admin);
    response.redirect(303, '/');
  });

  const renderLogin = (request: Request, response: Response, extra: Record<string, unknown>, status = 200) => {
    response.status(status).render('pages/access/login', { layout: 'plain', titleKey: 'login.title', next: safeNextPath(request.query.next ?? formBody(request).next), ...extra });
  };

  router.get('/login', (request, response) => {
    if (!users.hasAnyUser()) return response.redirect(303, '/setup');
    if (request.staff) return response.redirect(303, safeNextPath(request.query.next));
    renderLogin(request, response, { signedOut: request.query.signedOut === '1' });
  });

  // Besides the per-user-name lockout, one address may not try many names (password spraying).
  const loginAttemptsPerAddress = rateLimit({
    windowMs: LOGIN_WINDOW_MS,
    limit: LOGIN_ATTEMPTS_PER_ADDRESS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_request: Request, _response: Response, next: NextFunction) => next(new AppError('too_many_requests', 'Too many sign-in attempts from this address; try again later', 429)),
  });

  router.post('/login', loginAttemptsPerAddress, async (request, response) => {
    if (!users.hasAnyUser()) return response.redirect(303, '/setup');
    const parsed = loginSchema.safeParse(formBody(request));
    const userName = parsed.success ? parsed.data.userName.trim() : '';
    const checked = await passwordCheck.check(userName, parsed.success ? parsed.data.password : '', clientAddress(request));
    if (!checked.ok && checked.reason === 'locked') {
      response.setHeader('Retry-After', String(checked.retryAfterS));
      return renderLogin(request, response, { userName, locked: true, minutes: Math.ceil(checked.retryAfterS / 60) }, 429);
    }
    if (!checked.ok && checked.reason === 'busy') {
      response.setHeader('Retry-After', '1');
      return renderLogin(request, response, { userName, busy: true }, 429);
    }
    if (!checked.ok) return renderLogin(request, response, { userName, failed: true }, 401);
    const user = checked.user;
    csrf.rotateVisitor(request, response);
    await signIn(request, response, user);
    response.redirect(303, safeNextPath(parsed.success ? parsed.data.next : '/'));
  });

  router.post('/logout', async (request, response) => {
    const token = request.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string') await sessions.destroy(token);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.redirect(303, '/login?signedOut=1');
  });

  /** A fresh session id at every sign-in (no fixation); the old cookie's session is ended. */
  async function signIn(request: Request, response: Response, user: { id: number; userName: string }): Promise<void> {
    const old = request.cookies?.[SESSION_COOKIE];
    if (typeof old === 'string') await sessions.destroy(old);
    const token = await sessions.create(user);
    response.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: services.config.tls !== undefined, path: '/' });
  }
};
