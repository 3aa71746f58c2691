import type { Request, Response } from 'express';
import type { AppServices } from '../services';
import { AppError } from '../shared';

/** What changed, as live pages care: a charger (status, presence) or a session (meter, stop). */
export type LiveTopic = { kind: 'charger'; chargerId: string } | { kind: 'session'; chargerId: string };

type Listener = (topic: LiveTopic) => void;

/** Each open page holds one stream; beyond this new ones are refused (the page falls back to polling). */
const MAX_STREAMS = 200;
/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

/**
 * One subscription to the domains' change events, fanned out to the open SSE streams, so a page
 * that closes leaves nothing behind in the domain services.
 */
export class LiveHub {
  private readonly listeners = new Set<Listener>();

  private readonly logger: AppServices['logger'];

  constructor(services: AppServices) {
    this.logger = services.logger;
    services.chargers.onChange((change) => this.publish({ kind: 'charger', chargerId: change.chargerId }));
    services.sessions.onChange((change) => this.publish({ kind: 'session', chargerId: change.session.chargerId }));
  }

  private publish(topic: LiveTopic): void {
    for (const listener of this.listeners) listener(topic);
  }

  /**
   * Opens an SSE stream. `render` builds the HTML of one event (named `event`) and runs at most
   * every `minIntervalMs` however many changes arrive; `wants` filters the changes.
   */
  stream(request: Request, response: Response, options: { event: string; minIntervalMs: number; wants: (topic: LiveTopic) => boolean; render: () => Promise<string> }): void {
    if (this.listeners.size >= MAX_STREAMS) throw new AppError('too_many_streams', 'Too many live pages are open', 503);
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write('retry: 3000\n\n');

    let timer: NodeJS.Timeout | undefined;
    let lastSentMs = 0;
    let closed = false;
    const send = async () => {
      timer = undefined;
      lastSentMs = Date.now();
      try {
        const html = await options.render();
        if (closed) return;
        const data = html.split('\n').map((line) => `data: ${line}`).join('\n');
        response.write(`event: ${options.event}\n${data}\n\n`);
      } catch (error) {
        this.logger.warn({ err: error, path: request.path }, 'live render failed');
      }
    };
    const listener: Listener = (topic) => {
      if (closed || timer || !options.wants(topic)) return;
      const waitMs = Math.max(0, options.minIntervalMs - (Date.now() - lastSentMs));
      timer = setTimeout(() => void send(), waitMs);
    };
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    this.listeners.add(listener);
    // The response closes when the browser goes away (the request may count as complete long before).
    response.on('close', () => {
      closed = true;
      this.listeners.delete(listener);
      clearInterval(keepalive);
      if (timer) clearTimeout(timer);
    });
  }

  get openStreams(): number {
    return this.listeners.size;
  }
}

