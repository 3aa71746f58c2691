import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { DriverRow } from '../../drivers';
import { qrSvg } from '../../qrstart';
import type { AppServices } from '../../services';
import { AppError, currencyDigits, decimalStringToMinor } from '../../shared';
import { upiPaymentLink, type PaymentRequestRow } from '../../till';
import { clientAddress } from '../auth';
import { formBody } from '../forms';
import type { WebArea } from '../area';
import { renderFragment } from '../view-engine';
import { fragmentRoot } from './dashboard';
import {
  attemptsPerAddress,
  connectorPath,
  DRIVER_PRESET_AMOUNTS_MAJOR,
  driverOf,
  keepDriverSignedIn,
  renderDriverNotFound,
  signInRefusalMessage,
  withConnector,
} from './qr-driver';

/** A payment confirmed after the driver left is shown at their sign-ins for this long. */
const KEPT_NOTICE_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * Registrations one address may try per window. Each one that succeeds makes a driver, and one
 * on a number already taken is a PIN guess (counted in that number's lockout too).
 */
const REGISTRATIONS_PER_ADDRESS = 10;
const REGISTRATION_WINDOW_MS = 60 * 60 * 1000;
/** The waiting page asks for its state this often when the live stream is not there. */
const PAYMENT_POLL_S = 5;
/** Why a "Pay" was refused, as the connector page names it (`?pay=` after the redirect). */
const PAY_ERRORS = ['invalid_amount', 'amount_too_large', 'payment_request_open', 'connector_occupied', 'connector_unavailable', 'charger_offline', 'no_tariff', 'driver_busy', 'expired_form'] as const;
type PayError = (typeof PAY_ERRORS)[number];

/** The fields of "New here?" and the message keys of their errors. */
const REGISTER_FIELDS = { name: 'walkIn.badName', phone: 'walkIn.badPhone', pin: 'walkIn.badPin' } as const;

function paymentPath(request: PaymentRequestRow): string {
  return `${connectorPath(request.chargerId, request.connectorId)}/payments/${request.id}`;
}

function payErrorOf(raw: unknown): PayError | undefined {
  return typeof raw === 'string' && (PAY_ERRORS as readonly string[]).includes(raw) ? (raw as PayError) : undefined;
}

/**
 * What the connector page shows a signed-in driver about walk-in payments: a payment still
 * waiting (instead of a new "Pay"), payments confirmed after they had left (now balance), and
 * the "Pay" form with its amounts. Offered when the balance is short (below the minimum to start,
 * or below the smallest amount offered) and paying could make the start possible.
 */
export function walkInModel(services: AppServices, request: Request, driver: DriverRow | undefined, refusal: string | undefined) {
  if (!driver) return { walkIn: undefined };
  const { paymentRequests, settings } = services;
  const open = paymentRequests.openOf(driver.id);
  const { currency } = settings.get();
  const unit = 10 ** currencyDigits(currency);
  return {
    walkIn: {
      open: open ? { path: paymentPath(open), reference: open.reference, amountMinor: open.amountMinor } : undefined,
      kept: paymentRequests.keptAsBalance(driver.id, KEPT_NOTICE_MS).map((row) => ({ reference: row.reference, amountMinor: row.amountMinor })),
      offer: !open && (refusal === 'balance_below_minimum' || (refusal === undefined && services.qrStart.availableMinor(driver) < DRIVER_PRESET_AMOUNTS_MAJOR[0]! * unit)),
      presets: DRIVER_PRESET_AMOUNTS_MAJOR.map((major) => ({ minor: major * unit, value: String(major) })),
      formKey: `pay-${crypto.randomUUID()}`,
      payError: payErrorOf(request.query.pay),
      byUpi: settings.get().upiId !== null && currency === 'INR',
    },
  };
}

/**
 * Walk-in drivers on the QR pages (CONTRACT "Web pages"): "New here?" registers and signs in; a
 * driver whose balance is short asks to pay an amount and gets a reference (and a UPI link and QR
 * code when the site has a UPI address); the waiting page follows the request live until a
 * cashier confirms it, and then moves on by itself to the charge.
 */
export const qrPaymentPages: WebArea = (router, context) => {
  const { services, live } = context;

  // ---- "New here?" -------------------------------------------------------------------------------

  const renderRegister = (response: Response, chargerId: string, connectorId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const { charger } = services.qrStart.connector(chargerId, connectorId);
    response.status(status).render('pages/qr/register', {
      layout: 'driver',
      titleKey: 'walkIn.registerTitle',
      charger: { name: charger.name ?? charger.id },
      connectorId,
      pagePath: connectorPath(chargerId, connectorId),
      values: {},
      errors: {},
      ...extra,
    });
  };

  router.get('/q/:chargerId/:connectorId/register', withConnector(services, (_request, response, chargerId, connectorId) => renderRegister(response, chargerId, connectorId)));

  const registrationsPerAddress = attemptsPerAddress(
    REGISTRATION_WINDOW_MS,
    REGISTRATIONS_PER_ADDRESS,
    withConnector(services, (_request, response, chargerId, connectorId) =>
      renderRegister(response, chargerId, connectorId, { formError: { key: 'walkIn.tooMany', minutes: REGISTRATION_WINDOW_MS / 60_000 } }, 429),
    ),
  );

  router.post('/q/:chargerId/:connectorId/register', registrationsPerAddress, withConnector(services, async (request, response, chargerId, connectorId) => {
    const form = formBody(request);
    const values = { name: String(form.name ?? ''), phone: String(form.phone ?? '') };
    const outcome = await registerOrAnswer(services, { ...values, pin: String(form.pin ?? '') }, clientAddress(request));
    if ('field' in outcome) return renderRegister(response, chargerId, connectorId, { values, errors: { [outcome.field]: REGISTER_FIELDS[outcome.field] } }, 400);
    if (!outcome.ok) {
      const formError = signInRefusalMessage(outcome, 'walkIn.phoneRegistered');
      return renderRegister(response, chargerId, connectorId, { values, formError }, outcome.reason === 'wrong_pin' ? 409 : 429);
    }
    keepDriverSignedIn(context, request, response, outcome.token);
    response.redirect(303, connectorPath(chargerId, connectorId));
  }));

  // ---- "Pay" -------------------------------------------------------------------------------------

  router.post('/q/:chargerId/:connectorId/pay', withConnector(services, async (request, response, chargerId, connectorId) => {
    const back = connectorPath(chargerId, connectorId);
    const driver = driverOf(services, request);
    if (!driver) return response.redirect(303, back);
    const form = formBody(request);
    const formKey = String(form.formKey ?? '');
    if (!/^pay-[0-9a-f-]{36}$/.test(formKey)) return response.redirect(303, `${back}?pay=expired_form`);
    const amountMinor = decimalStringToMinor(String(form.amount || form.otherAmount || ''), services.settings.get().currency);
    if (amountMinor === undefined || amountMinor < 1) return response.redirect(303, `${back}?pay=invalid_amount`);
    try {
      const created = await services.paymentRequests.create({ formKey, user: driver, chargerId, connectorId, amountMinor });
      response.redirect(303, paymentPath(created));
    } catch (error) {
      if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
      response.redirect(303, `${back}?pay=${payErrorOf(error.code) ?? 'invalid_amount'}`);
    }
  }));

  // ---- the waiting page --------------------------------------------------------------------------

  /** The driver's own request at the connector in the path, or undefined (another's is not theirs to see). */
  const ownRequest = (request: Request): PaymentRequestRow | undefined => {
    const driver = driverOf(services, request);
    const raw = String(request.params.requestId);
    if (!driver || !/^[1-9]\d{0,14}$/.test(raw)) return undefined;
    const row = services.paymentRequests.get(Number(raw));
    if (!row || row.userId !== driver.id || row.chargerId !== String(request.params.chargerId) || String(row.connectorId) !== String(request.params.connectorId)) return undefined;
    return row;
  };

  const liveModel = async (row: PaymentRequestRow) => {
    const view = services.paymentRequests.view(row);
    const settings = services.settings.get();
    // Confirmed while the driver waited, the start not yet recorded: the page keeps following.
    const starting = view.status === 'confirmed' && row.driverWaiting === true && row.startId === null && row.startRefusal === null;
    const upiLink = view.status === 'open' && settings.upiId ? upiPaymentLink({ upiId: settings.upiId, payeeName: settings.siteName, amountMinor: row.amountMinor, currency: settings.currency, reference: row.reference, note: `Chargeyard ${row.reference}` }) : undefined;
    return {
      payment: {
        ...view,
        path: paymentPath(row),
        connectorPath: connectorPath(row.chargerId, row.connectorId),
        minutesLeft: Math.max(0, Math.ceil((Date.parse(row.expiresAt) - Date.now()) / 60_000)),
        upiLink,
        upiSvg: upiLink ? await qrSvg(upiLink) : undefined,
        starting,
        // Polled only while it can still change: an open request, or a start on its way.
        following: view.status === 'open' || starting,
        chargePath: row.startId !== null ? `/charges/${row.startId}` : undefined,
        pollSeconds: PAYMENT_POLL_S,
      },
    };
  };

  router.get('/q/:chargerId/:connectorId/payments/:requestId', async (request, response) => {
    const row = ownRequest(request);
    if (!row) return renderDriverNotFound(response);
    const { charger } = services.qrStart.connector(row.chargerId, row.connectorId);
    response.render('pages/qr/payment', { layout: 'driver', titleKey: 'walkIn.waitingTitle', chargerName: charger.name ?? charger.id, ...(await liveModel(row)) });
  });

  /** The state alone, polled; once the charge has started, htmx is sent on to it. */
  router.get('/q/:chargerId/:connectorId/payments/:requestId/live', async (request, response) => {
    const row = ownRequest(request);
    if (!row) return renderDriverNotFound(response);
    if (row.startId !== null && request.get('HX-Request') === 'true') response.setHeader('HX-Redirect', `/charges/${row.startId}`);
    response.render('fragments/qr-payment-live', { layout: false, ...(await liveModel(row)) });
  });

  /** The state live: re-rendered when the cashier confirms or cancels, the start follows, or time runs out. */
  router.get('/q/:chargerId/:connectorId/payments/:requestId/events', (request, response) => {
    const row = ownRequest(request);
    if (!row) return renderDriverNotFound(response);
    const root = fragmentRoot(response);
    live.stream(request, response, [
      {
        event: 'payment',
        minIntervalMs: 200,
        wants: (topic) => topic.kind === 'payment' && topic.requestId === row.id,
        render: async () => renderFragment('qr-payment-live', { ...root, ...(await liveModel(services.paymentRequests.get(row.id)!)) }),
      },
    ]);
  });

  router.post('/q/:chargerId/:connectorId/payments/:requestId/cancel', async (request, response) => {
    const row = ownRequest(request);
    if (!row) return renderDriverNotFound(response);
    try {
      await services.paymentRequests.cancelByDriver(row.id, row.userId);
    } catch (error) {
      // Confirmed or run out meanwhile: the page shows what happened instead.
      if (!(error instanceof AppError) || error.httpStatus !== 409) throw error;
    }
    response.redirect(303, paymentPath(row));
  });
};

/**
 * Registers through the QR sign-in domain; a field the rules refuse comes back as that field (the
 * form shows the message beside it).
 */
async function registerOrAnswer(
  services: AppServices,
  input: { name: string; phone: string; pin: string },
  address: string,
): Promise<Awaited<ReturnType<AppServices['driverSignIn']['register']>> | { field: keyof typeof REGISTER_FIELDS }> {
  try {
    return await services.driverSignIn.register(input, address);
  } catch (error) {
    if (!(error instanceof AppError) || error.httpStatus !== 400) throw error;
    const field = (error.details as { field?: string } | undefined)?.field;
    return { field: field === 'name' || field === 'phone' ? field : 'pin' };
  }
}
