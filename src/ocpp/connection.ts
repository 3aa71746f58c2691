import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { errorCodeFor, OcppCallError, OcppError, type OcppErrorKind, type OcppVersion } from './errors';
import type { SchemaValidator } from './schemas';

const MESSAGE_TYPE = { CALL: 2, CALLRESULT: 3, CALLERROR: 4 } as const;

/** Limits per connection (TigerBeetle style: every queue and message has a bound). */
export interface ConnectionLimits {
  /** Charger CALLs being processed at once before we stop reading its socket (backpressure). */
  maxInboundInFlight: number;
  /** Beyond this many unanswered CALLs the extra ones are refused with a CALLERROR. */
  maxInboundHard: number;
  /** Our CALLs waiting for their turn (OCPP-J: one outstanding CALL per direction). */
  maxOutboundQueue: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = { maxInboundInFlight: 4, maxInboundHard: 32, maxOutboundQueue: 20 };

/** What a version adapter does with a charger's CALL: returns the CALLRESULT payload or throws OcppError. */
export type InboundDispatcher = (connection: OcppConnection, action: string, payload: Record<string, unknown>) => Promise<object>;

/**
 * What every connection of one OCPP version shares, made once by the server: a connection keeps
 * one reference to it instead of a copy of each part (issue 17: memory per connected charger).
 */
export interface ConnectionEndpoint {
  validator: SchemaValidator;
  dispatch: InboundDispatcher;
  /** The parent of each connection's logger. */
  logger: Logger;
  /** Every frame in and out, for the message log (and the charger's last-seen time). */
  logFrame(chargerId: string, direction: 'in' | 'out', messageTypeId: number, messageId: string | null, action: string | null, frame: string): void;
  /** The socket closed (whoever closed it); called after the connection failed its waiting calls. */
  closed(connection: OcppConnection, code: number): void;
  limits: ConnectionLimits;
  /** Actions the CSMS may receive from a charger in this version (others are NotSupported). */
  inboundActions: ReadonlySet<string>;
}

interface OutboundCall {
  messageId: string;
  action: string;
  payload: object;
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

export class ChargerTimeoutError extends Error {
  constructor(action: string) {
    super(`The charger did not answer ${action} in time`);
    this.name = 'ChargerTimeoutError';
  }
}

export class ChargerOfflineError extends Error {
  constructor(chargerId: string) {
    super(`Charger ${chargerId} is not connected`);
    this.name = 'ChargerOfflineError';
  }
}

export class QueueFullError extends Error {
  constructor() {
    super('Too many commands are waiting for this charger');
    this.name = 'QueueFullError';
  }
}

/** A CALLRESULT that does not match the action's official schema. */
export class InvalidResponseError extends Error {
  constructor(
    action: string,
    readonly response: unknown,
    reason: string,
  ) {
    super(`The charger's answer to ${action} does not match the OCPP schema: ${reason}`);
    this.name = 'InvalidResponseError';
  }
}

/**
 * One charger's OCPP-J connection: framing, schema validation of every CALL, dispatch to the
 * version adapter, CALLERRORs for bad frames (the connection stays up), and our own CALLs to
 * the charger one at a time with a bounded queue and deadlines.
 */
export class OcppConnection {
  private inboundInFlight = 0;
  private paused = false;
  /** Made when a second call waits (most connections never have one), not for every charger. */
  private outboundQueue: OutboundCall[] | undefined;
  private outstanding: OutboundCall | undefined;
  private closed = false;
  private childLogger: Logger | undefined;
  /** Cleared at each ping, set by the pong: the server's sweep drops a connection still false. */
  alive = true;

