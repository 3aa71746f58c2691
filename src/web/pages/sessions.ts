import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../services';
import { closeSessionSchema, parseFlags, type SessionFilter, type SessionRow } from '../../sessions';
import { addDays, AppError, csvLine, minorToDecimalString, startOfLocalDayUtc, wallClockMs } from '../../shared';
import { costLines } from '../../tariffs';
import type { WebArea } from '../area';
import { actorOf, requireRole } from '../auth';
import { setFlash } from '../flash';
import { formBody } from '../forms';
import { barChartSvg } from '../svg-chart';
import { renderFragment } from '../view-engine';
import { fragmentRoot } from './dashboard';
import { sessionWho, withWho } from '../names';

const PAGE_SIZE = 50;

/** "14:05" in the site's zone (a chart label). */
function localClock(iso: string, timeZone: string): string {
  return new Date(wallClockMs(Date.parse(iso), timeZone)).toISOString().slice(11, 16);
}
/** A CSV export holds at most this many sessions (newest first); narrow the filter for more. */
const CSV_MAX_ROWS = 20_000;

/** Sessions as CSV: money as decimal strings in major units beside the currency (CONTRACT units). */
function sendCsv(response: Response, services: AppServices, sessions: SessionRow[]): void {
  const { currency } = services.settings.get();
  const lines = ['id,chargerId,connectorId,cardUid,userId,status,startedAt,stoppedAt,energyWh,cost,currency,stopReason'];
  for (const session of sessions) {
    lines.push(
      csvLine([
        session.id,
        session.chargerId,
        session.connectorId,
        session.cardUid ?? session.idTag,
        session.userId,
        session.status,
        session.startedAt,
        session.stoppedAt,
        session.energyWh,
        session.costMinor === null ? null : minorToDecimalString(session.costMinor, currency),
        currency,
        session.stopReason,
      ]),
    );
  }
  response.type('text/csv').attachment('sessions.csv').send(`${lines.join('\n')}\n`);
}
const dateField = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Query string → session filter; unknown values are ignored (the form only offers valid ones). */
function filterOf(services: AppServices, query: Record<string, unknown>): { values: Record<string, string>; filter: SessionFilter } {
  const { timeZone } = services.settings.get();
  const text = (name: string) => (typeof query[name] === 'string' && (query[name] as string).trim() !== '' ? (query[name] as string).trim().slice(0, 100) : undefined);
  const from = dateField.safeParse(query.from).success ? String(query.from) : undefined;
  const to = dateField.safeParse(query.to).success ? String(query.to) : undefined;
  const status: 'active' | 'completed' | undefined = query.status === 'active' || query.status === 'completed' ? query.status : undefined;
  return {
    values: { chargerId: text('chargerId') ?? '', cardUid: text('cardUid') ?? '', status: status ?? '', from: from ?? '', to: to ?? '' },
    filter: {
      chargerId: text('chargerId'),
      cardUid: text('cardUid'),
      status,
      from: from ? startOfLocalDayUtc(from, timeZone) : undefined,
      to: to ? startOfLocalDayUtc(addDays(to, 1), timeZone) : undefined,
    },
  };
}

/** The cursor of the "older" link: the last row's startedAt and id. */
function parseAfter(value: unknown): { startedAt: string; id: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)_(.{10,40})$/.exec(value);
  if (!match || Number.isNaN(Date.parse(match[2]!))) return undefined;
  return { id: Number(match[1]), startedAt: match[2]! };
}

