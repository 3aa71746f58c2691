import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../services';
import { AppError, decimalStringToMinor } from '../../shared';
import { actorOf, requireRole } from '../auth';
import { setFlash } from '../flash';
import { formBody, type FieldErrors } from '../forms';
import type { WebArea } from '../area';
import { withWho } from '../names';
import { refusalKey, refusalText } from '../refusals';

const LIST_SIZE = 200;
const RECENT = 20;
const CARD_STATUSES = ['active', 'blocked', 'lost'] as const;

function loadDriver(services: AppServices, request: Request) {
  const id = Number(request.params.driverId);
  const driver = Number.isSafeInteger(id) ? services.drivers.user(id) : undefined;
  if (!driver) throw new AppError('not_found', `Driver ${String(request.params.driverId)} does not exist`, 404);
  return driver;
}

/** The field an AppError from the drivers domain is about (its zod path), for the inline message. */
function fieldOf(error: AppError, fallback: string): string {
  const details = error.details as { field?: string } | undefined;
  return details?.field && details.field !== 'body' ? details.field : fallback;
}

/** A signed amount in major units ("-12.50") for adjustments. */
function signedMinor(text: string, currency: string): number | undefined {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const minor = decimalStringToMinor(negative ? trimmed.slice(1) : trimmed, currency);
  if (minor === undefined || minor === 0) return undefined;
  return negative ? -minor : minor;
}

