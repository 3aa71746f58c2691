import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { TopupResult } from '../../till';
import type { CardRow, DriverRow } from '../../drivers';
import { AppError, currencyDigits, decimalStringToMinor, formatPhone, minorToDecimalString } from '../../shared';
import { actorOf, requireRole, staffOf } from '../auth';
import { withWho } from '../names';
import { formBody, type FieldErrors } from '../forms';
import { refusalText } from '../refusals';
import type { WebArea } from '../area';
import { PAYMENT_QUEUE_REFRESH_S, paymentQueueModel } from './payments';

/** Quick amounts offered at the desk, in major units of the site currency. */
const QUICK_AMOUNTS_MAJOR = [100, 200, 500, 1000, 2000];
const METHODS = ['cash', 'card', 'transfer'] as const;
type Method = (typeof METHODS)[number];
const RECENT_SESSIONS = 5;
/** Drivers listed when a name matches several. */
const SEARCH_RESULTS = 10;
/**
 * The shortest text offered for registration as a new card: ISO 14443 UIDs are 4, 7 or 10 bytes
 * (8+ hex digits). Anything shorter typed into the search ("500") is no card.
 */
const MIN_NEW_CARD_UID_LENGTH = 8;

/** A new idempotency key per rendered form: a double scan or double click submits the same key twice. */
function newFormKey(): string {
  return `ui-${crypto.randomUUID()}`;
}

/** The amount of a top-up form: a quick-amount button (minor units) or the free field (major units, "1,000" too). */
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

/** Whose balance a desk top-up goes to: a prepaid card (its driver's or its own account) or a driver. */
type Target = { kind: 'card'; card: CardRow } | { kind: 'driver'; driver: DriverRow };

/** The hidden form value naming a target: `card:UID` or `driver:ID`. */
function targetValue(target: Target): string {
  return target.kind === 'card' ? `card:${target.card.uid}` : `driver:${target.driver.id}`;
}

/** Validates the amount and method of a top-up form; the errors are message keys by field. */
function topupErrors(form: Record<string, string>, currency: string): { amount?: number; method?: Method; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const amount = amountOf(form, currency);
  if (amount === undefined || amount < 1) errors.amount = 'cashier.badAmount';
  else if (amount > MAX_DESK_TOPUP_MAJOR * 10 ** currencyDigits(currency)) errors.amount = 'cashier.tooLarge';
  const method = z.enum(METHODS).safeParse(form.method);
  if (!method.success) errors.method = 'cashier.badMethod';
  return { ...(amount === undefined ? {} : { amount }), ...(method.success ? { method: method.data } : {}), errors };
}

