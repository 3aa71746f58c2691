import WebSocket from 'ws';

export interface SimulatorOptions {
  /** Base OCPP URL, e.g. ws://127.0.0.1:PORT/ocpp/ */
  url: string;
  id: string;
  protocols?: string[];
  password?: string;
  /** Milliseconds to wait for each answer of the CSMS. */
  callTimeoutMs?: number;
}

export class CallErrorReply extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorDescription: string,
    readonly errorDetails: unknown,
    readonly messageId: string,
  ) {
    super(`CALLERROR ${errorCode}: ${errorDescription}`);
    this.name = 'CallErrorReply';
  }
}

/** A CSMS-initiated CALL as the simulated charger saw it. */
export interface IncomingCall {
  messageId: string;
  action: string;
  payload: Record<string, any>;
}

type CallHandler = (call: IncomingCall) => Record<string, unknown> | Promise<Record<string, unknown>> | 'no-answer';

/**
 * A simulated charge point over a real WebSocket, shared by the tests and the benchmark. It
 * waits for each answer before its next CALL unless told otherwise, and answers the CSMS's CALLs
 * through handlers (by default each action is answered as a cooperative charger would).
 */
export class SimulatedCharger {
  ws!: WebSocket;
  readonly received: IncomingCall[] = [];
  private readonly waiting = new Map<string, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, CallHandler>();
  private readonly rawListeners: ((frame: unknown) => void)[] = [];
  private counter = 0;
  /** The next TransactionEvent seqNo (2.0.1). */
  seqNo = 0;
  closeCode: number | undefined;
  protocol = '';

  constructor(readonly options: SimulatorOptions) {}

  get id(): string {
    return this.options.id;
  }