/** Drivers and their cards: CRUD, balances, consumption, card status, unknown cards, refunds and adjustments. */
export const driverPages: WebArea = (router, { services }) => {
  const cashier = requireRole('cashier');
  const admin = requireRole('admin');

  const renderList = (response: Response, values: Record<string, string>, errors: FieldErrors, status = 200) => {
    const { drivers } = services;
    response.status(status).render('pages/drivers/index', {
      titleKey: 'drivers.title',
      area: 'drivers',
      drivers: drivers.users(LIST_SIZE).map((driver) => drivers.userView(driver)),
      cards: drivers.cards(LIST_SIZE).filter((card) => card.userId === null).map((card) => drivers.cardView(card)),
      unknown: drivers.unknownCards(50),
      statuses: CARD_STATUSES,
      values,
      errors,
    });
  };

  router.get('/drivers', (_request, response) => renderList(response, {}, {}));

  router.post('/drivers', cashier, async (request, response) => {
    const form = formBody(request);
    const input = { name: form.name ?? '', phone: form.phone ?? '', email: form.email || null, pin: form.pin || null };
    try {
      const driver = await services.drivers.createUser(input, actorOf(request));
      response.redirect(303, `/drivers/${driver.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      renderList(response, { name: input.name, phone: input.phone, email: form.email ?? '' }, { [fieldOf(error, 'phone')]: refusalKey(error) }, error.httpStatus);
    }
  });

  const renderDriver = (request: Request, response: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const driver = loadDriver(services, request);
    const { drivers, till } = services;
    const view = drivers.userView(driver);
    response.status(status).render('pages/drivers/detail', {
      titleKey: 'drivers.detail',
      titleId: driver.name,
      area: 'drivers',
      driver: view,
      sessions: withWho(services, services.sessions.repository.list({ userId: driver.id }, RECENT)),
      topups: till.topups(RECENT, undefined, { accountId: driver.accountId }),
      statuses: CARD_STATUSES,
      formKey: `ui-${crypto.randomUUID()}`,
      signIns: services.driverSignIn.activeSignIns(driver.id),
      values: { name: view.name, phone: view.phone, email: view.email ?? '' },
      errors: {},
      ...extra,
    });
  };

  router.get('/drivers/:driverId', (request, response) => renderDriver(request, response));

  router.post('/drivers/:driverId', cashier, async (request, response) => {
    const before = loadDriver(services, request);
    const form = formBody(request);
    const patch = { name: form.name, phone: form.phone, email: form.email || null, ...(form.pin ? { pin: form.pin } : {}) };
    try {
      await services.drivers.updateUser(before.id, patch, actorOf(request));
      setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
      response.redirect(303, `/drivers/${before.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      renderDriver(request, response, { values: form, errors: { [fieldOf(error, 'phone')]: refusalKey(error) } }, error.httpStatus);
    }
  });

  /** A lost or shared phone: every QR-page sign-in of the driver ends; the PIN stays as it is. */
  router.post('/drivers/:driverId/sign-out-everywhere', cashier, async (request, response) => {
    const driver = loadDriver(services, request);
    await services.driverSignIn.signOutEverywhere(driver.id, actorOf(request));
    setFlash(request, { key: 'drivers.signedOutEverywhere', params: {}, kind: 'ok' });
    response.redirect(303, `/drivers/${driver.id}`);
  });

  router.post('/drivers/:driverId/cards', cashier, async (request, response) => {
    const driver = loadDriver(services, request);
    const form = formBody(request);
    const kind = form.kind === 'personal' ? 'personal' : 'prepaid';
    try {
      await services.drivers.createCard({ uid: form.uid ?? '', kind, userId: driver.id, label: form.label || null }, actorOf(request));
      response.redirect(303, `/drivers/${driver.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      renderDriver(request, response, { cardValues: form, cardErrors: { uid: refusalKey(error) } }, error.httpStatus);
    }
  });

  /** Block, unblock or mark a card lost. */
  router.post('/cards/:uid/status', cashier, async (request, response) => {
    const { drivers } = services;
    const before = drivers.requireCard(String(request.params.uid));
    const status = z.enum(CARD_STATUSES).parse(formBody(request).status);
    const after = await drivers.updateCard(before.uid, { status }, actorOf(request));
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, after.userId === null ? '/drivers' : `/drivers/${after.userId}`);
  });

  /** An unknown card seen at a charger becomes a card of a driver (or an anonymous prepaid one). */
  router.post('/unknown-cards/attach', cashier, async (request, response) => {
    const form = formBody(request);
    const userId = form.userId && /^\d{1,15}$/.test(form.userId) ? Number(form.userId) : null;
    const kind = form.kind === 'personal' ? 'personal' : 'prepaid';
    try {
      await services.drivers.createCard({ uid: form.uid ?? '', kind, userId }, actorOf(request));
      response.redirect(303, userId === null ? '/drivers' : `/drivers/${userId}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      renderList(response, {}, { attach: refusalKey(error) }, error.httpStatus);
    }
  });

  /** A manual adjustment of a driver's balance, with a reason (admin only). */
  router.post('/drivers/:driverId/adjustments', admin, async (request, response) => {
    const driver = loadDriver(services, request);
    const form = formBody(request);
    const amount = signedMinor(form.amount ?? '', services.settings.get().currency);
    const errors: FieldErrors = {};
    if (amount === undefined) errors.adjustAmount = 'drivers.badSignedAmount';
    if ((form.reason ?? '').trim().length < 3) errors.adjustReason = 'drivers.reasonNeeded';
    if (amount === undefined || Object.keys(errors).length > 0) return renderDriver(request, response, { adjustErrors: errors, adjustValues: form }, 400);
    const outcome = await services.till.adjust(driver.accountId, { amount, reason: form.reason!.trim() }, actorOf(request), form.formKey || undefined);
    if (outcome.status >= 400) {
      const body = outcome.body as { error: { code: string; message: string } };
      return renderDriver(request, response, { adjustErrors: { adjustAmount: refusalKey(body.error) }, adjustValues: form }, outcome.status);
    }
    setFlash(request, { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, `/drivers/${driver.id}`);
  });

  /** Refund (part of) a top-up, with a reason (admin only). */
  router.post('/topups/:topupId/refund', admin, async (request, response) => {
    const id = Number(request.params.topupId);
    const topup = Number.isSafeInteger(id) ? services.till.topup(id) : undefined;
    if (!topup) throw new AppError('not_found', `Top-up ${String(request.params.topupId)} does not exist`, 404);
    const form = formBody(request);
    const amount = form.amount ? decimalStringToMinor(form.amount, services.settings.get().currency) : undefined;
    if (form.amount && amount === undefined) throw new AppError('invalid_amount', 'The refund amount is not a valid amount', 400);
    const outcome = await services.till.refundTopup(id, { ...(amount === undefined ? {} : { amount }), reason: (form.reason ?? '').trim() }, actorOf(request), form.formKey || undefined);
    const failed = outcome.status >= 400 ? refusalText((outcome.body as { error: { code: string; message: string } }).error, response) : undefined;
    setFlash(request, failed ? { key: 'drivers.refundFailed', params: { message: failed }, kind: 'error' } : { key: 'chargers.saved', params: {}, kind: 'ok' });
    response.redirect(303, topup.userId === null ? '/drivers' : `/drivers/${topup.userId}`);
  });
};
