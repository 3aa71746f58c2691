import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import helmet from 'helmet';

/**
 * CONTRACT "Web pages": HTML responses carry a CSP with frame-ancestors and nosniff. Every source
 * is our own origin; no inline script or style (htmx is configured so it injects none).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
    xContentTypeOptions: true,
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  });
}

/** The browser's anonymous id: binds CSRF tokens to one browser before and after sign-in. */
export const VISITOR_COOKIE = 'cy_visitor';
const CSRF_COOKIE = 'cy_csrf';
const CSRF_HEADER = 'x-csrf-token';
const CSRF_FIELD = '_csrf';

/** The HMAC secret of the CSRF tokens, kept in the data folder so a restart keeps forms valid. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'web-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: make one below
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface CsrfTools {
  /** Sets the visitor cookie when missing and puts a CSRF token in res.locals.csrfToken. */
  issue: RequestHandler;
  /** 403 for a state-changing request without a valid token. */
  protect: RequestHandler;
  /** A new visitor id (at sign-in), so a token planted before sign-in is worthless after it. */
  rotateVisitor(request: Request, response: Response): void;
}

/** Double-submit CSRF tokens (csrf-csrf) bound to the visitor cookie. */
export function csrfTools(dataDir: string, secure: boolean): CsrfTools {
  const secret = loadOrCreateSecret(dataDir);
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (request) => String(request.cookies?.[VISITOR_COOKIE] ?? ''),
    cookieName: CSRF_COOKIE,
    cookieOptions,
    size: 32,
    ignoredMethods: ['GET', 'HEAD', 'OPTIONS'],
    getCsrfTokenFromRequest: (request) => {
      const header = request.headers[CSRF_HEADER];
      if (typeof header === 'string') return header;
      const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      return typeof field === 'string' ? field : undefined;
    },
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'csrf_invalid' },
  });

  const setVisitor = (request: Request, response: Response) => {
    const id = crypto.randomBytes(24).toString('base64url');
    request.cookies = { ...request.cookies, [VISITOR_COOKIE]: id };
    response.cookie(VISITOR_COOKIE, id, cookieOptions);
  };

  return {
    issue(request: Request, response: Response, next: NextFunction) {
      const visitor = request.cookies?.[VISITOR_COOKIE];
      if (typeof visitor !== 'string' || visitor.length < 20) setVisitor(request, response);
      response.locals.csrfToken = generateCsrfToken(request, response, { overwrite: false, validateOnReuse: false });
      next();
    },
    protect: doubleCsrfProtection,
    rotateVisitor(request, response) {
      setVisitor(request, response);
      response.locals.csrfToken = generateCsrfToken(request, response, { overwrite: true });
    },
  };
}
