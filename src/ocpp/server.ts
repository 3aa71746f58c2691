import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChargerService, MessageLog } from '../chargers';
import { isValidChargerId } from '../chargers';
import { nowIso } from '../shared';
import { DEFAULT_LIMITS, OcppConnection, ChargerOfflineError, type ConnectionEndpoint, type ConnectionLimits, type InboundDispatcher } from './connection';
import type { OcppVersion } from './errors';
import { schemaValidator, type SchemaValidator } from './schemas';

/** What a version adapter (v16/, v201/) gives the transport. */
export interface ProtocolAdapter {
  version: OcppVersion;
  subprotocol: string;
  /** Actions a charge point sends in this version; any other known action is NotSupported. */
  inboundActions: ReadonlySet<string>;
  /** Actions the CSMS sends in this version; the commands API refuses any other. */
  outboundActions: ReadonlySet<string>;
  dispatch: InboundDispatcher;
}

export interface OcppServerOptions {
  /** Largest frame accepted from a charger; larger ones close the connection (1009). */
  maxPayloadBytes: number;
  /** Interval of WebSocket pings; a charger that has not answered the previous one is dropped. */
  pingIntervalMs: number;
  limits: ConnectionLimits;
}

export const DEFAULT_SERVER_OPTIONS: OcppServerOptions = { maxPayloadBytes: 256 * 1024, pingIntervalMs: 30_000, limits: DEFAULT_LIMITS };

/** How long a replaced or shut-down connection gets for its close handshake before we drop it. */
const CLOSE_GRACE_MS = 2000;

/**
 * The OCPP-J endpoint: upgrade (identity, subprotocol, admission, Basic auth), one connection
 * per identity, ping/pong liveness, and the registry the command API sends through.
 */