export const cashierPages: WebArea = (router, { services }) => {
  const guard = requireRole('cashier');
  const { drivers } = services;

  const quickAmounts = () => {
    const digits = currencyDigits(services.settings.get().currency);
    return QUICK_AMOUNTS_MAJOR.map((major) => ({ minor: major * 10 ** digits }));
  };

  const targetOf = (raw: string | undefined): Target | undefined => {
    const match = /^(card|driver):(.{1,100})$/.exec(raw ?? '');
    if (!match) return undefined;
    if (match[1] === 'card') {
      const card = drivers.cardByAnyUid(match[2]!);
      return card ? { kind: 'card', card } : undefined;
    }
    const driver = /^\d{1,15}$/.test(match[2]!) ? drivers.user(Number(match[2])) : undefined;
    return driver ? { kind: 'driver', driver } : undefined;
  };

  /** What the panel shows of a card or a driver: holder, balance, cards, last sessions. */
  const panelOf = (target: Target) => {
    if (target.kind === 'card') {
      const card = drivers.cardView(target.card);
      const driver = target.card.userId === null ? undefined : drivers.user(target.card.userId);
      return {
        target: targetValue(target),
        title: card.uid,
        card,
        driver,
        canTopUp: card.balance !== null,
        balanceMinor: card.balance?.amount,
        sessions: withWho(services, services.sessions.repository.list({ cardUid: card.uid }, RECENT_SESSIONS)),
      };
    }
    const driver = drivers.userView(target.driver);
    return {
      target: targetValue(target),
      title: driver.name,
      driver: target.driver,
      driverCards: driver.cards,
      canTopUp: true,
      balanceMinor: driver.balance.amount,
      sessions: withWho(services, services.sessions.repository.list({ userId: driver.id }, RECENT_SESSIONS)),
    };
  };

  /** Who receives the money, as the confirm step and the receipt name them. */
  const recipientOf = (target: Target): string => {
    if (target.kind === 'driver') return target.driver.name;
    const owner = target.card.userId === null ? undefined : drivers.user(target.card.userId);
    return owner ? `${owner.name} (${target.card.uid})` : target.card.uid;
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
      values: { method: 'cash' },
      ...extra,
    });
  };

  const renderTarget = (request: Request, response: Response, target: Target, extra: Record<string, unknown> = {}, status = 200) => {
    const panel = panelOf(target);
    render(request, response, { scanned: target.kind === 'card' ? target.card.uid : '', panel, focusAmount: panel.canTopUp, ...extra }, status);
  };

  /**
   * The search is a read: GET /cashier?q=... A keyboard-wedge reader types a card UID and Enter; a
   * cashier may type a phone number or part of a name instead. `uid` is the older name of `q`.
   */
  router.get('/cashier', guard, (request, response) => {
    const query = request.query as Record<string, unknown>;
    const back = { amount: typeof query.amount === 'string' ? query.amount.slice(0, 20) : '', method: typeof query.method === 'string' ? query.method : 'cash' };
    if (typeof query.driver === 'string') {
      const driver = /^\d{1,15}$/.test(query.driver) ? drivers.user(Number(query.driver)) : undefined;
      if (!driver) throw new AppError('not_found', `Driver ${query.driver} does not exist`, 404);
      return renderTarget(request, response, { kind: 'driver', driver }, { values: back });
    }
    const raw = (typeof query.q === 'string' ? query.q : typeof query.uid === 'string' ? query.uid : '').trim();
    if (raw === '') return render(request, response, {});
    if (raw.length > 100) return render(request, response, { scanned: raw.slice(0, 100), scanError: 'cashier.notFound' }, 400);
    const card = drivers.cardByAnyUid(raw);
    if (card) return renderTarget(request, response, { kind: 'card', card }, { values: back });
    const found = drivers.searchUsers(raw, SEARCH_RESULTS);
    if (found.length === 1) return renderTarget(request, response, { kind: 'driver', driver: found[0]! }, { scanned: raw, values: back });
    if (found.length > 1) return render(request, response, { scanned: raw, matches: found.map((driver) => ({ ...driver, phoneText: formatPhone(driver.phone) })) });
    // Nothing known: a plausible UID may be registered, but only on the cashier's explicit request.
    const uid = raw.replace(/[\s:\-._]/g, '').toUpperCase();
    if (/^[0-9A-F]+$/.test(uid) && uid.length >= MIN_NEW_CARD_UID_LENGTH && uid.length <= 36) {
      return render(request, response, { scanned: uid, unknown: { uid, register: query.register === '1' }, focusNewCard: query.register === '1' });
    }
    return render(request, response, { scanned: raw, scanError: 'cashier.notFound' }, 404);
  });

  /** Step 1: the amount and method are checked, then shown for confirmation; nothing moves yet. */
  router.post('/cashier/topups', guard, (request, response) => {
    const form = formBody(request);
    const { currency, largeTopupWarningMinor } = services.settings.get();
    const target = targetOf(form.target ?? (form.uid ? `card:${form.uid}` : undefined));
    if (!target) throw new AppError('not_found', 'That card or driver does not exist', 404);
    // A scan that landed in the amount field (a double scan, or the next card) is a scan, never money.
    const scannedIntoAmount = form.quick ? undefined : drivers.cardByAnyUid((form.amount ?? '').trim());
    if (scannedIntoAmount) return response.redirect(303, `/cashier?q=${encodeURIComponent(scannedIntoAmount.uid)}`);
    const { amount, method, errors } = topupErrors(form, currency);
    if (amount === undefined || method === undefined || Object.keys(errors).length > 0) {
      return renderTarget(request, response, target, { errors, values: form, selectAmount: true }, 400);
    }
    const panel = panelOf(target);
    if (!panel.canTopUp) return renderTarget(request, response, target, {}, 409);
    const backParams = new URLSearchParams({ ...(target.kind === 'card' ? { q: target.card.uid } : { driver: String(target.driver.id) }), amount: minorToDecimalString(amount, currency), method });
    render(request, response, {
      confirm: {
        action: '/cashier/topups/confirm',
        target: targetValue(target),
        recipient: recipientOf(target),
        amountMinor: amount,
        method,
        newBalanceMinor: (panel.balanceMinor ?? 0) + amount,
        large: largeTopupWarningMinor > 0 && amount > largeTopupWarningMinor,
        largeTopupWarningMinor,
        formKey: form.formKey ?? newFormKey(),
        back: `/cashier?${backParams.toString()}`,
      },
    });
  });

  /** Step 2: the confirmed top-up, once per form key; then the receipt, printed at once. */
  router.post('/cashier/topups/confirm', guard, async (request, response) => {
    const form = formBody(request);
    const target = targetOf(form.target);
    if (!target) throw new AppError('not_found', 'That card or driver does not exist', 404);
    const amount = /^\d{1,15}$/.test(form.amountMinor ?? '') ? Number(form.amountMinor) : undefined;
    const method = z.enum(METHODS).safeParse(form.method);
    if (amount === undefined || amount < 1 || !method.success) throw new AppError('confirmation_incomplete', 'The confirmation is incomplete; start the top-up again', 400);
    const actor = actorOf(request);
    const outcome =
      target.kind === 'card'
        ? await services.till.topUpCard(target.card.uid, { amount, method: method.data }, actor, form.formKey || undefined)
        : await services.till.topUpUser(target.driver.id, { amount, method: method.data }, actor, form.formKey || undefined);
    return finishTopup(request, response, outcome, target);
  });

  /** An unknown card, on the cashier's explicit request: a prepaid card (of a new or known driver) with a first top-up, confirmed first. */
  router.post('/cashier/new-card', guard, (request, response) => {
    const form = formBody(request);
    const { currency, largeTopupWarningMinor } = services.settings.get();
    const uid = (form.uid ?? '').trim();
    const { amount, method, errors } = topupErrors(form, currency);
    const name = (form.driverName ?? '').trim();
    const phoneText = (form.driverPhone ?? '').trim();
    if ((name === '') !== (phoneText === '')) errors[name === '' ? 'driverName' : 'driverPhone'] = 'cashier.nameAndPhone';
    const phone = phoneText === '' ? undefined : drivers.normalisePhone(phoneText);
    if (phoneText !== '' && phone === undefined) errors.driverPhone = 'validation.phone';
    if (drivers.cardByAnyUid(uid)) errors.uid = 'cashier.cardExists';
    if (amount === undefined || method === undefined || Object.keys(errors).length > 0) {
      return render(request, response, { scanned: uid, unknown: { uid, register: true }, errors, values: form, selectAmount: errors.amount !== undefined }, 400);
    }
    const existing = phone === undefined ? undefined : drivers.userByPhone(phone);
    render(request, response, {
      confirm: {
        action: '/cashier/new-card/confirm',
        newCard: { uid, driverName: name, driverPhone: phone ?? '', existingDriver: existing?.name },
        recipient: existing ? `${existing.name} (${uid})` : name !== '' ? `${name} (${uid})` : uid,
        amountMinor: amount,
        method,
        newBalanceMinor: (existing ? drivers.userView(existing).balance.amount : 0) + amount,
        large: largeTopupWarningMinor > 0 && amount > largeTopupWarningMinor,
        largeTopupWarningMinor,
        formKey: form.formKey ?? newFormKey(),
        back: `/cashier?${new URLSearchParams({ q: uid, register: '1' }).toString()}`,
      },
    });
  });

  router.post('/cashier/new-card/confirm', guard, async (request, response) => {
    const form = formBody(request);
    const uid = (form.uid ?? '').trim();
    const amount = /^\d{1,15}$/.test(form.amountMinor ?? '') ? Number(form.amountMinor) : undefined;
    const method = z.enum(METHODS).safeParse(form.method);
    if (amount === undefined || amount < 1 || !method.success) throw new AppError('confirmation_incomplete', 'The confirmation is incomplete; start the top-up again', 400);
    const name = (form.driverName ?? '').trim();
    const phone = (form.driverPhone ?? '').trim();
    const actor = actorOf(request);
    try {
      // A repeated submit of the same form finds the card (and driver) already made and replays the top-up.
      let card = drivers.cardByAnyUid(uid);
      if (!card) {
        let userId: number | null = null;
        if (name !== '' && phone !== '') {
          const existing = drivers.userByPhone(phone);
          const driver = existing ?? (await drivers.createUser({ name, phone }, actor));
          userId = driver.id;
        }
        card = await drivers.createCard({ uid, kind: 'prepaid', userId }, actor);
      }
      const outcome = await services.till.topUpCard(card.uid, { amount, method: method.data }, actor, form.formKey || undefined);
      return finishTopup(request, response, outcome, { kind: 'card', card });
    } catch (error) {
      if (error instanceof AppError && error.httpStatus < 500) {
        return render(request, response, { scanned: uid, unknown: { uid, register: true }, failure: refusalText(error, response), values: { ...form, amount: minorToDecimalString(amount, services.settings.get().currency) } }, error.httpStatus);
      }
      throw error;
    }
  });

  async function finishTopup(request: Request, response: Response, outcome: { status: number; body: TopupResult | { error: { code: string; message: string } }; replayed: boolean }, target: Target) {
    if ('error' in outcome.body) {
      return renderTarget(request, response, target, { failure: refusalText(outcome.body.error, response) }, outcome.status);
    }
    response.redirect(303, `/cashier/receipts/${outcome.body.topupId}?print=1`);
  }

  /** The receipt as printed: site, number, time, driver and card, method, amount, new balance, cashier. */
  const receiptOf = (topupId: number) => {
    const topup = services.till.topup(topupId);
    if (!topup) return undefined;
    const settings = services.settings.get();
    const driver = topup.userId === null ? undefined : drivers.user(topup.userId);
    const staffUser = topup.createdBy === null ? undefined : services.staff.users.byUserName(topup.createdBy);
    return {
      ...topup,
      siteAddressLines: settings.siteAddress?.split('\n') ?? [],
      driverName: driver?.name,
      driverPhone: driver ? formatPhone(driver.phone) : undefined,
      cashierName: staffUser?.displayName ?? topup.createdBy,
      balanceMinor: services.ledger.balanceAfterTransfer(topup.accountId, topup.transferId),
    };
  };

  /** The receipt beside the search field (in focus for the next driver); `print=1` opens the print dialog. */
  router.get('/cashier/receipts/:topupId', guard, (request, response) => {
    const id = Number(request.params.topupId);
    const receipt = Number.isSafeInteger(id) ? receiptOf(id) : undefined;
    if (!receipt) throw new AppError('not_found', `Top-up ${String(request.params.topupId)} does not exist`, 404);
    const paper = request.query.paper === 'a4' || request.query.paper === 'thermal' ? request.query.paper : services.settings.get().receiptPaper;
    render(request, response, { receipt, paper, printOnLoad: request.query.print === '1' });
  });

  router.post('/cashier/shift/open', guard, async (request, response) => {
    const { currency } = services.settings.get();
    const form = formBody(request);
    const openingFloat = form.openingFloat ? decimalStringToMinor(form.openingFloat, currency) : 0;
    if (openingFloat === undefined) return render(request, response, { errors: { openingFloat: 'cashier.badAmount' } }, 400);
    await services.shifts.startShift(actorOf(request), { openingFloat });
    response.redirect(303, '/cashier');
  });

  router.post('/cashier/shift/close', guard, async (request, response) => {
    const { currency } = services.settings.get();
    const form = formBody(request);
    const countedCash = decimalStringToMinor(form.countedCash ?? '', currency);
    if (countedCash === undefined) return render(request, response, { errors: { countedCash: 'cashier.badAmount' } }, 400);
    const shift = await services.shifts.closeShift(actorOf(request), { countedCash, note: form.note || null });
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
