import type { Request, Response } from 'express';
import { z } from 'zod';
import { authorizationKeyHex, labelledConnectors, newChargerPassword, type ChargerView, type ConnectorView } from '../../chargers';
import type { AppServices } from '../../services';
import { addDays, AppError, csvLine, localDate, minorToDecimalString, nowIso } from '../../shared';
import { tariffView, type TariffVersionRow } from '../../tariffs';
import { actorOf, hasRole, requireRole } from '../auth';
import { setFlash } from '../flash';
import { fieldErrorsOf, formBody, type FieldErrors } from '../forms';
import type { WebArea } from '../area';
import { fragmentRoot } from './dashboard';
import { barChartSvg } from '../svg-chart';
import { ocppBaseUrl, withWho } from '../names';
import { refusalKey, refusalText } from '../refusals';
import { parseTariffForm, tariffBandRows, tariffFormValues, tariffPreview } from '../tariff-form';
import { MESSAGE_LOG_SETTLE_MS } from '../sse';
import { renderFragment } from '../view-engine';

/** Remote actions from the UI wait this long for the charger's answer. */
const UI_COMMAND_TIMEOUT_MS = 30_000;
const MESSAGE_LOG_ROWS = 50;
const CHART_DAYS = 30;

const REMOTE_ACTIONS = ['start', 'stop', 'reset', 'unlock', 'availability', 'trigger', 'clear-cache', 'change-configuration'] as const;
type RemoteAction = (typeof REMOTE_ACTIONS)[number];

const connectorIdField = z.string().regex(/^\d{1,3}$/, 'must be a connector number').transform(Number);
/** A plug as the charger page labels it: `2` (EVSE 2) or `2.1` (connector 1 of EVSE 2). */
const plugField = z.string().trim().regex(/^\d{1,3}(\.\d{1,3})?$/, 'must be a connector number such as 1 or 1.2');

/**
 * The 2.0.1 UnlockConnector target for a plug typed as on the page: `N.M` names connector M of EVSE N;
 * `N` is EVSE N's only plug (its own connector id, which need not be 1). An EVSE with several plugs
 * must be told which one: unlocking a guessed plug could release another driver's cable.
 */
function unlockTarget(typed: string, connectors: readonly ConnectorView[]): { evseId: number; connectorId: number } {
  const [evse, plug] = plugField.parse(typed).split('.').map(Number) as [number, number | undefined];
  if (plug !== undefined) return { evseId: evse, connectorId: plug };
  const plugs = connectors.filter((connector) => connector.connectorId === evse);
  if (plugs.length > 1) throw new AppError('connector_ambiguous', `EVSE ${evse} has several connectors: say which, e.g. ${evse}.${plugs[0]!.evseConnectorId}`, 400);
  return { evseId: evse, connectorId: plugs[0]?.evseConnectorId ?? 1 };
}
const TRIGGER_MESSAGES = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues'] as const;

/** The OCPP CALL (action, payload) for a UI remote action, by the charger's OCPP version. */
function commandFor(action: RemoteAction, form: Record<string, string>, charger: ChargerView, version: '1.6' | '2.0.1'): { ocppAction: string; payload: Record<string, unknown> } {
  const v16 = version === '1.6';
  switch (action) {
    case 'reset': {
      const hard = form.type === 'Hard';
      return v16 ? { ocppAction: 'Reset', payload: { type: hard ? 'Hard' : 'Soft' } } : { ocppAction: 'Reset', payload: { type: hard ? 'Immediate' : 'OnIdle' } };
    }
    case 'unlock': {
      return v16
        ? { ocppAction: 'UnlockConnector', payload: { connectorId: connectorIdField.parse(form.connectorId ?? '') } }
        : { ocppAction: 'UnlockConnector', payload: unlockTarget(form.connectorId ?? '', charger.connectors) };
    }
    case 'availability': {
      const connectorId = connectorIdField.parse(form.connectorId ?? '0');
      const operative = form.type !== 'Inoperative';
      return v16
        ? { ocppAction: 'ChangeAvailability', payload: { connectorId, type: operative ? 'Operative' : 'Inoperative' } }
        : { ocppAction: 'ChangeAvailability', payload: { operationalStatus: operative ? 'Operative' : 'Inoperative', ...(connectorId > 0 ? { evse: { id: connectorId } } : {}) } };
    }
    case 'trigger': {
      const requestedMessage = z.enum(TRIGGER_MESSAGES).parse(form.requestedMessage);
      return { ocppAction: 'TriggerMessage', payload: { requestedMessage } };
    }
    case 'clear-cache':
      return { ocppAction: 'ClearCache', payload: {} };
    case 'change-configuration': {
      const key = z.string().min(1).max(50).parse(form.key);
      const value = z.string().max(500).parse(form.value ?? '');
      return { ocppAction: 'ChangeConfiguration', payload: { key, value } };
    }
    case 'start':
    case 'stop':
      throw new AppError('invalid_request', 'start and stop are sent through the version-neutral commands', 400);
  }
}

