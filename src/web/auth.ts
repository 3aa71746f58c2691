import type { NextFunction, Request, Response } from 'express';
import type { StaffRole, StaffUser, StaffSessionService, StaffUserService } from '../staff';
import { AppError, type Actor } from '../shared';

export const SESSION_COOKIE = 'cy_session';
const ROLE_RANK: Record<StaffRole, number> = { viewer: 0, cashier: 1, admin: 2 };

declare module 'express-serve-static-core' {
  interface Request {
    staff?: StaffUser;
  }
}

/** Puts the signed-in staff user (if any) on the request; never refuses by itself. */
export function loadStaff(sessions: StaffSessionService) {
  return (request: Request, response: Response, next: NextFunction) => {
    const token = request.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string') {
      const signedIn = sessions.resolve(token);
      if (signedIn) {
        request.staff = signedIn.user;
        response.locals.staff = signedIn.user;
      }
    }
    next();
  };
}

/** Only a local path may follow a sign-in: never another site (CONTRACT "Staff sign-in"). */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\r\n\t]/.test(value)) return '/';
  return value.length > 500 ? '/' : value;
}

/** Anonymous visitors go to /setup while no staff user exists, else to /login. */
export function requireStaff(users: StaffUserService) {
  return (request: Request, response: Response, next: NextFunction) => {
    if (request.staff) return next();
    if (request.headers['hx-request'] || request.headers.accept === 'text/event-stream') {
      throw new AppError('unauthorized', 'Sign in first', 401);
    }
    if (!users.hasAnyUser()) return response.redirect(303, '/setup');
    const next_ = request.method === 'GET' ? request.originalUrl : '/';
    return response.redirect(303, next_ === '/' ? '/login' : `/login?next=${encodeURIComponent(next_)}`);
  };
}

export function hasRole(user: StaffUser | undefined, role: StaffRole): boolean {
  return user !== undefined && ROLE_RANK[user.role] >= ROLE_RANK[role];
}

/** Route guard: 403 unless the staff user's role is at least `role`. */
export function requireRole(role: StaffRole) {
  return (request: Request, _response: Response, next: NextFunction) => {
    if (!hasRole(request.staff, role)) throw new AppError('forbidden', `This needs the ${role} role`, 403);
    next();
  };
}

export function staffOf(request: Request): StaffUser {
  if (!request.staff) throw new AppError('unauthorized', 'Sign in first', 401);
  return request.staff;
}

/**
 * The address a request came from, for per-address limits. `trust proxy` is off: a LAN appliance
 * is reached directly, so X-Forwarded-For would only let a client pick its own address.
 */
export function clientAddress(request: Request): string {
  return request.socket.remoteAddress ?? 'unknown';
}

/** Who makes a change from the web UI: the signed-in staff user (audit log, receipts, Idempotency-Keys). */
export function actorOf(request: Request): Actor {
  const user = staffOf(request);
  return { id: `staff:${user.id}`, userId: user.id, name: user.userName };
}
