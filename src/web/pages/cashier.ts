import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { TopupResult } from '../../till';
import type { CardRow } from '../../drivers';
import type { AppServices } from '../../services';
import { AppError, decimalStringToMinor } from '../../shared';
import { actorOf, requireRole, staffOf } from '../auth';
import { formBody, type FieldErrors } from '../forms';
import type { WebArea } from '../area';
import { PAYMENT_QUEUE_REFRESH_S, paymentQueueModel } from './payments';

/** Quick amounts offered at the desk, in major units of the site currency. */
const QUICK_AMOUNTS_MAJOR = [100, 200, 500, 1000, 2000];
const METHODS = ['cash', 'card', 'transfer'] as const;
const RECENT_SESSIONS = 5;

/** A new idempotency key per rendered form: a double scan or double click submits the same key twice. */
function newFormKey(): string {
  return `ui-${crypto.randomUUID()}`;
}

/** The amount of a top-up form: a quick-amount button (minor units) or the free field (major units). */
function amountOf(form: Record<string, string>, currency: string): number | undefined {
  if (form.quick && /^\d{1,15}$/.test(form.quick)) return Number(form.quick);
  if (form.amount) return decimalStringToMinor(form.amount, currency);
  return undefined;
}

/**
 * The most one desk top-up may be, in major units. A card reader typing a digits-only UID into the
 * focused amount field must not become a top-up of crores; larger sums go through in parts.
 */
const MAX_DESK_TOPUP_MAJOR = 1_000_000;

function maxDeskTopupMinor(currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return MAX_DESK_TOPUP_MAJOR * 10 ** digits;
}

function cardPanel(services: AppServices, card: CardRow) {
  const { drivers } = services;
  return {
    card: drivers.cardView(card),
    driver: card.userId === null ? undefined : drivers.user(card.userId),
    sessions: services.sessions.repository.list({ cardUid: card.uid }, RECENT_SESSIONS),
  };
}