  /** Opens the connection; rejects with the HTTP status when the upgrade is refused. */
  connect(): Promise<this> {
    const url = `${this.options.url.replace(/\/?$/, '/')}${encodeURIComponent(this.options.id)}`;
    const headers: Record<string, string> = {};
    if (this.options.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${this.options.id}:${this.options.password}`).toString('base64')}`;
    }
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, this.options.protocols ?? ['ocpp1.6'], { headers, perMessageDeflate: false, rejectUnauthorized: false });
      this.ws = ws;
      ws.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`upgrade refused with HTTP ${response.statusCode}`), { statusCode: response.statusCode }));
        response.resume();
      });
      ws.once('error', reject);
      ws.once('open', () => {
        this.protocol = ws.protocol;
        ws.off('error', reject);
        ws.on('error', () => undefined);
        resolve(this);
      });
      ws.on('message', (data) => this.onMessage(data.toString()));
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const pending of this.waiting.values()) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`connection closed (${code})`));
        }
        this.waiting.clear();
      });
    });
  }

  /** Answers CSMS CALLs of `action` with `handler` (return 'no-answer' to stay silent). */
  handle(action: string, handler: CallHandler): this {
    this.handlers.set(action, handler);
    return this;
  }

  onRaw(listener: (frame: unknown) => void): void {
    this.rawListeners.push(listener);
  }

  private onMessage(text: string): void {
    const frame = JSON.parse(text) as unknown[];
    for (const listener of this.rawListeners) listener(frame);
    const [type, messageId] = frame as [number, string];
    if (type === 2) {
      const call: IncomingCall = { messageId, action: frame[2] as string, payload: frame[3] as Record<string, any> };
      this.received.push(call);
      void this.answer(call);
      return;
    }
    const pending = this.waiting.get(messageId);
    if (!pending) return;
    this.waiting.delete(messageId);
    clearTimeout(pending.timer);
    if (type === 3) pending.resolve(frame[2]);
    else pending.reject(new CallErrorReply(frame[2] as string, frame[3] as string, frame[4], messageId));
  }

  private async answer(call: IncomingCall): Promise<void> {
    const handler = this.handlers.get(call.action) ?? defaultAnswer;
    const result = await handler(call);
    if (result === 'no-answer' || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify([3, call.messageId, result]));
  }

  /** Sends a CALL and resolves with the CALLRESULT payload (rejects with CallErrorReply). */
  call<T = Record<string, any>>(action: string, payload: object, messageId = this.nextId()): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId);
        reject(new Error(`no answer to ${action} within ${this.options.callTimeoutMs ?? 10000} ms`));
      }, this.options.callTimeoutMs ?? 10000);
      // A test that ends with a CALL unanswered (its charger closed) must not keep the jest worker alive.
      timer.unref();
      this.waiting.set(messageId, { resolve, reject, timer });
      this.ws.send(JSON.stringify([2, messageId, action, payload]));
    });
  }

  /** Sends any text and resolves with the next frame whose id matches (or the next frame at all). */
  sendRaw(text: string, expectId?: string): Promise<unknown[]> {
    return new Promise((resolve) => {
      const listener = (frame: unknown) => {
        const array = frame as unknown[];
        if (expectId !== undefined && array[1] !== expectId) return;
        this.rawListeners.splice(this.rawListeners.indexOf(listener), 1);
        resolve(array);
      };
      this.rawListeners.push(listener);
      this.ws.send(text);
    });
  }

  nextId(): string {
    return `${this.options.id}-${++this.counter}`;
  }

  // ---- OCPP 1.6 conveniences ---------------------------------------------------------------

  get isV201(): boolean {
    return this.protocol === 'ocpp2.0.1';
  }

  /** BootNotification in the connection's version; `extra` goes into chargingStation for 2.0.1. */
  boot(extra: Record<string, unknown> = {}) {
    if (this.isV201) {
      return this.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'SimVendor', model: 'SimModel', ...extra } });
    }
    return this.call('BootNotification', { chargePointVendor: 'SimVendor', chargePointModel: 'SimModel', ...extra });
  }

  heartbeat() {
    return this.call('Heartbeat', {});
  }

  status(connectorId: number, status: string, errorCode = 'NoError') {
    return this.call('StatusNotification', { connectorId, status, errorCode, timestamp: new Date().toISOString() });
  }

  /** Authorize in the connection's version (2.0.1: an ISO14443 idToken). */
  authorize(idTag: string) {
    if (this.isV201) return this.call('Authorize', { idToken: { idToken: idTag, type: 'ISO14443' } });
    return this.call('Authorize', { idTag });
  }

  startTransaction(connectorId: number, idTag: string, meterStart: number, timestamp = new Date().toISOString()) {
    return this.call<{ transactionId: number; idTagInfo: { status: string } }>('StartTransaction', { connectorId, idTag, meterStart, timestamp });
  }

  meterValues(connectorId: number, transactionId: number, energyWh: number, timestamp = new Date().toISOString()) {
    return this.call('MeterValues', {
      connectorId,
      transactionId,
      meterValue: [
        {
          timestamp,
          sampledValue: [
            { value: String(energyWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
            { value: '7200', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
          ],
        },
      ],
    });
  }

  stopTransaction(transactionId: number, meterStop: number, extra: Record<string, unknown> = {}, timestamp = new Date().toISOString()) {
    return this.call<{ idTagInfo?: { status: string } }>('StopTransaction', { transactionId, meterStop, timestamp, ...extra });
  }

  // ---- OCPP 2.0.1 conveniences -------------------------------------------------------------

  statusNotification201(evseId: number, connectorStatus: string, connectorId = 1, timestamp = new Date().toISOString()) {
    return this.call('StatusNotification', { timestamp, connectorStatus, evseId, connectorId });
  }

  /** A TransactionEvent; seqNo counts per charger unless given (E01: seqNo increments per event). */
  transactionEvent(event: TransactionEvent201) {
    const payload: Record<string, unknown> = {
      eventType: event.eventType,
      timestamp: event.timestamp ?? new Date().toISOString(),
      triggerReason: event.triggerReason ?? defaultTriggerReason(event.eventType),
      seqNo: event.seqNo ?? this.seqNo++,
      transactionInfo: {
        transactionId: event.transactionId,
        ...(event.chargingState ? { chargingState: event.chargingState } : {}),
        ...(event.stoppedReason ? { stoppedReason: event.stoppedReason } : {}),
        ...(event.remoteStartId !== undefined ? { remoteStartId: event.remoteStartId } : {}),
      },
      ...(event.offline ? { offline: true } : {}),
      ...(event.evseId !== undefined ? { evse: { id: event.evseId, connectorId: event.evseConnectorId ?? 1 } } : {}),
      ...(event.idTag !== undefined ? { idToken: { idToken: event.idTag, type: event.idTokenType ?? 'ISO14443' } } : {}),
      ...(event.energyWh !== undefined
        ? {
            meterValue: [
              {
                timestamp: event.timestamp ?? new Date().toISOString(),
                sampledValue: [
                  { value: event.energyWh, measurand: 'Energy.Active.Import.Register', context: contextOf(event.eventType), unitOfMeasure: { unit: 'Wh' } },
                  { value: 7200, measurand: 'Power.Active.Import', context: contextOf(event.eventType), unitOfMeasure: { unit: 'W' } },
                ],
              },
            ],
          }
        : {}),
    };
    return this.call<{ idTokenInfo?: { status: string }; totalCost?: number }>('TransactionEvent', payload);
  }

  /** Resolves when the CSMS has sent a CALL of `action` (already received or still to come). */
  waitForCall(action: string, timeoutMs = 10000, after = 0): Promise<IncomingCall> {
    const seen = this.received.slice(after).find((call) => call.action === action);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${action} from the CSMS within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      const listener = (frame: unknown) => {
        const array = frame as unknown[];
        if (array[0] === 2 && array[2] === action) {
          clearTimeout(timer);
          this.rawListeners.splice(this.rawListeners.indexOf(listener), 1);
          resolve({ messageId: array[1] as string, action, payload: array[3] as Record<string, any> });
        }
      };
      this.rawListeners.push(listener);
    });
  }

  close(code = 1000): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close(code);
      setTimeout(() => {
        this.ws.terminate();
      }, 2000).unref();
    });
  }

  waitClosed(timeoutMs = 10000): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve(this.closeCode ?? 1006);
      const timer = setTimeout(() => reject(new Error('still open')), timeoutMs);
      timer.unref();
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }
}

