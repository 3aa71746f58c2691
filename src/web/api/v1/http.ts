import type { NextFunction, Request, Response, Router } from 'express';
import { parseIdempotencyKey, type StoredOutcome } from '../../../ledger';
import type { AppServices } from '../../../services';
import { AppError, badRequest, forbidden, toUtcIso, type Actor } from '../../../shared';

/** A group of API routes (one area), registered on the API router after the token check. */
export type ApiRouteGroup = (router: Router, services: AppServices) => void;

/** Roles of API tokens and staff users: admin > cashier > viewer. */
type Role = 'admin' | 'cashier' | 'viewer';
const ROLE_RANK: Record<Role, number> = { viewer: 0, cashier: 1, admin: 2 };

interface ApiPrincipal {
  kind: 'token' | 'env-token' | 'staff';
  name: string;
  role: Role;
  tokenId?: number | undefined;
  staffUserId?: number | undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: ApiPrincipal;
  }
}

export function principalOf(request: Request): ApiPrincipal {
  if (!request.principal) throw new AppError('unauthorized', 'A valid bearer token is required', 401);
  return request.principal;
}

/**
 * Who the caller is, for the audit log, receipts and Idempotency-Keys: each API token by its id
 * (two tokens may share a name), CSMS_API_TOKEN as one client. `name` is what people read.
 */
export function actorOf(request: Request): Actor {
  const principal = principalOf(request);
  const id =
    principal.kind === 'staff' ? `staff:${principal.staffUserId}` : principal.kind === 'token' ? `token:${principal.tokenId}` : 'env-token';
  return { id, userId: principal.staffUserId ?? null, name: `${principal.kind}:${principal.name}` };
}

/** The Idempotency-Key of a money write, checked (CONTRACT: as for top-ups). */
export function idempotencyKeyOf(request: Request): string | undefined {
  return parseIdempotencyKey(request.headers['idempotency-key']);
}

/** Answers a money write, marking a replayed Idempotency-Key answer as such. */
export function sendOutcome(response: Response, outcome: StoredOutcome): void {
  if (outcome.replayed) response.setHeader('Idempotent-Replayed', 'true');
  response.status(outcome.status).json(outcome.body);
}

/** Route guard: 403 unless the caller's role is at least `role`. */
export function requireRole(role: Role) {
  return (request: Request, _response: Response, next: NextFunction) => {
    const principal = principalOf(request);
    if (ROLE_RANK[principal.role] < ROLE_RANK[role]) throw forbidden(`This needs the ${role} role; the token has ${principal.role}`);
    next();
  };
}

const DEFAULT_PAGE_LIMIT = 50;
const MAX_PAGE_LIMIT = 500;

/** CONTRACT: `?limit=` default 50, 1–500, else 400 invalid_request. */
export function parseLimit(query: Request['query']): number {
  const raw = query.limit;
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_LIMIT) {
    throw badRequest('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return Number(raw);
}

/** Cursors are opaque: base64url of a JSON array of the sort key of the last item. */
function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends readonly (string | number)[]>(
  query: Request['query'],
  shape: readonly ('string' | 'number')[],
): T | undefined {
  const raw = query.cursor;
  if (raw === undefined || raw === '') return undefined;
  const invalid = () => badRequest('invalid_cursor', 'The cursor is not one this API gave out');
  if (typeof raw !== 'string' || raw.length > 500) throw invalid();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) throw invalid();
  return key as unknown as T;
}

/** A page: `{items, nextCursor}` where nextCursor is null on the last page. */
export function page<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, keyOf: (row: Row) => (string | number)[]) {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: shown.map(toItem),
    nextCursor: hasMore ? encodeCursor(keyOf(shown[shown.length - 1]!)) : null,
  };
}

/** Reads a single-valued query string parameter; repeated or non-string values are 400. */
export function queryString(query: Request['query'], name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('invalid_request', `${name} must be given once as text`);
  return value;
}

/** A single-valued query parameter holding a positive integer id; anything else is 400. */
export function queryId(query: Request['query'], name: string): number | undefined {
  const value = queryString(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw badRequest('invalid_request', `${name} must be a positive integer`);
  return Number(value);
}

/** A single-valued query parameter holding an ISO 8601 date or time, as UTC ISO; anything else is 400. */
export function queryTime(query: Request['query'], name: string): string | undefined {
  const raw = queryString(query, name);
  if (raw === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}/.test(raw) ? toUtcIso(/T/.test(raw) ? raw : `${raw}T00:00:00Z`) : undefined;
  if (!iso) throw badRequest('invalid_request', `${name} must be an ISO 8601 date or time`);
  return iso;
}

/** Rejects query parameters the route does not know (a typo must not silently widen a filter). */
export function allowQuery(query: Request['query'], names: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!names.includes(name)) throw badRequest('invalid_request', `Unknown query parameter ${name}`);
  }
}

export function sendError(response: Response, status: number, code: string, message: string, details?: unknown): void {
  response.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}
