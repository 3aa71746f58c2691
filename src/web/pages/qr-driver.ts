import type { Request } from 'express';
import type { DriverRow } from '../../drivers';
import type { AppServices } from '../../services';
import { AppError } from '../../shared';

/** The driver's sign-in on their phone; apart from the staff cookie so neither can stand in for the other. */
export const DRIVER_COOKIE = 'cy_driver';

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