/** One charger's usage on one site-local day. */
interface ChargerDay {
  date: string;
  chargerId: string;
  sessions: number;
  chargingSeconds: number;
  energyWh: number;
  /** Money charged (personal-card sessions count in energy and time, not here), as in GET /reports/daily. */
  revenueMinor: number;
}

/**
 * Per charger per site-local day, from the same daily report as the API, so the UI and the API
 * never disagree about a day. Days without sessions are zeros.
 */
function chargerDays(services: AppServices, fromDate: string, toDate: string, chargerId?: string): ChargerDay[] {
  const rows: ChargerDay[] = [];
  for (let date = fromDate; date <= toDate; date = addDays(date, 1)) {
    const report = services.reports.daily(date);
    const items = chargerId === undefined ? report.items : report.items.filter((item) => item.chargerId === chargerId);
    if (chargerId !== undefined && items.length === 0) rows.push({ date, chargerId, sessions: 0, chargingSeconds: 0, energyWh: 0, revenueMinor: 0 });
    for (const item of items) {
      rows.push({ date, chargerId: item.chargerId, sessions: item.sessions, chargingSeconds: item.chargingSeconds, energyWh: item.energyWh, revenueMinor: item.revenue.amount });
    }
  }
  return rows;
}

function loadCharger(services: AppServices, request: Request): ChargerView {
  const charger = services.chargers.view(String(request.params.chargerId));
  if (!charger) throw new AppError('not_found', `Charger ${String(request.params.chargerId)} does not exist`, 404);
  return charger;
}

const registerForm = z.object({
  id: z.string().trim().min(1, 'required').max(48).refine((id) => /^[\x21-\x7e]+$/.test(id) && !id.includes('/'), 'must be 1-48 printable ASCII characters other than /'),
  name: z.string().trim().max(100).optional(),
  password: z.string().max(64).optional(),
  /** Checked by default: a password is the easy choice (issue 13). */
  generatePassword: z.literal('on').optional(),
});

/** A password shown once, with what the person at the charger needs to enter it. */
interface NewPasswordPanel {
  chargerId: string;
  password: string;
  authorizationKeyHex: string;
  ocppUrl: string;
}

/** Where a charger connects: the address the appliance is reached at, with its charge point ID. */
function chargerOcppUrl(services: AppServices, chargerId: string): string {
  return `${ocppBaseUrl(services)}${encodeURIComponent(chargerId)}`;
}

function newPasswordPanel(services: AppServices, chargerId: string, password: string): NewPasswordPanel {
  return { chargerId, password, authorizationKeyHex: authorizationKeyHex(password), ocppUrl: chargerOcppUrl(services, chargerId) };
}