export const cashierPages: WebArea = (router, { services }) => {
  const guard = requireRole('cashier');

  const quickAmounts = () => {
    const { currency } = services.settings.get();
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return QUICK_AMOUNTS_MAJOR.map((major) => ({ minor: major * 10 ** digits }));
  };

  const render = (request: Request, response: Response, extra: Record<string, unknown>, status = 200) => {
    const cashier = staffOf(request).userName;
    const shift = services.shifts.openShift(cashier);
    response.status(status).render('pages/cashier/index', {
      titleKey: 'cashier.title',
      area: 'cashier',
      bodyClass: 'cashier',
      shift: shift ? services.shifts.shiftView(shift) : undefined,
      quickAmounts: quickAmounts(),
      methods: METHODS,
      formKey: newFormKey(),
      paymentQueue: { queue: paymentQueueModel(services), refreshS: PAYMENT_QUEUE_REFRESH_S },
      ...extra,
    });
  };

  /** The scan is a read: GET /cashier?uid=... (a keyboard-wedge reader types the UID and Enter). */
  router.get('/cashier', guard, (request, response) => {
    const raw = typeof request.query.uid === 'string' ? request.query.uid.trim() : '';
    if (raw === '') return render(request, response, {});
    if (raw.length > 100) return render(request, response, { scanned: raw.slice(0, 100), scanError: 'cashier.badUid' }, 400);
    const card = services.drivers.cardByAnyUid(raw);
    if (!card) return render(request, response, { scanned: raw, unknown: true });
    // A prepaid card found: the cashier's next step is the amount, so it gets the focus.
    return render(request, response, { scanned: raw, panel: cardPanel(services, card), focusAmount: card.kind === 'prepaid' });
  });

  router.post('/cashier/topups', guard, async (request, response) => {
    const form = formBody(request);
    const { currency } = services.settings.get();
    const uid = form.uid ?? '';
    const card = services.drivers.cardByAnyUid(uid);
    if (!card) throw new AppError('not_found', `Card ${uid} does not exist`, 404);
    // A scan that landed in the amount field (a double scan, or the next card) is a scan, never money.
    const scannedIntoAmount = form.quick ? undefined : services.drivers.cardByAnyUid((form.amount ?? '').trim());
    if (scannedIntoAmount) return response.redirect(303, `/cashier?uid=${encodeURIComponent(scannedIntoAmount.uid)}`);
    const errors: FieldErrors = {};
    const amount = amountOf(form, currency);
    if (amount === undefined || amount < 1) errors.amount = 'cashier.badAmount';
    else if (amount > maxDeskTopupMinor(currency)) errors.amount = 'cashier.tooLarge';
    const method = z.enum(METHODS).safeParse(form.method);
    if (!method.success) errors.method = 'cashier.badMethod';
    if (amount === undefined || Object.keys(errors).length > 0 || !method.success) {
      return render(request, response, { scanned: uid, panel: cardPanel(services, card), errors, values: form }, 400);
    }
    const outcome = await services.till.topUpCard(card.uid, { amount, method: method.data }, staffOf(request).userName, form.formKey || undefined);
    return finishTopup(request, response, outcome, uid);
  });

  /** An unknown card becomes a prepaid card (optionally of a new driver) and is topped up in one step. */
  router.post('/cashier/new-card', guard, async (request, response) => {
    const form = formBody(request);
    const { currency } = services.settings.get();
    const uid = (form.uid ?? '').trim();
    const errors: FieldErrors = {};
    const amount = amountOf(form, currency);
    if (amount === undefined || amount < 1) errors.amount = 'cashier.badAmount';
    else if (amount > maxDeskTopupMinor(currency)) errors.amount = 'cashier.tooLarge';
    const method = z.enum(METHODS).safeParse(form.method);
    if (!method.success) errors.method = 'cashier.badMethod';
    const name = (form.driverName ?? '').trim();
    const phone = (form.driverPhone ?? '').trim();
    if ((name === '') !== (phone === '')) errors[name === '' ? 'driverName' : 'driverPhone'] = 'cashier.nameAndPhone';
    if (Object.keys(errors).length > 0 || amount === undefined || !method.success) {
      return render(request, response, { scanned: uid, unknown: true, errors, values: form }, 400);
    }
    const { drivers } = services;
    const actor = actorOf(request);
    try {
      // A repeated submit of the same form finds the card (and driver) already made and replays the top-up.
      let card = drivers.cardByAnyUid(uid);
      if (!card) {
        let userId: number | null = null;
        if (name !== '') {
          const existing = drivers.userByPhone(phone);
          const driver = existing ?? (await drivers.createUser({ name, phone }));
          if (!existing) await services.staff.audit.record(actor, { action: 'driver.create', objectType: 'driver', objectId: driver.id, after: { name, phone } });
          userId = driver.id;
        }
        card = await drivers.createCard({ uid, kind: 'prepaid', userId });
        await services.staff.audit.record(actor, { action: 'card.create', objectType: 'card', objectId: card.uid, after: { uid: card.uid, kind: 'prepaid', userId } });
      }
      const outcome = await services.till.topUpCard(card.uid, { amount, method: method.data }, actor.name, form.formKey || undefined);
      return finishTopup(request, response, outcome, card.uid);
    } catch (error) {
      if (error instanceof AppError && error.httpStatus < 500) {
        const field = /phone/i.test(error.message) ? 'driverPhone' : /name/i.test(error.message) ? 'driverName' : 'uid';
        return render(request, response, { scanned: uid, unknown: true, errors: { [field]: error.message }, values: form }, error.httpStatus);
      }
      throw error;
    }
  });

  async function finishTopup(request: Request, response: Response, outcome: { status: number; body: TopupResult | { error: { code: string; message: string } }; replayed: boolean }, uid: string) {
    if ('error' in outcome.body) {
      const card = services.drivers.cardByAnyUid(uid);
      return render(request, response, { scanned: uid, panel: card ? cardPanel(services, card) : undefined, failure: outcome.body.error.message }, outcome.status);
    }
    if (!outcome.replayed) {
      await services.staff.audit.record(actorOf(request), { action: 'topup.create', objectType: 'topup', objectId: outcome.body.topupId, after: outcome.body });
    }
    response.redirect(303, `/cashier/receipts/${outcome.body.topupId}`);
  }

  /** The receipt (80 mm thermal and A4 print styles); the scan field is back in focus beside it. */
  router.get('/cashier/receipts/:topupId', guard, (request, response) => {
    const id = Number(request.params.topupId);
    const topup = Number.isSafeInteger(id) ? services.till.topup(id) : undefined;
    if (!topup) throw new AppError('not_found', `Top-up ${String(request.params.topupId)} does not exist`, 404);
    const balanceMinor = services.ledger.balance(topup.accountId).balanceMinor;
    render(request, response, { receipt: { ...topup, balanceMinor }, thermal: request.query.paper !== 'a4' });
  });

  router.post('/cashier/shift/open', guard, async (request, response) => {
    const { currency } = services.settings.get();
    const form = formBody(request);
    const openingFloat = form.openingFloat ? decimalStringToMinor(form.openingFloat, currency) : 0;
    if (openingFloat === undefined) return render(request, response, { errors: { openingFloat: 'cashier.badAmount' } }, 400);
    const shift = await services.shifts.startShift(staffOf(request).userName, { openingFloat });
    await services.staff.audit.record(actorOf(request), { action: 'shift.open', objectType: 'shift', objectId: shift.id, after: shift });
    response.redirect(303, '/cashier');
  });

  router.post('/cashier/shift/close', guard, async (request, response) => {
    const { currency } = services.settings.get();
    const form = formBody(request);
    const countedCash = decimalStringToMinor(form.countedCash ?? '', currency);
    if (countedCash === undefined) return render(request, response, { errors: { countedCash: 'cashier.badAmount' } }, 400);
    const shift = await services.shifts.closeShift(staffOf(request).userName, { countedCash, note: form.note || null });
    await services.staff.audit.record(actorOf(request), { action: 'shift.close', objectType: 'shift', objectId: shift.id, after: shift });
    response.redirect(303, `/cashier/shifts/${shift.id}`);
  });

  /** The printable Z-report of a shift. */
  router.get('/cashier/shifts/:shiftId', guard, (request, response) => {
    const id = Number(request.params.shiftId);
    const shift = Number.isSafeInteger(id) ? services.shifts.shift(id) : undefined;
    if (!shift) throw new AppError('not_found', `Shift ${String(request.params.shiftId)} does not exist`, 404);
    response.render('pages/cashier/shift', { titleKey: 'cashier.zReport', area: 'cashier', shift: services.shifts.shiftView(shift) });
  });
};
