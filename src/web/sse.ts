import type { Request, Response } from 'express';
import type { AppServices } from '../services';
import { AppError } from '../shared';

/**
 * What changed, as live pages care: a charger (status, presence), a session (meter, stop), its
 * OCPP log, a walk-in payment request at one of its connectors (`requestId`), or the site's load
 * allocation (chargerId '' for the site).
 */
type LiveTopic = { kind: 'charger' | 'session' | 'message' | 'load'; chargerId: string } | { kind: 'payment'; chargerId: string; requestId: number };

/** One named SSE event of a stream: which changes it follows and how it renders. */
interface LiveEvent {
  event: string;
  minIntervalMs: number;
  /** Wait at least this long after a change before rendering (for data written in batches). */
  settleMs?: number;
  wants: (topic: LiveTopic) => boolean;
  render: () => Promise<string>;
}

/** The message log is written in batches; a render waits for the batch that holds the new entry. */
export const MESSAGE_LOG_SETTLE_MS = 600;

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
    services.messageLog.onEntry((entry) => this.publish({ kind: 'message', chargerId: entry.chargerId }));
    services.paymentRequests.onChange((change) => this.publish({ kind: 'payment', chargerId: change.request.chargerId, requestId: change.request.id }));
    services.load.onChange(() => this.publish({ kind: 'load', chargerId: '' }));
  }

  private publish(topic: LiveTopic): void {
    for (const listener of this.listeners) listener(topic);
  }

  /**
   * Opens an SSE stream with one or more named events, each rendered once at once and then at most
   * every `minIntervalMs` however many changes arrive; `wants` filters the changes.
   */
  stream(request: Request, response: Response, events: readonly LiveEvent[]): void {
    if (this.listeners.size >= MAX_STREAMS) throw new AppError('too_many_streams', 'Too many live pages are open', 503);
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write('retry: 3000\n\n');

    let closed = false;
    const timers = new Map<string, NodeJS.Timeout>();
    const lastSentMs = new Map<string, number>();
    const send = async (event: LiveEvent) => {
      timers.delete(event.event);
      lastSentMs.set(event.event, Date.now());
      try {
        const html = await event.render();
        if (closed) return;
        const data = html.split('\n').map((line) => `data: ${line}`).join('\n');
        response.write(`event: ${event.event}\n${data}\n\n`);
      } catch (error) {
        this.logger.warn({ err: error, path: request.path }, 'live render failed');
      }
    };
    const listener: Listener = (topic) => {
      if (closed) return;
      for (const event of events) {
        if (timers.has(event.event) || !event.wants(topic)) continue;
        const waitMs = Math.max(event.settleMs ?? 0, event.minIntervalMs - (Date.now() - (lastSentMs.get(event.event) ?? 0)));
        timers.set(event.event, setTimeout(() => void send(event), waitMs));
      }
    };
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    this.listeners.add(listener);
    // What the page was rendered with may be stale by the time its stream connects (a change in
    // between, or a reconnect after the network or the appliance dropped): each event is sent once now.
    for (const event of events) void send(event);
    // The response closes when the browser goes away (the request may count as complete long before).
    response.on('close', () => {
      closed = true;
      this.listeners.delete(listener);
      clearInterval(keepalive);
      for (const timer of timers.values()) clearTimeout(timer);
    });
  }

  get openStreams(): number {
    return this.listeners.size;
  }
}

