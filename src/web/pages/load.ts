import type { Request, Response } from 'express';
import { evsesOf } from '../../chargers';
import { MAX_PRIORITY, minuteFromClock, clockFromMinute, wattsFromAmpsPerPhase, type LoadSiteInput, type LoadView } from '../../load';
import type { AppServices } from '../../services';
import { AppError, addDays, localDate, nowIso, startOfLocalDayUtc } from '../../shared';
import { actorOf, requireRole } from '../auth';
import { setFlash } from '../flash';
import { formBody, type FieldErrors } from '../forms';
import { refusalKey } from '../refusals';
import type { WebArea } from '../area';
import { loadChartSvg, type ConnectorSeries } from '../load-chart';
import { translator, type UiLanguage } from '../i18n';
import { renderFragment } from '../view-engine';
import { fragmentRoot } from './dashboard';

/** The chart fragment is polled this often (a sample is taken once a minute). */
export const LOAD_CHART_POLL_S = 60;
const PRIORITIES = Array.from({ length: MAX_PRIORITY + 1 }, (_, index) => String(index));

/** "7.4" kW → 7400 W; undefined for anything that is not a plain non-negative decimal. */
function wattsFromKw(text: string | undefined): number | undefined {
  const trimmed = (text ?? '').trim();
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(trimmed)) return undefined;
  return Math.round(Number(trimmed) * 1000);
}

function kwText(watts: number | null | undefined): string {
  return watts === null || watts === undefined ? '' : String(Math.round(watts) / 1000);
}

function priorityOf(text: string | undefined): number | undefined {
  return /^\d$/.test((text ?? '').trim()) ? Number(text) : undefined;
}

/** The site form in the domain's words, or the fields that are wrong. */
function parseSiteForm(form: Record<string, string>): { input: LoadSiteInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const phases = form.supplyPhases === '1' ? 1 : 3;
  const voltageV = /^\d{3}$/.test(form.supplyVoltage ?? '') ? Number(form.supplyVoltage) : undefined;
  if (voltageV === undefined || voltageV < 100 || voltageV > 480) errors.supplyVoltage = 'load.badVoltage';
  const supply = { phases: phases as 1 | 3, voltageV: voltageV ?? 230 };
  let limitW: number | null = null;
  let limitAmpsPerPhase: number | null = null;
  if (form.limitUnit === 'A') {
    const amps = (form.limitAmps ?? '').trim();
    if (amps !== '') {
      if (!/^\d{1,5}$/.test(amps) || Number(amps) < 1) errors.limitAmps = 'load.badAmps';
      else {
        limitAmpsPerPhase = Number(amps);
        limitW = wattsFromAmpsPerPhase(limitAmpsPerPhase, supply);
      }
    }
  } else if ((form.limitKw ?? '').trim() !== '') {
    limitW = wattsFromKw(form.limitKw) ?? null;
    if (limitW === null || limitW < 1) errors.limitKw = 'load.badKw';
  }
  const marginW = (form.marginKw ?? '').trim() === '' ? 0 : wattsFromKw(form.marginKw);
  if (marginW === undefined) errors.marginKw = 'load.badKw';
  const peakFields = [form.peakFrom, form.peakTo, form.peakLimitKw].map((value) => (value ?? '').trim());
  let peakWindow: LoadSiteInput['peakWindow'] = null;
  if (peakFields.some((value) => value !== '')) {
    const fromMinute = minuteFromClock(peakFields[0]!);
    const toMinute = minuteFromClock(peakFields[1]!);
    const peakLimitW = wattsFromKw(peakFields[2]);
    if (fromMinute === undefined) errors.peakFrom = peakFields[0] === '' ? 'load.peakAll' : 'load.badTime';
    if (toMinute === undefined || toMinute === fromMinute) errors.peakTo = peakFields[1] === '' ? 'load.peakAll' : 'load.badTime';
    if (peakLimitW === undefined) errors.peakLimitKw = peakFields[2] === '' ? 'load.peakAll' : 'load.badKw';
    if (fromMinute !== undefined && toMinute !== undefined && peakLimitW !== undefined) peakWindow = { fromMinute, toMinute, limitW: peakLimitW };
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: { limitW, marginW: marginW!, limitAmpsPerPhase, supply, peakWindow } };
}