export const sessionPages: WebArea = (router, { services, live }) => {
  router.get('/sessions', (request, response) => {
    const { values, filter } = filterOf(services, request.query as Record<string, unknown>);
    if (request.query.format === 'csv') return sendCsv(response, services, services.sessions.repository.list(filter, CSV_MAX_ROWS));
    const rows = services.sessions.repository.list(filter, PAGE_SIZE + 1, parseAfter(request.query.after));
    const page = rows.slice(0, PAGE_SIZE);
    const last = page[page.length - 1];
    const params = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
    if (rows.length > PAGE_SIZE && last) params.set('after', `${last.id}_${last.startedAt}`);
    const exportParams = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ''));
    exportParams.set('format', 'csv');
    response.render('pages/sessions/index', {
      exportUrl: `/sessions?${exportParams.toString()}`,
      titleKey: 'sessions.title',
      area: 'sessions',
      sessions: withWho(services, page),
      values,
      olderUrl: rows.length > PAGE_SIZE ? `/sessions?${params.toString()}` : undefined,
      chargers: services.chargers.all().map((charger) => charger.id),
    });
  });

  const sessionModel = (id: number) => {
    const session = services.sessions.get(id);
    if (!session) return undefined;
    const { timeZone } = services.settings.get();
    const meters = services.sessions.repository.meterValues(session.id).filter((row) => row.energyRegisterWh !== null);
    return {
      session,
      flags: parseFlags(session.flagsJson),
      startClockDiffers: session.chargerStartedAt !== null && session.chargerStartedAt !== session.startedAt,
      stopClockDiffers: session.chargerStoppedAt !== null && session.chargerStoppedAt !== session.stoppedAt,
      runningWh: session.lastMeterWh === null ? null : Math.max(0, session.lastMeterWh - session.meterStartWh),
      // Known while a prepaid session runs (billing tracks it to stop at the balance).
      runningCostMinor: session.status === 'active' ? (services.billing.runningCostOf(session.id) ?? null) : null,
      // The bill as a table in money: one line per priced part, adding up to the total charged.
      costLines: costLines(session.costBreakdownJson),
      who: sessionWho(services, session),
      meterChart: barChartSvg(
        // Chart times in the site's zone, as every other time on the page.
        meters.map((row) => ({ label: localClock(row.timestamp, timeZone), value: (row.energyRegisterWh! - session.meterStartWh) / 1000 })),
        'kWh',
      ),
      meterCount: meters.length,
    };
  };

  const requireSession = (request: Request) => {
    const id = Number(request.params.sessionId);
    const model = Number.isSafeInteger(id) ? sessionModel(id) : undefined;
    if (!model) throw new AppError('not_found', `Session ${String(request.params.sessionId)} does not exist`, 404);
    return model;
  };

  const renderDetail = (response: Response, model: NonNullable<ReturnType<typeof sessionModel>>, form: { values: Record<string, string>; errors: Record<string, string> }, status = 200) =>
    response.status(status).render('pages/sessions/detail', { titleKey: 'sessions.detail', titleId: model.session.id, area: 'sessions', ...model, ...form });

  router.get('/sessions/:sessionId', (request, response) => {
    renderDetail(response, requireSession(request), { values: {}, errors: {} });
  });

  /** CONTRACT `POST /sessions/{id}/close` from the session page: an admin ends a session the charger never will. */
  router.post('/sessions/:sessionId/close', requireRole('admin'), async (request, response) => {
    const model = requireSession(request);
    const form = formBody(request);
    const parsed = closeSessionSchema.safeParse({ reason: form.reason ?? '' });
    if (!parsed.success) return renderDetail(response, model, { values: { reason: form.reason ?? '' }, errors: { reason: 'sessions.reasonNeeded' } }, 400);
    await services.sessions.close(model.session.id, parsed.data.reason, actorOf(request));
    setFlash(request, { key: 'sessions.closed', params: { id: model.session.id }, kind: 'ok' });
    response.redirect(303, `/sessions/${model.session.id}`);
  });

  /** A running session live: energy, running cost and the meter chart as meter values arrive. */
  router.get('/sessions/:sessionId/events', (request, response) => {
    const { session } = requireSession(request);
    const root = fragmentRoot(response);
    live.stream(request, response, [
      {
        event: 'session',
        minIntervalMs: 1000,
        wants: (topic) => topic.kind === 'session' && topic.chargerId === session.chargerId,
        render: async () => {
          const current = sessionModel(session.id);
          return current ? renderFragment('session-summary', { ...root, ...current }) : '';
        },
      },
    ]);
  });
};
