import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { PAYMENT_REQUEST_STATUSES } from '../../db/schema/till';
import type { AppServices } from '../../services';
import { AppError, csvLine, formatMoney, minorToDecimalString } from '../../shared';
import type { PaymentRequestRow, PaymentRequestStatus } from '../../till';
import { actorOf, requireRole } from '../auth';
import { setFlash } from '../flash';
import { formBody } from '../forms';
import { refusalText } from '../refusals';
import { INTL_LOCALE, pageLanguage } from '../i18n';
import type { WebArea } from '../area';
import { renderFragment } from '../view-engine';
import { fragmentRoot } from './dashboard';

const PAGE_SIZE = 50;
/** A CSV export holds at most this many requests (newest first); narrow the filter for more. */
const CSV_MAX_ROWS = 20_000;
/** The cashier's queue re-renders this often without a change too: the ages move on and requests run out of time. */
export const PAYMENT_QUEUE_REFRESH_S = 20;
/** Methods a cashier confirms a walk-in payment with at the desk: the money arrived in cash or by UPI. */
const DESK_METHODS = ['cash', 'upi'] as const;

/** Where a confirm or cancel form sends the cashier back to: the cashier screen or this page with its filter. */
function backPath(raw: unknown): string {
  return typeof raw === 'string' && /^\/(cashier|payment-requests(\?status=[a-z]+)?)$/.test(raw) ? raw : '/payment-requests';
}

function statusOf(raw: unknown): PaymentRequestStatus | undefined {
  return typeof raw === 'string' && (PAYMENT_REQUEST_STATUSES as readonly string[]).includes(raw) ? (raw as PaymentRequestStatus) : undefined;
}

function requestIdOf(request: Request): number {
  const raw = String(request.params.requestId);
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new AppError('not_found', `Payment request ${raw} does not exist`, 404);
  return Number(raw);
}

/** A row as the pages show it: the view plus the charger's name, the receipt number and the age. */
function rowModel(services: AppServices, row: PaymentRequestRow, nowMs: number) {
  const view = services.paymentRequests.view(row);
  const charger = services.chargers.view(row.chargerId);
  const topup = row.topupId !== null ? services.till.topup(row.topupId) : undefined;
  return {
    ...view,
    chargerName: charger?.name ?? row.chargerId,
    receiptNo: topup?.receiptNo,
    ageMinutes: Math.max(0, Math.floor((nowMs - Date.parse(row.createdAt)) / 60_000)),
    leftMinutes: Math.max(0, Math.ceil((Date.parse(row.expiresAt) - nowMs) / 60_000)),
    formKey: `ui-${crypto.randomUUID()}`,
  };
}

/** The open requests at the desk, oldest first, numbered for the keyboard (1–9 pick a row). */
export function paymentQueueModel(services: AppServices) {
  const now = Date.now();
  return services.paymentRequests.openQueue().map((row, index) => ({ ...rowModel(services, row, now), position: index + 1 }));
}

/** Requests as CSV: money as decimal strings in major units beside the currency (CONTRACT units). */
function sendCsv(response: Response, services: AppServices, rows: PaymentRequestRow[]): void {
  const { currency } = services.settings.get();
  const lines = ['id,reference,createdAt,expiresAt,status,userId,name,phone,chargerId,connectorId,amount,currency,method,confirmedAt,confirmedBy,receiptNo,startId,cancelledAt,cancelledBy'];
  const now = Date.now();
  for (const row of rows) {
    const model = rowModel(services, row, now);
    lines.push(
      csvLine([
        model.id,
        model.reference,
        model.createdAt,
        model.expiresAt,
        model.status,
        model.userId,
        model.name,
        model.phone,
        model.chargerId,
        model.connectorId,
        minorToDecimalString(model.amount.amount, currency),
        currency,
        model.method,
        model.confirmedAt,
        model.confirmedBy,
        model.receiptNo ?? null,
        model.startId,
        model.cancelledAt,
        model.cancelledBy,
      ]),
    );
  }
  response.type('text/csv').attachment('payment-requests.csv').send(`${lines.join('\n')}\n`);
}