/** The AppError of a domain check as a message next to the field it names. */
function fieldErrorOf(error: unknown, fallback: string): FieldErrors {
  if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
  const field = (error.details as { field?: string } | undefined)?.field;
  const byDomainField: Record<string, string> = { limitW: 'limitKw', marginW: 'marginKw', 'peakWindow.toMinute': 'peakTo', name: 'name' };
  return { [field && byDomainField[field] ? byDomainField[field]! : fallback]: refusalKey(error) };
}

/** Today's samples as the chart of allocation and draw per connector under the limit. */
export function dayChart(services: AppServices, lang: UiLanguage): string | undefined {
  const { timeZone } = services.settings.get();
  const today = localDate(nowIso(), timeZone);
  const fromIso = startOfLocalDayUtc(today, timeZone);
  const toIso = startOfLocalDayUtc(addDays(today, 1), timeZone);
  const samples = services.load.repository.samplesBetween(fromIso, toIso);
  if (samples.length === 0) return undefined;
  const keys = [...new Set(samples.filter((sample) => sample.chargerId !== '').map((sample) => `${sample.chargerId}\u0000${sample.connectorId}`))];
  const connectors: ConnectorSeries[] = keys.map((key) => {
    const [chargerId, connectorId] = key.split('\u0000') as [string, string];
    const own = samples.filter((sample) => sample.chargerId === chargerId && String(sample.connectorId) === connectorId);
    return {
      label: `${chargerId} / ${connectorId}`,
      allocated: own.map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.allocatedW })),
      drawn: own.map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.drawW })),
    };
  });
  const t = translator(lang);
  // From the day's first sample (at least the last hour) to now: a day just begun is not a sliver.
  const dayStartMs = Date.parse(fromIso);
  const nowMs = Math.min(Date.parse(toIso), Math.max(Date.now(), Date.parse(samples[samples.length - 1]!.at)));
  const fromMs = Math.max(dayStartMs, Math.min(Date.parse(samples[0]!.at), nowMs - 3_600_000));
  return loadChartSvg({
    fromMs,
    toMs: Math.max(nowMs, fromMs + 600_000),
    timeZone,
    limit: samples.filter((sample) => sample.chargerId === '').map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.limitW ?? 0 })),
    connectors,
    text: { allocated: t('load.chartAllocated'), drawn: t('load.chartDrawn'), limit: t('load.chartLimit'), title: t('load.chart') },
  });
}

/** The live part: totals, the alert and the connectors (SSE and the poll fallback render it). */
export function liveModel(view: LoadView) {
  return {
    ...view,
    connectors: view.connectors.map((connector) => ({ ...connector, flagKeys: connector.flags.map((flag) => `load.flag_${flag}`) })),
  };
}

interface FormState {
  /** Which form the values and errors belong to: site, group-new, group-<id>, charger-<id>, driver. */
  form?: string;
  values?: Record<string, string>;
  errors?: FieldErrors;
}