/** A cooperative charger: accepts what it is asked to do. */
function defaultAnswer(call: IncomingCall): Record<string, unknown> {
  switch (call.action) {
    case 'GetConfiguration':
      return { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: [] };
    case 'DataTransfer':
      return { status: 'Accepted' };
    case 'GetDiagnostics':
      return { fileName: 'diagnostics.log' };
    case 'GetLocalListVersion':
      return { listVersion: 0 };
    case 'GetCompositeSchedule':
      return { status: 'Rejected' };
    case 'TriggerMessage':
    case 'ChangeConfiguration':
    case 'ChangeAvailability':
    case 'ClearCache':
    case 'RemoteStartTransaction':
    case 'RemoteStopTransaction':
    case 'Reset':
    case 'CancelReservation':
    case 'ReserveNow':
    case 'SendLocalList':
    case 'SetChargingProfile':
    case 'ClearChargingProfile':
      return { status: 'Accepted' };
    case 'UnlockConnector':
      return { status: 'Unlocked' };
    case 'UpdateFirmware':
      return {};
    // OCPP 2.0.1 CSMS-initiated actions
    case 'RequestStartTransaction':
    case 'RequestStopTransaction':
    case 'GetBaseReport':
    case 'GetReport':
    case 'SetNetworkProfile':
      return { status: 'Accepted' };
    case 'GetVariables':
      return {
        getVariableResult: ((call.payload.getVariableData ?? []) as { component: unknown; variable: unknown; attributeType?: string }[]).map((data) => ({
          attributeStatus: 'Accepted',
          attributeValue: '300',
          component: data.component,
          variable: data.variable,
          ...(data.attributeType ? { attributeType: data.attributeType } : {}),
        })),
      };
    case 'SetVariables':
      return {
        setVariableResult: ((call.payload.setVariableData ?? []) as { component: unknown; variable: unknown; attributeType?: string }[]).map((data) => ({
          attributeStatus: 'Accepted',
          component: data.component,
          variable: data.variable,
          ...(data.attributeType ? { attributeType: data.attributeType } : {}),
        })),
      };
    case 'CostUpdated':
      return {};
    default:
      return {};
  }
}

/** A 2.0.1 transaction event as the tests describe it; the simulator fills in the rest. */
interface TransactionEvent201 {
  eventType: 'Started' | 'Updated' | 'Ended';
  transactionId: string;
  seqNo?: number;
  timestamp?: string;
  triggerReason?: string;
  evseId?: number;
  /** The connector within the EVSE (sent with evseId); 1 unless given. */
  evseConnectorId?: number;
  idTag?: string;
  idTokenType?: string;
  /** The energy register in Wh, sent as the event's meter value. */
  energyWh?: number;
  chargingState?: string;
  stoppedReason?: string;
  remoteStartId?: number;
  offline?: boolean;
}

function defaultTriggerReason(eventType: TransactionEvent201['eventType']): string {
  return eventType === 'Started' ? 'Authorized' : eventType === 'Updated' ? 'MeterValuePeriodic' : 'StopAuthorized';
}

function contextOf(eventType: TransactionEvent201['eventType']): string {
  return eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Updated' ? 'Sample.Periodic' : 'Transaction.End';
}
