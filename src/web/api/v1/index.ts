import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppServices } from '../../../services';
import { AppError } from '../../../shared';
import { auditRoutes } from './audit';
import { chargerRoutes } from './chargers';
import { loadRoutes } from './load';
import { sendError, type ApiRouteGroup } from './http';
import { moneyRoutes } from './money';
import { paymentRequestRoutes } from './payment-requests';
import { qrRoutes } from './qr';
import { sessionRoutes } from './sessions';
import { siteRoutes } from './site';

/** Every route group of the API; each registers its own paths. */
const ROUTE_GROUPS: readonly ApiRouteGroup[] = [siteRoutes, chargerRoutes, sessionRoutes, moneyRoutes, paymentRequestRoutes, qrRoutes, loadRoutes, auditRoutes];

/** CONTRACT: request bodies are JSON, at most 1 MiB. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The JSON API under /api/v1 (CONTRACT "JSON API"). */
export function createApiRouter(services: AppServices): express.Router {
  const router = express.Router();

  router.use((request, response, next) => {
    response.setHeader('Cache-Control', 'no-store');
    const hasBody = request.headers['content-length'] !== undefined ? request.headers['content-length'] !== '0' : request.headers['transfer-encoding'] !== undefined;
    if (hasBody && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method) && !request.is('application/json')) {
      return sendError(response, 415, 'unsupported_media_type', 'Request bodies must be JSON (Content-Type: application/json)');
    }
    next();
  });
  router.use(express.json({ limit: MAX_BODY_BYTES, strict: false, type: 'application/json' }));

  // Health needs no token and reveals nothing private.
  router.get('/health', (_request, response) => {
    // Jobs are listed by name and outcome only: their summaries name files and chargers.
    const jobs = services.jobs.status().map(({ name, lastRunAt, lastResult, lastDurationMs, nextRunAt }) => ({
      name,
      lastRunAt,
      lastResult,
      lastDurationMs,
      nextRunAt,
    }));
    // CONTRACT: 200 and `degraded` while the disk refuses writes; reads keep working meanwhile.
    const status = services.db.storageDegraded(true) ? 'degraded' : 'ok';
    response.json({ status, version: services.version, chargersConnected: services.ocpp.connectedCount, jobs });
  });

  router.use((request, _response, next) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const principal = match ? services.tokens.verify(match[1]!) : undefined;
    if (!principal) throw new AppError('unauthorized', 'A valid bearer token is required (Authorization: Bearer <token>)', 401);
    request.principal = principal;
    next();
  });

  for (const group of ROUTE_GROUPS) group(router, services);

  router.use((_request: Request, response: Response) => sendError(response, 404, 'not_found', 'No such API endpoint'));
  router.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof AppError) return sendError(response, error.httpStatus, error.code, error.message, error.details);
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') return sendError(response, 413, 'payload_too_large', 'The request body is larger than 1 MiB');
    if (bodyError.type === 'entity.parse.failed') return sendError(response, 400, 'invalid_json', 'The request body is not valid JSON');
    if (bodyError.type === 'encoding.unsupported' || bodyError.type === 'charset.unsupported') {
      return sendError(response, 415, 'unsupported_media_type', 'Unsupported body encoding');
    }
    if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      return sendError(response, bodyError.status, 'invalid_request', 'The request could not be read');
    }
    services.logger.error({ err: error }, 'API request failed');
    return sendError(response, 500, 'internal_error', 'Something went wrong on the appliance; the error is in its log');
  });
  return router;
}