  constructor(
    readonly chargerId: string,
    readonly version: OcppVersion,
    private readonly socket: WebSocket,
    private readonly endpoint: ConnectionEndpoint,
  ) {
    (socket as SocketOfConnection)[CONNECTION] = this;
    // The same four functions for every socket, each finding its connection on the socket: four
    // closures and their context per charger would be ~300 bytes each of thousands (issue 17).
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  /**
   * This charger's logger (every entry names it), made the first time something is logged: a
   * pino child per connection is a few hundred bytes that most connections never use.
   */
  get logger(): Logger {
    this.childLogger ??= this.endpoint.logger.child({ chargerId: this.chargerId });
    return this.childLogger;
  }

  private logFrame(direction: 'in' | 'out', messageTypeId: number, messageId: string | null, action: string | null, frame: string): void {
    this.endpoint.logFrame(this.chargerId, direction, messageTypeId, messageId, action, frame);
  }

  handleFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const text = isBinary ? null : data.toString();
    if (text === null) {
      this.sendError('-1', 'UnparsableFrame', 'OCPP-J frames are text, not binary');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.logFrame('in', 0, null, null, text);
      this.sendError('-1', 'UnparsableFrame', 'The frame is not valid JSON');
      return;
    }
    if (!Array.isArray(message) || message.length < 3) {
      this.logFrame('in', 0, null, null, text);
      this.sendError(readableId(message), 'MalformedRpcMessage', 'An OCPP-J message is a JSON array [type, id, ...]');
      return;
    }
    const messageTypeId = message[0];
    const messageId = message[1];
    if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > 36) {
      this.logFrame('in', typeof messageTypeId === 'number' ? messageTypeId : 0, null, null, text);
      this.sendError('-1', 'MalformedRpcMessage', 'The message id must be a string of 1 to 36 characters');
      return;
    }
    if (messageTypeId === MESSAGE_TYPE.CALL) {
      this.handleCall(message, messageId, text);
    } else if (messageTypeId === MESSAGE_TYPE.CALLRESULT || messageTypeId === MESSAGE_TYPE.CALLERROR) {
      this.logFrame('in', messageTypeId, messageId, this.outstanding?.messageId === messageId ? this.outstanding.action : null, text);
      this.handleAnswer(message, messageTypeId, messageId);
    } else {
      this.logFrame('in', typeof messageTypeId === 'number' ? messageTypeId : 0, messageId, null, text);
      this.sendError(messageId, 'MessageTypeNotSupported', `Unknown message type ${JSON.stringify(messageTypeId)}`);
    }
  }

  private handleCall(message: unknown[], messageId: string, text: string): void {
    const action = message[2];
    if (typeof action !== 'string') {
      this.logFrame('in', 2, messageId, null, text);
      this.sendError(messageId, 'MalformedRpcMessage', 'A CALL names its action as a string');
      return;
    }
    this.logFrame('in', 2, messageId, action, text);
    if (message.length !== 4) {
      this.sendError(messageId, 'MalformedRpcMessage', 'A CALL is [2, messageId, action, payload]');
      return;
    }
    const { validator, limits } = this.endpoint;
    if (!validator.has(action)) {
      this.sendError(messageId, 'NotImplemented', `Unknown action ${action}`);
      return;
    }
    if (!this.endpoint.inboundActions.has(action)) {
      this.sendError(messageId, 'NotSupported', `${action} is not sent by a charge point`);
      return;
    }
    const payload = message[3];
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      this.sendError(messageId, 'TypeConstraintViolation', 'The payload of a CALL is a JSON object');
      return;
    }
    try {
      validator.validate(action, 'req', payload);
    } catch (error) {
      const ocppError = error as OcppError;
      this.sendError(messageId, ocppError.kind, ocppError.message, ocppError.details);
      return;
    }
    if (this.inboundInFlight >= limits.maxInboundHard) {
      // A charger flooding CALLs without waiting for answers (OCPP-J forbids it) is refused
      // rather than allowed to fill memory or delay the others.
      this.sendError(messageId, 'GenericError', 'Too many CALLs without waiting for answers');
      return;
    }
    this.inboundInFlight++;
    if (this.inboundInFlight >= limits.maxInboundInFlight && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.endpoint.dispatch(this, action, payload as Record<string, unknown>).then(
      (response) => {
        this.finishInbound();
        this.send([MESSAGE_TYPE.CALLRESULT, messageId, response], 3, messageId, action);
      },
      (error: unknown) => {
        this.finishInbound();
        if (error instanceof OcppError) {
          this.sendError(messageId, error.kind, error.message, error.details);
        } else {
          this.logger.error({ err: error, action }, 'handler failed');
          this.sendError(messageId, 'InternalError', 'The CSMS could not process the message; retry later');
        }
      },
    );
  }