/** Everything the admin forms show; the form that failed keeps what was typed and its messages. */
function pageModel(services: AppServices, state: FormState) {
  const { repository } = services.load;
  const own = (form: string) => (state.form === form ? { values: state.values ?? {}, errors: state.errors ?? {} } : undefined);
  const rows = new Map(repository.chargers().map((row) => [row.chargerId, row]));
  const connectorPriority = new Map(repository.connectorPriorities().map((row) => [`${row.chargerId}/${row.connectorId}`, row.priority]));
  const groups = repository.groups().map((group) => ({
    id: group.id,
    name: group.name,
    ...(own(`group-${group.id}`) ?? { values: { name: group.name, limitKw: kwText(group.limitW) }, errors: {} }),
  }));
  const chargers = services.chargers
    .all()
    .filter((charger) => charger.registration === 'accepted')
    .map((charger, index) => {
      const row = rows.get(charger.id);
      const connectors = evsesOf(charger.connectors).filter((evse) => evse.connectorId > 0);
      const stored: Record<string, string> = {
        maxKw: kwText(row?.maxPowerW),
        minKw: kwText(row?.minPowerW),
        phases: row?.phases ? String(row.phases) : '',
        groupId: row?.groupId ? String(row.groupId) : '',
        priority: String(row?.priority ?? 0),
        ...Object.fromEntries(connectors.map((connector) => [`c${connector.connectorId}`, String(connectorPriority.get(`${charger.id}/${connector.connectorId}`) ?? 0)])),
      };
      const form: { values: Record<string, string>; errors: FieldErrors } = own(`charger-${charger.id}`) ?? { values: stored, errors: {} };
      return {
        id: charger.id,
        units: row?.reportedRateUnits ?? '',
        rejects: row?.profilesRejectedAt !== null && row?.profilesRejectedAt !== undefined,
        ...form,
        connectorFields: connectors.map((connector) => ({
          connectorId: connector.connectorId,
          fieldId: `f-c${connector.connectorId}-${index}`,
          priority: form.values[`c${connector.connectorId}`] ?? '0',
        })),
      };
    });
  const drivers = repository.driverPriorities().map((entry) => ({ ...entry, driver: services.drivers.user(entry.userId) }));
  return {
    model: { groups, chargers, drivers, priorities: PRIORITIES },
    siteErrors: state.form === 'site' ? (state.errors ?? {}) : {},
    newGroup: own('group-new') ?? { values: {}, errors: {} },
    driverForm: own('driver') ?? { values: {}, errors: {} },
  };
}

function siteValues(services: AppServices): Record<string, string> {
  const site = services.load.repository.site();
  return {
    limitUnit: site.limitAmpsPerPhase !== null ? 'A' : 'kW',
    limitKw: kwText(site.limitW),
    limitAmps: site.limitAmpsPerPhase === null ? '' : String(site.limitAmpsPerPhase),
    supplyPhases: String(site.supplyPhases),
    supplyVoltage: String(site.supplyVoltageV),
    marginKw: kwText(site.marginW),
    peakFrom: site.peakWindow ? clockFromMinute(site.peakWindow.fromMinute) : '',
    peakTo: site.peakWindow ? clockFromMinute(site.peakWindow.toMinute) : '',
    peakLimitKw: site.peakWindow ? kwText(site.peakWindow.limitW) : '',
  };
}