/**
 * Walk-in payments for staff (CONTRACT `/payment-requests`): the page of all requests with a
 * status filter and CSV, the cashier's live queue of open ones, and the confirm and cancel forms
 * both use. Confirming moves money, so it needs the cashier role and carries a form key
 * (Idempotency-Key) per rendered button.
 */
export const paymentPages: WebArea = (router, { services, live }) => {
  const cashier = requireRole('cashier');

  router.get('/payment-requests', (request, response) => {
    const status = statusOf(request.query.status);
    if (request.query.format === 'csv') return sendCsv(response, services, services.paymentRequests.list({ status }, CSV_MAX_ROWS));
    const before = typeof request.query.before === 'string' && /^[1-9]\d{0,14}$/.test(request.query.before) ? Number(request.query.before) : undefined;
    const rows = services.paymentRequests.list({ status }, PAGE_SIZE + 1, before);
    const shown = rows.slice(0, PAGE_SIZE);
    const now = Date.now();
    const filter = status ? `status=${status}&` : '';
    response.render('pages/payments/index', {
      titleKey: 'payments.title',
      area: 'payments',
      status: status ?? '',
      statuses: PAYMENT_REQUEST_STATUSES,
      requests: shown.map((row) => rowModel(services, row, now)),
      back: status ? `/payment-requests?status=${status}` : '/payment-requests',
      exportUrl: `/payment-requests?${filter}format=csv`,
      olderUrl: rows.length > PAGE_SIZE ? `/payment-requests?${filter}before=${shown[shown.length - 1]!.id}` : undefined,
    });
  });

  /** The cashier's queue alone: the poll fallback of the live list. */
  router.get('/fragments/payment-queue', cashier, (_request, response) => {
    response.render('fragments/payment-queue', { layout: false, queue: paymentQueueModel(services), refreshS: PAYMENT_QUEUE_REFRESH_S });
  });

  /** The cashier's queue live: re-rendered whenever a request is made, confirmed, cancelled or runs out. */
  router.get('/events/payment-queue', cashier, (request, response) => {
    const root = fragmentRoot(response);
    live.stream(request, response, [
      {
        event: 'payment-queue',
        minIntervalMs: 300,
        wants: (topic) => topic.kind === 'payment',
        render: () => renderFragment('payment-queue', { ...root, queue: paymentQueueModel(services), refreshS: PAYMENT_QUEUE_REFRESH_S }),
      },
    ]);
  });

  router.post('/payment-requests/:requestId/confirm', cashier, async (request, response) => {
    const id = requestIdOf(request);
    const form = formBody(request);
    const back = backPath(form.back);
    const method = z.enum(DESK_METHODS).safeParse(form.method);
    if (!method.success) throw new AppError('invalid_request', 'Choose cash or UPI', 400);
    const formKey = /^ui-[0-9a-f-]{36}$/.test(form.formKey ?? '') ? form.formKey : undefined;
    const outcome = await services.paymentRequests.confirm(id, { method: method.data }, actorOf(request), formKey);
    if ('error' in outcome.body) {
      setFlash(request, { key: 'payments.confirmFailed', params: { message: refusalText(outcome.body.error, response) }, kind: 'error' });
      return response.redirect(303, back);
    }
    const confirmed = outcome.body;
    const { currency } = services.settings.get();
    const lang = pageLanguage(response);
    const receiptNo = confirmed.topupId !== null ? (services.till.topup(confirmed.topupId)?.receiptNo ?? '') : '';
    setFlash(request, { key: 'payments.confirmedFlash', params: { id: confirmed.reference, message: formatMoney(confirmed.amount.amount, currency, INTL_LOCALE[lang]), reply: receiptNo }, kind: 'ok' });
    response.redirect(303, back);
  });

  router.post('/payment-requests/:requestId/cancel', cashier, async (request, response) => {
    const id = requestIdOf(request);
    const back = backPath(formBody(request).back);
    try {
      const cancelled = await services.paymentRequests.cancelByStaff(id, actorOf(request));
      setFlash(request, { key: 'payments.cancelledFlash', params: { id: cancelled.reference }, kind: 'ok' });
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus !== 409) throw error;
      setFlash(request, { key: 'payments.confirmFailed', params: { message: refusalText(error, response) }, kind: 'error' });
    }
    response.redirect(303, back);
  });
};