  private finishInbound(): void {
    this.inboundInFlight--;
    if (this.paused && this.inboundInFlight < this.endpoint.limits.maxInboundInFlight) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private handleAnswer(message: unknown[], messageTypeId: number, messageId: string): void {
    const call = this.outstanding;
    if (!call || call.messageId !== messageId) {
      // OCPP-J: an answer to no outstanding CALL (e.g. after our timeout) is ignored.
      this.logger.debug({ messageId }, 'answer to no outstanding call ignored');
      return;
    }
    this.outstanding = undefined;
    clearTimeout(call.timer);
    if (messageTypeId === MESSAGE_TYPE.CALLRESULT) {
      const payload = message[2];
      try {
        this.endpoint.validator.validate(call.action, 'conf', payload);
        call.resolve(payload as Record<string, unknown>);
      } catch (error) {
        call.reject(new InvalidResponseError(call.action, payload, (error as Error).message));
      }
    } else {
      const [, , errorCode, errorDescription, errorDetails] = message;
      call.reject(new OcppCallError(String(errorCode), typeof errorDescription === 'string' ? errorDescription : '', errorDetails ?? {}));
    }
    this.sendNextCall();
  }

  /**
   * Sends a CALL to the charger. The payload must already be valid (callers validate with the
   * same schemas first). The deadline counts from now, time queued behind other calls included.
   */
  call(action: string, payload: object, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new ChargerOfflineError(this.chargerId));
    const queue = (this.outboundQueue ??= []);
    if (queue.length >= this.endpoint.limits.maxOutboundQueue) return Promise.reject(new QueueFullError());
    return new Promise((resolve, reject) => {
      const call: OutboundCall = { messageId: crypto.randomUUID(), action, payload, resolve, reject };
      call.timer = setTimeout(() => this.expire(call), timeoutMs);
      queue.push(call);
      if (!this.outstanding) this.sendNextCall();
    });
  }

  private expire(call: OutboundCall): void {
    if (this.outstanding === call) {
      this.outstanding = undefined;
      this.sendNextCall();
    } else {
      const index = this.outboundQueue?.indexOf(call) ?? -1;
      if (index >= 0) this.outboundQueue!.splice(index, 1);
    }
    call.reject(new ChargerTimeoutError(call.action));
  }

  private sendNextCall(): void {
    const call = this.outboundQueue?.shift();
    if (!call) return;
    this.outstanding = call;
    this.send([MESSAGE_TYPE.CALL, call.messageId, call.action, call.payload], 2, call.messageId, call.action);
  }

  private sendError(messageId: string, kind: OcppErrorKind, description: string, details: Record<string, unknown> = {}): void {
    this.send(
      [MESSAGE_TYPE.CALLERROR, messageId, errorCodeFor(this.version, kind), description.slice(0, 255), details],
      4,
      messageId,
      null,
    );
  }

  private send(message: unknown[], messageTypeId: number, messageId: string, action: string | null): void {
    if (this.closed) return;
    const frame = JSON.stringify(message);
    this.logFrame('out', messageTypeId, messageId, action, frame);
    this.socket.send(frame);
  }

  /** Fails every waiting call (the socket closed). */
  handleClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const waiting = [...(this.outstanding ? [this.outstanding] : []), ...(this.outboundQueue?.splice(0) ?? [])];
    this.outstanding = undefined;
    for (const call of waiting) {
      clearTimeout(call.timer);
      call.reject(new ChargerOfflineError(this.chargerId));
    }
  }

  /** The socket closed, whoever closed it: the waiting calls fail, then the server hears of it. */
  handleSocketClosed(code: number): void {
    this.handleClosed();
    this.endpoint.closed(this, code);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  onceClosed(listener: () => void): void {
    if (this.socket.readyState === this.socket.CLOSED) listener();
    else this.socket.once('close', listener);
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(): void {
    this.socket.ping();
  }
}

const CONNECTION = Symbol('OcppConnection');

/** A charger's socket carries its connection, as ws's own parts carry their WebSocket. */
type SocketOfConnection = WebSocket & { [CONNECTION]: OcppConnection };

function connectionOf(socket: WebSocket): OcppConnection {
  return (socket as SocketOfConnection)[CONNECTION];
}

function onSocketMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  connectionOf(this).handleFrame(data, isBinary);
}

function onSocketPong(this: WebSocket): void {
  connectionOf(this).alive = true;
}

function onSocketError(this: WebSocket, error: Error): void {
  connectionOf(this).logger.warn({ err: error }, 'charger socket error');
}

function onSocketClose(this: WebSocket, code: number): void {
  connectionOf(this).handleSocketClosed(code);
}

function readableId(message: unknown): string {
  return Array.isArray(message) && typeof message[1] === 'string' && message[1].length <= 36 ? message[1] : '-1';
}