/** Site load management: live allocation, the day chart, and (admins) the limits and priorities. */
export const loadPages: WebArea = (router, { services, live }) => {
  const admin = requireRole('admin');

  const render = (response: Response, state: FormState = {}, status = 200) => {
    response.status(status).render('pages/load/index', {
      titleKey: 'load.title',
      area: 'load',
      live: liveModel(services.load.view()),
      svg: dayChart(services, response.locals.lang as UiLanguage),
      chartPollS: LOAD_CHART_POLL_S,
      outage: services.load.outageMinutes(),
      values: { ...siteValues(services), ...(state.form === 'site' ? state.values : {}) },
      ...pageModel(services, state),
    });
  };

  const saved = (request: Request, response: Response) => {
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, '/load');
  };

  router.get('/load', (_request, response) => render(response));

  router.get('/fragments/load', (_request, response) => {
    response.render('fragments/load-live', { layout: false, live: liveModel(services.load.view()) });
  });

  router.get('/fragments/load-chart', (_request, response) => {
    response.render('fragments/load-chart', { layout: false, svg: dayChart(services, response.locals.lang as UiLanguage) });
  });

  /** Live: totals and connectors whenever an allocation or a draw changes. */
  router.get('/events/load', (request, response) => {
    const root = fragmentRoot(response);
    live.stream(request, response, [
      { event: 'load', minIntervalMs: 1000, wants: (topic) => topic.kind === 'load', render: () => renderFragment('load-live', { ...root, live: liveModel(services.load.view()) }) },
    ]);
  });

  router.post('/load/site', admin, async (request, response) => {
    const form = formBody(request);
    const parsed = parseSiteForm(form);
    if ('errors' in parsed) return render(response, { form: 'site', values: form, errors: parsed.errors }, 400);
    try {
      await services.load.settings.setSite(parsed.input, actorOf(request));
    } catch (error) {
      return render(response, { form: 'site', values: form, errors: fieldErrorOf(error, 'limitKw') }, 400);
    }
    saved(request, response);
  });

  router.post('/load/groups', admin, async (request, response) => {
    const form = formBody(request);
    const limitW = wattsFromKw(form.limitKw);
    if (limitW === undefined || limitW < 1) return render(response, { form: 'group-new', values: form, errors: { limitKw: 'load.badKw' } }, 400);
    try {
      await services.load.settings.createGroup({ name: form.name ?? '', limitW }, actorOf(request));
    } catch (error) {
      return render(response, { form: 'group-new', values: form, errors: fieldErrorOf(error, 'name') }, 400);
    }
    saved(request, response);
  });

  router.post('/load/groups/:groupId', admin, async (request, response) => {
    const form = formBody(request);
    const id = Number(request.params.groupId);
    if (!Number.isSafeInteger(id)) throw new AppError('not_found', 'No such feeder', 404);
    if (form.remove === '1') {
      await services.load.settings.deleteGroup(id, actorOf(request));
      return saved(request, response);
    }
    const limitW = wattsFromKw(form.limitKw);
    if (limitW === undefined || limitW < 1) return render(response, { form: `group-${id}`, values: form, errors: { limitKw: 'load.badKw' } }, 400);
    try {
      await services.load.settings.updateGroup(id, { name: form.name ?? '', limitW }, actorOf(request));
    } catch (error) {
      return render(response, { form: `group-${id}`, values: form, errors: fieldErrorOf(error, 'name') }, 400);
    }
    saved(request, response);
  });

  router.post('/load/chargers/:chargerId', admin, async (request, response) => {
    const chargerId = request.params.chargerId as string;
    const charger = services.chargers.view(chargerId);
    if (!charger) throw new AppError('not_found', `Charger ${chargerId} does not exist`, 404);
    const form = formBody(request);
    const errors: FieldErrors = {};
    const optionalKw = (name: string) => {
      if ((form[name] ?? '').trim() === '') return null;
      const watts = wattsFromKw(form[name]);
      if (watts === undefined || watts < 1) errors[name] = 'load.badKw';
      return watts ?? null;
    };
    const maxPowerW = optionalKw('maxKw');
    const minPowerW = optionalKw('minKw');
    const priority = priorityOf(form.priority);
    if (priority === undefined) errors.priority = 'load.badPriority';
    const connectorPriorities = evsesOf(charger.connectors)
      .filter((evse) => evse.connectorId > 0)
      .map((connector) => ({ connectorId: connector.connectorId, priority: priorityOf(form[`c${connector.connectorId}`] ?? '0') }));
    if (connectorPriorities.some((entry) => entry.priority === undefined)) errors.priority = 'load.badPriority';
    if (Object.keys(errors).length > 0) return render(response, { form: `charger-${chargerId}`, values: form, errors }, 400);
    const input = {
      maxPowerW,
      minPowerW,
      phases: form.phases === '1' ? 1 : form.phases === '3' ? 3 : null,
      groupId: /^\d+$/.test(form.groupId ?? '') ? Number(form.groupId) : null,
      priority,
    };
    try {
      await services.load.settings.setCharger(chargerId, input, actorOf(request), (id) => services.chargers.view(id) !== undefined);
      for (const entry of connectorPriorities) await services.load.settings.setConnectorPriority(chargerId, entry.connectorId, entry.priority, actorOf(request));
    } catch (error) {
      return render(response, { form: `charger-${chargerId}`, values: form, errors: fieldErrorOf(error, 'maxKw') }, 400);
    }
    saved(request, response);
  });

  router.post('/load/drivers', admin, async (request, response) => {
    const form = formBody(request);
    const priority = priorityOf(form.priority);
    const driver = services.drivers.userByPhone(form.phone ?? '');
    if (!driver) return render(response, { form: 'driver', values: form, errors: { phone: 'load.driverNotFound' } }, 400);
    if (priority === undefined) return render(response, { form: 'driver', values: form, errors: { priority: 'load.badPriority' } }, 400);
    await services.load.settings.setDriverPriority(driver.id, priority, actorOf(request));
    saved(request, response);
  });

  router.post('/load/drivers/:userId/remove', admin, async (request, response) => {
    const userId = Number(request.params.userId);
    if (!Number.isSafeInteger(userId)) throw new AppError('not_found', 'No such driver', 404);
    await services.load.settings.setDriverPriority(userId, 0, actorOf(request));
    saved(request, response);
  });
};
