import type { Request, Response } from 'express';
import { z } from 'zod';
import { TOKEN_ROLES, type TokenRole } from '../../access';
import { addDays, AppError, csvLine, decimalStringToMinor, localDate, minorToDecimalString, nowIso, startOfLocalDayUtc } from '../../shared';
import { STAFF_LANGUAGES, STAFF_ROLES, STAFF_THEMES } from '../../staff';
import { CARD_READER_FORMATS, RECEIPT_PAPERS, UNKNOWN_CHARGER_POLICIES } from '../../settings';
import { actorOf, clientAddress, requireRole, staffOf } from '../auth';
import { setFlash } from '../flash';
import { formBody, type FieldErrors } from '../forms';
import { problemKeys, refusalKey } from '../refusals';
import type { WebArea } from '../area';
import { parseTariffForm, tariffBandRows, tariffFormValues, tariffPreview } from '../tariff-form';

const AUDIT_PAGE = 100;
const AUDIT_EXPORT_MAX = 10_000;
const dateField = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Staff users, API tokens, audit log, site settings, tariffs, reports and the user's own preferences. */
export const adminPages: WebArea = (router, { services }) => {
  const { users, audit } = services.staff;
  const admin = requireRole('admin');

  // ---- my preferences (every role) ---------------------------------------------------------
  router.get('/me', (request, response) => {
    response.render('pages/admin/me', { titleKey: 'staff.profile', area: 'me', me: staffOf(request), languages: STAFF_LANGUAGES, themes: STAFF_THEMES, errors: {} });
  });

  router.post('/me', async (request, response) => {
    const me = staffOf(request);
    const form = formBody(request);
    const parsed = z.object({ language: z.enum(STAFF_LANGUAGES), theme: z.enum(STAFF_THEMES) }).safeParse(form);
    if (!parsed.success) throw new AppError('invalid_request', 'language or theme is not one offered', 400);
    await users.update(me.id, parsed.data, actorOf(request));
    response.redirect(303, '/me');
  });

  /** The current password is checked like a sign-in: same lockout, same cap on hashing (issue 13). */
  router.post('/me/password', async (request, response) => {
    const me = staffOf(request);
    const form = formBody(request);
    const checked = await services.staff.passwordCheck.check(me.userName, form.currentPassword ?? '', clientAddress(request));
    const errors: FieldErrors = {};
    let status = 400;
    if (!checked.ok) {
      errors.currentPassword = checked.reason === 'locked' ? 'staff.passwordLocked' : checked.reason === 'busy' ? 'login.busy' : 'staff.wrongPassword';
      if (checked.reason !== 'wrong') status = 429;
      if (checked.reason === 'locked') response.setHeader('Retry-After', String(checked.retryAfterS));
    } else if ((form.newPassword ?? '').length < 8) errors.newPassword = 'setup.passwordHint';
    if (Object.keys(errors).length > 0) {
      return response.status(status).render('pages/admin/me', { titleKey: 'staff.profile', area: 'me', me, languages: STAFF_LANGUAGES, themes: STAFF_THEMES, errors });
    }
    await users.setPassword(me.id, form.newPassword!, actorOf(request));
    response.redirect(303, '/login');
  });

  // ---- staff users (admin) -------------------------------------------------------------------
  const renderStaff = (response: Response, values: Record<string, string>, errors: FieldErrors, status = 200) => {
    const listed = users.list().map((user) => ({ ...user, lockedForS: services.staff.throttle.retryAfterS(user.userName) }));
    response.status(status).render('pages/admin/staff', { titleKey: 'staff.title', area: 'staff', users: listed, roles: STAFF_ROLES, languages: STAFF_LANGUAGES, values, errors });
  };

  router.get('/staff', admin, (_request, response) => renderStaff(response, { role: 'cashier', language: 'en' }, {}));

  router.post('/staff', admin, async (request, response) => {
    const form = formBody(request);
    const input = { userName: form.userName ?? '', displayName: form.displayName || undefined, role: form.role, password: form.password ?? '', language: form.language || 'en' };
    try {
      const created = await users.create(input, actorOf(request));
      setFlash(request, { key: 'staff.created', params: { name: created.userName }, kind: 'ok' });
      response.redirect(303, '/staff');
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      const details = error.details as { field?: string } | undefined;
      const field = error.code === 'user_name_taken' ? 'userName' : (details?.field ?? 'userName');
      renderStaff(response, { ...form, password: '' }, { [field]: refusalKey(error) }, error.httpStatus);
    }
  });

  router.post('/staff/:userId', admin, async (request, response) => {
    const id = Number(request.params.userId);
    const form = formBody(request);
    const patch: Record<string, unknown> = {};
    if (form.role) patch.role = form.role;
    if (form.disabled === 'true' || form.disabled === 'false') patch.disabled = form.disabled === 'true';
    if (id === staffOf(request).id && patch.disabled === true) throw new AppError('cannot_disable_self', 'You cannot disable yourself', 400);
    await users.update(id, patch, actorOf(request));
    if (typeof form.password === 'string' && form.password !== '') await users.setPassword(id, form.password, actorOf(request));
    response.redirect(303, '/staff');
  });

  /** Ends a sign-in lockout early (the user rang the admin), without changing the password. */
  router.post('/staff/:userId/unlock', admin, async (request, response) => {
    const user = users.byId(Number(request.params.userId));
    if (!user) throw new AppError('not_found', 'No such staff user', 404);
    await services.staff.throttle.unlock(user, actorOf(request));
    response.redirect(303, '/staff');
  });

  // ---- API tokens (admin) ----------------------------------------------------------------------
  const renderTokens = (response: Response, extra: Record<string, unknown> = {}, status = 200) => {
    response.status(status).render('pages/admin/tokens', { titleKey: 'tokens.title', area: 'tokens', tokens: services.tokens.list(), roles: TOKEN_ROLES, errors: {}, ...extra });
  };

  router.get('/tokens', admin, (_request, response) => renderTokens(response));

  router.post('/tokens', admin, async (request, response) => {
    const form = formBody(request);
    const role = (TOKEN_ROLES as readonly string[]).includes(form.role ?? '') ? (form.role as TokenRole) : undefined;
    const name = (form.name ?? '').trim();
    if (!role || name.length < 1 || name.length > 100) return renderTokens(response, { errors: { name: 'common.required' } }, 400);
    const created = await services.tokens.create(name, role, actorOf(request));
    // Shown once, in the answer to the POST itself: a redirect would need to keep the secret somewhere.
    renderTokens(response, { newToken: created.token }, 201);
  });

  router.post('/tokens/:tokenId/revoke', admin, async (request, response) => {
    const id = Number(request.params.tokenId);
    if (!Number.isSafeInteger(id)) throw new AppError('not_found', 'No such token', 404);
    await services.tokens.revoke(id, actorOf(request));
    response.redirect(303, '/tokens');
  });

  // ---- audit log (admin) -----------------------------------------------------------------------
  const auditFilter = (request: Request) => {
    const { timeZone } = services.settings.get();
    const query = request.query as Record<string, unknown>;
    const text = (name: string) => (typeof query[name] === 'string' && (query[name] as string).trim() !== '' ? (query[name] as string).trim().slice(0, 100) : undefined);
    const from = dateField.safeParse(query.from).success ? String(query.from) : undefined;
    const to = dateField.safeParse(query.to).success ? String(query.to) : undefined;
    return {
      values: { actor: text('actor') ?? '', objectType: text('objectType') ?? '', action: text('action') ?? '', from: from ?? '', to: to ?? '' },
      filter: {
        actorName: text('actor'),
        objectType: text('objectType'),
        action: text('action'),
        fromIso: from ? startOfLocalDayUtc(from, timeZone) : undefined,
        toIso: to ? startOfLocalDayUtc(addDays(to, 1), timeZone) : undefined,
      },
    };
  };

  router.get('/audit', admin, (request, response) => {
    const { values, filter } = auditFilter(request);
    const before = typeof request.query.before === 'string' && /^\d{1,15}$/.test(request.query.before) ? Number(request.query.before) : undefined;
    const rows = audit.list(filter, AUDIT_PAGE + 1, before);
    const page = rows.slice(0, AUDIT_PAGE);
    const params = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
    const exportParams = new URLSearchParams(params);
    exportParams.set('format', 'csv');
    if (rows.length > AUDIT_PAGE) params.set('before', String(page[page.length - 1]!.id));
    if (request.query.format === 'csv') {
      const all = audit.list(filter, AUDIT_EXPORT_MAX);
      const lines = ['id,at,actor,action,objectType,objectId,before,after'];
      for (const row of all) lines.push(csvLine([row.id, row.at, row.actorName, row.action, row.objectType, row.objectId, row.beforeJson, row.afterJson]));
      response.type('text/csv').attachment('audit-log.csv');
      return response.send(`${lines.join('\n')}\n`);
    }
    response.render('pages/admin/audit', {
      titleKey: 'audit.title',
      area: 'audit',
      rows: page,
      values,
      olderUrl: rows.length > AUDIT_PAGE ? `/audit?${params.toString()}` : undefined,
      exportUrl: `/audit?${exportParams.toString()}`,
    });
  });

  // ---- site settings and the default tariff (admin) ------------------------------------------
  const renderSettings = (response: Response, values: Record<string, string>, errors: FieldErrors, status = 200, tariffErrors?: FieldErrors) => {
    const settings = services.settings.get();
    const tariff = services.tariffs.current().default;
    const tariffValues = { ...tariffFormValues(tariff, settings.currency), ...(tariffErrors ? values : {}) };
    response.status(status).render('pages/admin/settings', {
      titleKey: 'settings.title',
      area: 'settings',
      policies: UNKNOWN_CHARGER_POLICIES,
      readerFormats: CARD_READER_FORMATS,
      receiptPapers: RECEIPT_PAPERS,
      currency: settings.currency,
      values: {
        siteName: settings.siteName,
        currency: settings.currency,
        timeZone: settings.timeZone,
        language: settings.language,
        unknownChargerPolicy: settings.unknownChargerPolicy,
        minimumBalance: minorToDecimalString(settings.minimumBalanceMinor, settings.currency),
        publicBaseUrl: settings.publicBaseUrl ?? '',
        cardReaderFormat: settings.cardReaderFormat,
        phoneCountryCode: settings.phoneCountryCode,
        upiId: settings.upiId ?? '',
        siteAddress: settings.siteAddress ?? '',
        largeTopupWarning: minorToDecimalString(settings.largeTopupWarningMinor, settings.currency),
        receiptPaper: settings.receiptPaper,
        ...values,
      },
      errors,
      tariffValues,
      tariffErrors: tariffErrors ?? {},
      tariffBands: tariffBandRows(tariffValues, tariffErrors ?? {}),
      tariffPreview: tariffPreview(tariffValues, settings.currency),
    });
  };

  router.get('/settings', admin, (_request, response) => renderSettings(response, {}, {}));

  router.post('/settings', admin, async (request, response) => {
    const form = formBody(request);
    const before = services.settings.get();
    const minimumBalanceMinor = decimalStringToMinor(form.minimumBalance ?? '', form.currency || before.currency);
    // A field left out of the form (an older page) keeps its setting; an emptied one turns the warning off.
    const largeTopupWarningMinor = form.largeTopupWarning === undefined ? before.largeTopupWarningMinor : decimalStringToMinor(form.largeTopupWarning || '0', form.currency || before.currency);
    const patch = {
      siteName: form.siteName,
      currency: (form.currency ?? '').trim().toUpperCase(),
      timeZone: (form.timeZone ?? '').trim(),
      language: form.language,
      unknownChargerPolicy: form.unknownChargerPolicy,
      minimumBalanceMinor,
      publicBaseUrl: form.publicBaseUrl ? form.publicBaseUrl.trim() : null,
      cardReaderFormat: form.cardReaderFormat,
      phoneCountryCode: form.phoneCountryCode,
      upiId: form.upiId?.trim() ? form.upiId.trim() : null,
      siteAddress: form.siteAddress,
      largeTopupWarningMinor,
      receiptPaper: form.receiptPaper,
    };
    // Every error of the form at once, each beside its field: the amounts, then the rest of the rules.
    const fieldOf: Record<string, string> = { minimumBalanceMinor: 'minimumBalance', largeTopupWarningMinor: 'largeTopupWarning' };
    const errors: FieldErrors = Object.fromEntries(Object.entries(problemKeys(services.settings.problems(patch))).map(([field, key]) => [fieldOf[field] ?? field, key]));
    if (minimumBalanceMinor === undefined) errors.minimumBalance = 'cashier.badAmount';
    if (largeTopupWarningMinor === undefined) errors.largeTopupWarning = 'cashier.badAmount';
    if (Object.keys(errors).length > 0) return renderSettings(response, form, errors, 400);
    try {
      await services.settings.updateFromInput(patch, actorOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      const details = error.details as { field?: string } | undefined;
      const field = error.code === 'currency_locked' ? 'currency' : details?.field === 'minimumBalanceMinor' ? 'minimumBalance' : details?.field === 'largeTopupWarningMinor' ? 'largeTopupWarning' : (details?.field ?? 'siteName');
      return renderSettings(response, form, { [field]: refusalKey(error) }, error.httpStatus);
    }
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, '/settings');
  });

  router.post('/settings/tariff', admin, async (request, response) => {
    const form = formBody(request);
    const parsed = parseTariffForm(form, services.settings.get().currency);
    if (!parsed.ok) return renderSettings(response, form, {}, 400, parsed.errors);
    await services.tariffs.setDefault(parsed.input, actorOf(request));
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, '/settings');
  });

  // ---- reports (every role) ------------------------------------------------------------------
  router.get('/reports', (request, response) => {
    const { timeZone } = services.settings.get();
    const date = dateField.safeParse(request.query.date).success ? String(request.query.date) : localDate(nowIso(), timeZone);
    const report = services.reports.daily(date);
    if (request.query.format === 'csv') {
      response.type('text/csv').attachment(`daily-${date}.csv`);
      return response.send(services.reports.dailyCsv(report));
    }
    const totals = report.items.reduce(
      (sum, item) => ({ sessions: sum.sessions + item.sessions, energyWh: sum.energyWh + item.energyWh, chargingSeconds: sum.chargingSeconds + item.chargingSeconds, revenueMinor: sum.revenueMinor + item.revenue.amount }),
      { sessions: 0, energyWh: 0, chargingSeconds: 0, revenueMinor: 0 },
    );
    response.render('pages/admin/reports', { titleKey: 'reports.daily', area: 'reports', report, totals, date });
  });

  /** Consumption per driver or per card over a date range (each session on the day it ended). */
  router.get('/reports/period', (request, response) => {
    const { timeZone } = services.settings.get();
    const today = localDate(nowIso(), timeZone);
    const by = request.query.by === 'card' ? 'card' : 'user';
    const from = dateField.safeParse(request.query.from).success ? String(request.query.from) : addDays(today, -29);
    const to = dateField.safeParse(request.query.to).success ? String(request.query.to) : today;
    if (from > to || addDays(from, 366) < to) throw new AppError('invalid_range', 'The range must run forward and span at most a year', 400);
    const report = services.reports.period(by, from, to);
    if (request.query.format === 'csv') {
      response.type('text/csv').attachment(`${by}s-${from}-${to}.csv`);
      return response.send(services.reports.periodCsv(report, by === 'user' ? 'userId' : 'cardUid'));
    }
    const names = new Map(by === 'user' ? report.items.map((item) => [item.key, services.drivers.user(Number(item.key))?.name ?? item.key]) : []);
    response.render('pages/admin/period', {
      titleKey: 'reports.period',
      area: 'reports',
      by,
      from,
      to,
      items: report.items.map((item) => ({ ...item, name: names.get(item.key) ?? item.key })),
    });
  });
};
