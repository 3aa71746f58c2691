import type { NextFunction, Request, Response } from 'express';
import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import type { DriverRow } from '../../drivers';
import { DRIVER_SESSION_MS, type SignInOutcome } from '../../qrstart';
import type { AppServices } from '../../services';
import { AppError } from '../../shared';
import type { WebContext } from '../area';

/** The driver's sign-in on their phone; apart from the staff cookie so neither can stand in for the other. */
export const DRIVER_COOKIE = 'cy_driver';

/** Amounts offered on the QR pages (start and "Pay"), in major units of the site currency. */
export const DRIVER_PRESET_AMOUNTS_MAJOR = [100, 200, 500];

/** The driver signed in on this phone, if any (the QR pages and the walk-in payment pages). */
export function driverOf(services: AppServices, request: Request): DriverRow | undefined {
  const token = request.cookies?.[DRIVER_COOKIE];
  return typeof token === 'string' ? services.driverSignIn.resolve(token) : undefined;
}

/** A QR URL's connector number: digits only, else the page does not exist. */
export function connectorIdOf(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,3}$/.test(raw)) throw new AppError('not_found', 'No such connector', 404);
  return Number(raw);
}

/** The connector page's own path: every form on it and its walk-in pages posts below it, whatever URL rendered it. */
export function connectorPath(chargerId: string, connectorId: number): string {
  return `/q/${encodeURIComponent(chargerId)}/${connectorId}`;
}

/** The driver's "no such page", on the driver layout (a driver never lands on a staff page). */
export function renderDriverNotFound(response: Response): void {
  response.status(404).render('pages/qr/not-found', { layout: 'driver', titleKey: 'qr.title' });
}

/** A route under /q/:chargerId/:connectorId: the connector must exist, else the driver's not-found page. */
export function withConnector(services: AppServices, handler: (request: Request, response: Response, chargerId: string, connectorId: number) => Promise<void> | void) {
  return async (request: Request, response: Response) => {
    const chargerId = String(request.params.chargerId);
    let connectorId: number;
    try {
      connectorId = connectorIdOf(request.params.connectorId);
      services.qrStart.connector(chargerId, connectorId);
    } catch (error) {
      if (error instanceof AppError && error.httpStatus === 404) return renderDriverNotFound(response);
      throw error;
    }
    await handler(request, response, chargerId, connectorId);
  };
}

/**
 * Attempts one address may make per window on a QR form (sign-in, "New here?"), whatever phone
 * numbers it tries; past it, `refuse` answers (a page with the message, 429).
 */
export function attemptsPerAddress(windowMs: number, limit: number, refuse: (request: Request, response: Response) => Promise<void> | void): RateLimitRequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // An error while answering (thrown or rejected) goes to the error tail like any route's.
    handler: (request: Request, response: Response, next: NextFunction) => {
      Promise.resolve()
        .then(() => refuse(request, response))
        .catch(next);
    },
  });
}

/** The message beside the sign-in (or "New here?") form for a refused PIN check; `wrongPinKey` names a wrong PIN. */
export function signInRefusalMessage(outcome: Extract<SignInOutcome, { ok: false }>, wrongPinKey: string): Record<string, unknown> {
  if (outcome.reason === 'locked') return { key: 'qr.locked', minutes: Math.ceil(outcome.retryAfterS / 60) };
  if (outcome.reason === 'busy') return { key: 'qr.busy' };
  return { key: wrongPinKey, left: outcome.attemptsLeft };
}

/** Signs the driver in on this phone: the sign-in cookie, and a new CSRF visitor id (a token planted before it is worthless after it). */
export function keepDriverSignedIn({ services, csrf }: Pick<WebContext, 'services' | 'csrf'>, request: Request, response: Response, token: string): void {
  response.cookie(DRIVER_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: services.config.tls !== undefined, path: '/', maxAge: DRIVER_SESSION_MS });
  csrf.rotateVisitor(request, response);
}