export class OcppServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, OcppConnection>();
  private readonly adapters = new Map<string, ProtocolAdapter>();
  /** Per subprotocol, what all its connections share (one object, not a copy per charger). */
  private readonly endpoints = new Map<string, ConnectionEndpoint>();
  private pingTimer: NodeJS.Timeout | undefined;
  private accepting = true;

  constructor(
    private readonly chargers: ChargerService,
    private readonly messageLog: MessageLog,
    private readonly logger: Logger,
    adapters: ProtocolAdapter[],
    private readonly options: OcppServerOptions = DEFAULT_SERVER_OPTIONS,
  ) {
    const validators = new Map<OcppVersion, SchemaValidator>();
    for (const adapter of adapters) {
      this.adapters.set(adapter.subprotocol, adapter);
      let validator = validators.get(adapter.version);
      if (!validator) validators.set(adapter.version, (validator = schemaValidator(adapter.version)));
      this.endpoints.set(adapter.subprotocol, {
        validator,
        dispatch: adapter.dispatch,
        logger,
        logFrame: (chargerId, direction, messageTypeId, messageId, action, frame) => this.logFrame(chargerId, direction, messageTypeId, messageId, action, frame),
        closed: (connection, code) => this.connectionClosed(connection, code),
        limits: options.limits,
        inboundActions: adapter.inboundActions,
      });
    }
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // We pick the subprotocol ourselves before the upgrade (see handleUpgrade).
      handleProtocols: (protocols) => this.pickSubprotocol([...protocols]) ?? false,
    });
  }

  get supportedSubprotocols(): string[] {
    return [...this.adapters.keys()];
  }

  start(): void {
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** The charger's own preference order wins among the subprotocols we support. */
  private pickSubprotocol(offered: string[]): string | undefined {
    return offered.find((protocol) => this.adapters.has(protocol));
  }

  /** Handles an HTTP upgrade on any path: the identity is the last path segment, decoded once. */
  handleUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    // A function of its own, not a closure here: this listener lives as long as the connection,
    // and a closure would keep the whole upgrade request (headers, buffers) alive with it.
    socket.on('error', destroyOnError);
    if (!this.accepting) return refuse(socket, 503, 'Shutting down');
    const identity = identityFromUrl(request.url ?? '/');
    if (identity === undefined || !isValidChargerId(identity)) {
      return refuse(socket, 400, 'The charge point identity must be 1-48 printable ASCII characters other than /');
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((protocol) => protocol.trim())
      .filter(Boolean);
    const subprotocol = this.pickSubprotocol(offered);
    if (!subprotocol) {
      return refuse(socket, 400, `No supported OCPP subprotocol offered; this server speaks ${this.supportedSubprotocols.join(', ')}`);
    }
    const basicAuth = parseBasicAuth(request.headers.authorization, identity);
    this.chargers.admit(identity, basicAuth, () => request.socket.remoteAddress ?? 'unknown').then(
      (admission) => {
        if (!admission.admitted) {
          this.logger.warn({ chargerId: identity, status: admission.httpStatus, reason: admission.reason }, 'OCPP upgrade refused');
          const headers = admission.httpStatus === 401 ? { 'WWW-Authenticate': 'Basic realm="OCPP", charset="UTF-8"' } : undefined;
          return refuse(socket, admission.httpStatus, admission.reason, headers);
        }
        if (socket.destroyed) return;
        this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(identity, subprotocol, ws));
      },
      (error: unknown) => {
        this.logger.error({ err: error, chargerId: identity }, 'admission failed');
        refuse(socket, 500, 'Internal error');
      },
    );
  }

  private attach(chargerId: string, subprotocol: string, ws: WebSocket): void {
    const adapter = this.adapters.get(subprotocol)!;
    const previous = this.connections.get(chargerId);
    if (previous) {
      // CONTRACT: a new connection replaces the old one, which is closed at once.
      previous.logger.info('replacing the previous connection of this charger');
      this.dropConnection(previous, 4000, 'Replaced by a new connection');
    }
    const connection = new OcppConnection(chargerId, adapter.version, ws, this.endpoints.get(subprotocol)!);
    this.connections.set(chargerId, connection);
    this.chargers.markConnected(chargerId, adapter.version);
    this.logger.info({ chargerId, ocppVersion: adapter.version }, 'charger connected');
  }

  private logFrame(chargerId: string, direction: 'in' | 'out', messageTypeId: number, messageId: string | null, action: string | null, frame: string): void {
    if (direction === 'in') this.chargers.touch(chargerId);
    // Heartbeats say only "still here": lastSeenAt records them; logging each would bury the
    // messages staff look for and cost a row per beat per charger.
    if (action === 'Heartbeat') return;
    // What a charger that is not accepted sends besides Boot and Status is answered, not kept (CONTRACT).
    if (!this.chargers.keepsMessagesOf(chargerId, action)) return;
    this.messageLog.record({ chargerId, direction, messageTypeId, messageId, action, frame, at: nowIso() });
  }

  private connectionClosed(connection: OcppConnection, code: number): void {
    const { chargerId } = connection;
    if (this.connections.get(chargerId) === connection) {
      this.connections.delete(chargerId);
      this.chargers.markDisconnected(chargerId);
    }
    this.logger.info({ chargerId, code }, 'charger disconnected');
  }

  private dropConnection(connection: OcppConnection, code: number, reason: string): void {
    this.connections.delete(connection.chargerId);
    connection.handleClosed();
    connection.close(code, reason);
    setTimeout(() => connection.terminate(), CLOSE_GRACE_MS).unref();
  }

  private pingAll(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        connection.logger.warn('no pong since the last ping: dropping the connection');
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  isConnected(chargerId: string): boolean {
    return this.connections.has(chargerId);
  }

  get connectedCount(): number {
    return this.connections.size;
  }

  /** Sends a CALL through the charger's connection (validated by the caller first). */
  call(chargerId: string, action: string, payload: object, timeoutMs: number): Promise<Record<string, unknown>> {
    const connection = this.connections.get(chargerId);
    if (!connection) return Promise.reject(new ChargerOfflineError(chargerId));
    return connection.call(action, payload, timeoutMs);
  }

  /** What the CSMS may send to a charger of this version (none for a version no adapter speaks). */
  outboundActions(version: OcppVersion): ReadonlySet<string> {
    for (const adapter of this.adapters.values()) if (adapter.version === version) return adapter.outboundActions;
    return new Set();
  }

  versionOf(chargerId: string): OcppVersion | undefined {
    return this.connections.get(chargerId)?.version;
  }

  /** Closes a charger's connection; one whose peer does not finish the close handshake is dropped soon after. */
  disconnect(chargerId: string, reason = 'Disconnected by staff'): void {
    const connection = this.connections.get(chargerId);
    if (!connection) return;
    connection.close(4001, reason);
    setTimeout(() => connection.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Stops accepting and closes every charger with 1001 (going away); waits for the handshakes briefly. */
  async close(): Promise<void> {
    this.accepting = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    const open = [...this.connections.values()];
    await Promise.all(
      open.map(
        (connection) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              connection.terminate();
              resolve();
            }, CLOSE_GRACE_MS);
            timer.unref();
            connection.onceClosed(() => {
              clearTimeout(timer);
              resolve();
            });
            connection.close(1001, 'CSMS shutting down');
          }),
      ),
    );
    this.wss.close();
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** The last path segment, percent-decoded once; undefined when it cannot be decoded. */
function identityFromUrl(url: string): string | undefined {
  const path = url.split('?')[0]!.replace(/\/+$/, '');
  const segment = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `Basic base64(id:password)`; the identity may itself contain ':' so split after it. */
function parseBasicAuth(header: string | undefined, identity: string): { user: string; password: string } | undefined {
  if (!header || !/^Basic\s+/i.test(header)) return undefined;
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
  if (decoded.startsWith(`${identity}:`)) return { user: identity, password: decoded.slice(identity.length + 1) };
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function refuse(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const statusText = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = `${reason}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${statusText}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
