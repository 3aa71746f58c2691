import type { Request, Response } from 'express';
import { VISITOR_COOKIE } from './security';

/** A message for the next page a browser sees (POST → 303 → GET), shown in the aria-live region. */
export interface Flash {
  key: string;
  params: Record<string, string | number>;
  kind: 'ok' | 'error';
}

/** Flashes wait in memory for at most this many browsers; the oldest go first. */
const MAX_WAITING = 1000;
const waiting = new Map<string, Flash>();

export function setFlash(request: Request, flash: Flash): void {
  const visitor = request.cookies?.[VISITOR_COOKIE];
  if (typeof visitor !== 'string') return;
  waiting.delete(visitor);
  waiting.set(visitor, flash);
  if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value!);
}

/** Moves a waiting flash into res.locals.flash (once). */
export function takeFlash(request: Request, response: Response): void {
  const visitor = request.cookies?.[VISITOR_COOKIE];
  if (typeof visitor !== 'string' || request.method !== 'GET' || request.headers['hx-request']) return;
  const flash = waiting.get(visitor);
  if (!flash) return;
  waiting.delete(visitor);
  response.locals.flash = flash;
}
