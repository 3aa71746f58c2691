import { PAYMENT_REQUEST_STATUSES } from '../../../db/schema/till';
import { badRequest, notFound } from '../../../shared';
import type { PaymentRequestStatus } from '../../../till';
import { actorOf, allowQuery, decodeCursor, idempotencyKeyOf, page, parseLimit, queryString, requireRole, sendOutcome, type ApiRouteGroup } from './http';

function requestId(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw notFound('Payment request', raw);
  return Number(raw);
}

function statusFilter(raw: string | undefined): PaymentRequestStatus | undefined {
  if (raw === undefined) return undefined;
  if (!(PAYMENT_REQUEST_STATUSES as readonly string[]).includes(raw)) throw badRequest('invalid_request', `status must be one of ${PAYMENT_REQUEST_STATUSES.join(', ')}`);
  return raw as PaymentRequestStatus;
}

/**
 * CONTRACT `/payment-requests`: walk-in payments asked for on the QR pages. Confirming (a cashier
 * or admin) is a top-up of the amount to the driver with an Idempotency-Key as for top-ups, and
 * starts the charge when the driver is still waiting.
 */
export const paymentRequestRoutes: ApiRouteGroup = (router, services) => {
  const { paymentRequests } = services;

  router.get('/payment-requests', (request, response) => {
    allowQuery(request.query, ['limit', 'cursor', 'status']);
    const limit = parseLimit(request.query);
    const after = decodeCursor<[number]>(request.query, ['number']);
    const rows = paymentRequests.list({ status: statusFilter(queryString(request.query, 'status')) }, limit + 1, after?.[0]);
    response.json(page(rows, limit, (row) => paymentRequests.view(row), (row) => [row.id]));
  });

  router.get('/payment-requests/:requestId', (request, response) => {
    const row = paymentRequests.get(requestId(request.params.requestId as string));
    if (!row) throw notFound('Payment request', request.params.requestId as string);
    response.json(paymentRequests.view(row));
  });

  router.post('/payment-requests/:requestId/confirm', requireRole('cashier'), async (request, response) => {
    const id = requestId(request.params.requestId as string);
    sendOutcome(response, await paymentRequests.confirm(id, request.body, actorOf(request), idempotencyKeyOf(request)));
  });

  router.post('/payment-requests/:requestId/cancel', requireRole('cashier'), async (request, response) => {
    const row = await paymentRequests.cancelByStaff(requestId(request.params.requestId as string), actorOf(request));
    response.json(paymentRequests.view(row));
  });
};