export const chargerPages: WebArea = (router, { services, live }) => {
  const { chargers } = services;

  const renderList = (response: Response, values: Record<string, string>, errors: FieldErrors, status = 200) => {
    response.status(status).render('pages/chargers/index', {
      titleKey: 'chargers.title',
      area: 'chargers',
      ...listModel(),
      values,
      errors,
    });
  };

  router.get('/chargers', (_request, response) => renderList(response, { generatePassword: 'on' }, {}));

  const listModel = () => {
    const all = chargers.all();
    return {
      chargers: all.filter((charger) => charger.registration !== 'pending').map((charger) => ({ ...charger, connectors: labelledConnectors(charger.connectors) })),
      pending: all.filter((charger) => charger.registration === 'pending'),
    };
  };

  router.get('/fragments/chargers', (_request, response) => {
    response.render('fragments/charger-list', { layout: false, ...listModel() });
  });

  /** The list live: a charger connecting, booting, changing status or waiting for approval. */
  router.get('/events/chargers', (request, response) => {
    const root = fragmentRoot(response);
    live.stream(request, response, [
      { event: 'chargers', minIntervalMs: 1000, wants: (topic) => topic.kind === 'charger', render: () => renderFragment('charger-list', { ...root, ...listModel() }) },
    ]);
  });

  router.post('/chargers', requireRole('admin'), async (request, response) => {
    const form = formBody(request);
    const parsed = registerForm.safeParse(form);
    const keep = { id: form.id ?? '', name: form.name ?? '', generatePassword: form.generatePassword ?? '' };
    if (!parsed.success) return renderList(response, keep, fieldErrorsOf(parsed.error), 400);
    // A typed password wins; otherwise one is made unless staff unticked "generate".
    const password = parsed.data.password || (parsed.data.generatePassword ? newChargerPassword() : undefined);
    const input = { id: parsed.data.id, ...(parsed.data.name ? { name: parsed.data.name } : {}), ...(password ? { password } : {}) };
    try {
      const created = await chargers.register(input, actorOf(request));
      // Shown once, in the answer to the POST itself: a redirect would need to keep the password somewhere.
      if (password) return response.status(201).render('pages/chargers/detail', detailModel(created, { newPassword: newPasswordPanel(services, created.id, password) }));
      response.redirect(303, `/chargers/${encodeURIComponent(created.id)}`);
    } catch (error) {
      if (error instanceof AppError && error.httpStatus < 500) {
        const named = (error.details as { field?: string } | undefined)?.field;
        const field = named === 'password' || named === 'name' ? named : 'id';
        return renderList(response, keep, { [field]: refusalKey(error) }, error.httpStatus);
      }
      throw error;
    }
  });

  /** Accept or reject a pending charger (or change an accepted one back). */
  router.post('/chargers/:chargerId/registration', requireRole('admin'), async (request, response) => {
    const before = loadCharger(services, request);
    const registration = z.enum(['accepted', 'rejected', 'pending']).parse(formBody(request).registration);
    await chargers.update(before.id, { registration }, actorOf(request));
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, request.get('hx-request') ? `/chargers/${encodeURIComponent(before.id)}` : safeBack(request, `/chargers/${encodeURIComponent(before.id)}`));
  });

  /** A new generated password (shown once), or none: the live connection ends either way (the new terms apply). */
  router.post('/chargers/:chargerId/password', requireRole('admin'), async (request, response) => {
    const charger = loadCharger(services, request);
    const remove = formBody(request).action === 'remove';
    const password = remove ? null : newChargerPassword();
    const after = await chargers.update(charger.id, { password }, actorOf(request));
    if (password === null) {
      setFlash(request, { key: 'chargers.passwordRemoved', params: {}, kind: 'ok' });
      return response.redirect(303, `/chargers/${encodeURIComponent(charger.id)}`);
    }
    response.render('pages/chargers/detail', detailModel(after, { newPassword: newPasswordPanel(services, charger.id, password) }));
  });

  router.post('/chargers/:chargerId/delete', requireRole('admin'), async (request, response) => {
    const before = loadCharger(services, request);
    await chargers.remove(before.id, actorOf(request));
    setFlash(request, { key: 'chargers.removed', params: { id: before.id }, kind: 'ok' });
    response.redirect(303, '/chargers');
  });

  const detailModel = (charger: ChargerView, extra: Record<string, unknown> = {}) => {
    const { timeZone, currency } = services.settings.get();
    const today = localDate(nowIso(), timeZone);
    const days = chargerDays(services, addDays(today, -(CHART_DAYS - 1)), today, charger.id);
    return {
      titleKey: 'chargers.detail',
      titleId: charger.id,
      area: 'chargers',
      charger,
      // One row per connector: the connectors of a 2.0.1 EVSE each have theirs (issue 14).
      connectors: labelledConnectors(charger.connectors).filter((connector) => connector.connectorId > 0),
      sessions: withWho(services, services.sessions.repository.list({ chargerId: charger.id }, 20)),
      activeSessions: services.sessions.repository.active(charger.id),
      messages: services.messageLog.list(charger.id, MESSAGE_LOG_ROWS),
      triggerMessages: TRIGGER_MESSAGES,
      tariff: services.tariffs.versionInForce(charger.id),
      tariffValues: tariffFormValues(services.tariffs.versionInForce(charger.id), currency),
      tariffErrors: {},
      tariffBandsInForce: tariffBandsInForce(services.tariffs.versionInForce(charger.id)),
      tariffBands: tariffBandRows(tariffFormValues(services.tariffs.versionInForce(charger.id), currency), {}),
      tariffPreview: tariffPreview(tariffFormValues(services.tariffs.versionInForce(charger.id), currency), currency),
      ocppUrl: chargerOcppUrl(services, charger.id),
      charts: {
        energy: barChartSvg(days.map((day) => ({ label: day.date.slice(5), value: day.energyWh / 1000 })), 'kWh'),
        hours: barChartSvg(days.map((day) => ({ label: day.date.slice(5), value: day.chargingSeconds / 3600 })), 'h'),
        // Bar heights only: the chart shows major units; every money figure in text stays exact.
        revenue: barChartSvg(days.map((day) => ({ label: day.date.slice(5), value: Number(minorToDecimalString(day.revenueMinor, currency)) })), currency),
      },
      ...extra,
    };
  };

  router.get('/chargers/:chargerId', (request, response) => {
    response.render('pages/chargers/detail', detailModel(loadCharger(services, request)));
  });

  router.get('/chargers/:chargerId/fragments/connectors', (request, response) => {
    response.render('fragments/charger-connectors', { layout: false, ...detailModel(loadCharger(services, request)) });
  });

  router.get('/chargers/:chargerId/fragments/log', (request, response) => {
    const charger = loadCharger(services, request);
    response.render('fragments/charger-log', { layout: false, charger, messages: services.messageLog.list(charger.id, MESSAGE_LOG_ROWS) });
  });

  /** Live connector status and OCPP message log for the detail page, on one stream. */
  router.get('/chargers/:chargerId/events', (request, response) => {
    const charger = loadCharger(services, request);
    const root = fragmentRoot(response);
    live.stream(request, response, [
      {
        event: 'connectors',
        minIntervalMs: 500,
        wants: (topic) => topic.chargerId === charger.id && topic.kind !== 'message',
        render: async () => {
          const current = services.chargers.view(charger.id);
          return current ? renderFragment('charger-connectors', { ...root, ...detailModel(current) }) : '';
        },
      },
      {
        event: 'log',
        minIntervalMs: 1000,
        settleMs: MESSAGE_LOG_SETTLE_MS,
        wants: (topic) => topic.chargerId === charger.id && topic.kind === 'message',
        render: () => renderFragment('charger-log', { ...root, charger, messages: services.messageLog.list(charger.id, MESSAGE_LOG_ROWS) }),
      },
    ]);
  });

  /** A tariff for this charger only (an override of the site default), or back to the default. */
  router.post('/chargers/:chargerId/tariff', requireRole('admin'), async (request, response) => {
    const charger = loadCharger(services, request);
    const form = formBody(request);
    const parsed = parseTariffForm(form, services.settings.get().currency);
    if (!parsed.ok) return response.status(400).render('pages/chargers/detail', detailModel(charger, { tariffValues: form, tariffErrors: parsed.errors, tariffBands: tariffBandRows(form, parsed.errors), tariffPreview: tariffPreview(form, services.settings.get().currency) }));
    await services.tariffs.setOverride(charger.id, parsed.input, actorOf(request));
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, `/chargers/${encodeURIComponent(charger.id)}`);
  });

  router.post('/chargers/:chargerId/tariff/remove', requireRole('admin'), async (request, response) => {
    const charger = loadCharger(services, request);
    await services.tariffs.removeOverride(charger.id, actorOf(request));
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, `/chargers/${encodeURIComponent(charger.id)}`);
  });

  /** GetConfiguration, shown as a table with an inline ChangeConfiguration per writable key. */
  router.post('/chargers/:chargerId/configuration', requireRole('admin'), async (request, response) => {
    const charger = loadCharger(services, request);
    let keys: unknown[] = [];
    let failure: string | undefined;
    try {
      // 1.6 GetConfiguration, or the 2.0.1 device model's variables shown the same way.
      keys = await services.commands.readConfiguration(charger.id, UI_COMMAND_TIMEOUT_MS);
    } catch (error) {
      failure = error instanceof AppError ? refusalText(error, response) : 'failed';
    }
    const model = { layout: false, charger, keys, failure };
    if (request.get('hx-request')) return response.render('fragments/charger-config', model);
    response.render('pages/chargers/detail', detailModel(charger, { config: model }));
  });

  router.post('/chargers/:chargerId/commands/:action', requireRole('admin'), async (request, response) => {
    const charger = loadCharger(services, request);
    const action = z.enum(REMOTE_ACTIONS).parse(request.params.action);
    const form = formBody(request);
    let result: { ok: boolean; key: string; params: Record<string, string> };
    try {
      let reply: Record<string, unknown>;
      let sent: { ocppAction: string; payload: Record<string, unknown> };
      if (action === 'start') {
        const connectorId = connectorIdField.parse(form.connectorId ?? '');
        const idTag = z.string().trim().min(1).max(36).parse(form.idTag);
        sent = { ocppAction: 'RemoteStart', payload: { connectorId, idTag } };
        reply = (await services.commands.remoteStart(charger.id, connectorId, idTag, UI_COMMAND_TIMEOUT_MS, actorOf(request))).response;
      } else if (action === 'stop') {
        const transactionId = z.string().trim().min(1).max(36).parse(form.transactionId);
        sent = { ocppAction: 'RemoteStop', payload: { transactionId } };
        reply = (await services.commands.remoteStop({ chargerId: charger.id, transactionId }, UI_COMMAND_TIMEOUT_MS, actorOf(request))).response;
      } else if (action === 'change-configuration') {
        const key = z.string().min(1).max(200).parse(form.key);
        const value = z.string().max(1000).parse(form.value ?? '');
        sent = services.commands.configurationChange(charger.id, key, value);
        reply = await services.commands.send(charger.id, sent.ocppAction, sent.payload, UI_COMMAND_TIMEOUT_MS, actorOf(request));
      } else {
        sent = commandFor(action, form, charger, services.commands.versionOf(charger.id));
        reply = await services.commands.send(charger.id, sent.ocppAction, sent.payload, UI_COMMAND_TIMEOUT_MS, actorOf(request));
      }
      result = { ok: true, key: 'chargers.reply', params: { action: sent.ocppAction, reply: JSON.stringify(reply) } };
    } catch (error) {
      if (!(error instanceof z.ZodError) && !(error instanceof AppError)) throw error;
      // A field the form's own rules refuse is said like a refusal of the domain: in the page's language.
      const message = refusalText(error instanceof AppError ? error : { code: 'invalid_request', message: fieldErrorsOf(error).form ?? error.issues[0]?.message ?? 'invalid' }, response);
      result = { ok: false, key: 'chargers.failed', params: { action, message } };
    }
    if (request.get('hx-request')) return response.render('fragments/command-result', { layout: false, result });
    setFlash(request, { key: result.key, params: result.params, kind: result.ok ? 'ok' : 'error' });
    response.redirect(303, `/chargers/${encodeURIComponent(charger.id)}`);
  });

  /** Per charger per day: hours working, energy, fees, for a date range; CSV too. */
  router.get('/reports/chargers', (request, response) => {
    const { timeZone, currency } = services.settings.get();
    const today = localDate(nowIso(), timeZone);
    const dateField = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
    const from = dateField.safeParse(request.query.from).success ? String(request.query.from) : addDays(today, -6);
    const to = dateField.safeParse(request.query.to).success ? String(request.query.to) : today;
    if (from > to || addDays(from, 366) < to) throw new AppError('invalid_range', 'The range must run forward and span at most a year', 400);
    const rows = chargerDays(services, from, to);
    if (request.query.format === 'csv') {
      response.type('text/csv').attachment(`chargers-${from}-${to}.csv`);
      const lines = ['date,chargerId,sessions,chargingSeconds,energyWh,fees,currency'];
      for (const row of rows) lines.push(csvLine([row.date, row.chargerId, row.sessions, row.chargingSeconds, row.energyWh, minorToDecimalString(row.revenueMinor, currency), currency]));
      return response.send(`${lines.join('\n')}\n`);
    }
    response.render('pages/chargers/report', { titleKey: 'reports.chargersTitle', area: 'reports', rows, from, to, canExport: hasRole(request.staff, 'viewer') });
  });
};

function safeBack(request: Request, fallback: string): string {
  const back = formBody(request).back;
  return typeof back === 'string' && back.startsWith('/') && !back.startsWith('//') ? back : fallback;
}

/** The bands of the tariff in force, for the summary above the override form. */
function tariffBandsInForce(version: TariffVersionRow | null): { start: string; end: string; energyPricePerKwh: number | undefined; hasEnergyPrice: boolean }[] {
  if (!version) return [];
  return tariffView(version).bands.map((band) => ({ start: band.start, end: band.end, energyPricePerKwh: band.energyPricePerKwh, hasEnergyPrice: band.energyPricePerKwh !== undefined }));
}
