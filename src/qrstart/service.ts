import { and, desc, eq, inArray } from 'drizzle-orm';
import type { BillingService } from '../billing';
import { evsesOf, type ChargerService, type EvseView } from '../chargers';
import type { Db } from '../db';
import { schema } from '../db';
import type { DriverRow } from '../drivers';
import type { Ledger } from '../ledger';
import type { SessionHooks, SessionRepository, SessionRow } from '../sessions';
import type { SettingsService } from '../settings';
import { AppError, assert, conflict, notFound, nowIso, type AmountMinor } from '../shared';
import type { TariffService } from '../tariffs';
import { QR_START_ACTIVE_STATUSES } from '../db/schema/qrstart';
import type { StartHoldService } from './holds';

export type QrStartRow = typeof schema.qrStarts.$inferSelect;
export type QrStartStatus = QrStartRow['status'];

/** CONTRACT QR start: no answer within the command timeout (30 s) or no transaction within 120 s of accepting releases the hold. */
export interface QrStartTimeouts {
  commandTimeoutMs: number;
  plugInTimeoutMs: number;
}
const DEFAULT_QR_START_TIMEOUTS: QrStartTimeouts = { commandTimeoutMs: 30_000, plugInTimeoutMs: 120_000 };

/** The two OCPP commands the QR start needs, in version-neutral words (CommandService in the app). */
export interface StartStopCommands {
  remoteStart(chargerId: string, connectorId: number, idTag: string, timeoutMs: number): Promise<{ accepted: boolean; response: Record<string, unknown> }>;
  remoteStop(session: { chargerId: string; transactionId: string | null }, timeoutMs: number): Promise<{ accepted: boolean }>;
}

interface QrStartDependencies {
  db: Db;
  ledger: Ledger;
  holds: StartHoldService;
  billing: BillingService;
  tariffs: TariffService;
  chargers: ChargerService;
  sessions: SessionRepository;
  settings: SettingsService;
  commands: StartStopCommands;
  timeouts?: Partial<QrStartTimeouts> | undefined;
  onError: (error: unknown, context: string) => void;
}

/** Why a connector cannot be started from its QR page now; each has a message on the page (and is the code of its 409). */
export const START_REFUSALS = ['charger_offline', 'connector_unavailable', 'connector_occupied', 'no_tariff', 'balance_below_minimum', 'driver_busy'] as const;
type StartRefusal = (typeof START_REFUSALS)[number];

/** Connector states in which a car is charging or the connector is spoken for (1.6 and 2.0.1 words). */
const OCCUPIED_STATUSES = new Set(['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved']);
const UNAVAILABLE_STATUSES = new Set(['Unavailable', 'Faulted']);
const ACTIVE: readonly QrStartStatus[] = QR_START_ACTIVE_STATUSES;

/** What the driver's page shows of one start: the hold, the session so far, and the receipt at the end. */
interface QrStartView {
  start: QrStartRow;
  session: SessionRow | undefined;
  energyWh: number;
  durationS: number;
  runningCostMinor: number;
  leftOfHoldMinor: number;
  /** At the end: what the session cost, how much of it the hold paid, and what went back to the balance. */
  receipt: { costMinor: number; chargedFromHoldMinor: number; releasedMinor: number; stopReason: string | null } | undefined;
  active: boolean;
}

/**
 * The QR start (CONTRACT "Web pages"): the driver's chosen amount is held on their
 * balance first; only once that hold is committed is the remote start sent with the driver's
 * idTag. A refusal, no answer in time, or no transaction after accepting releases the hold. The
 * session that follows takes the hold (billing attaches it), is stopped remotely when its running
 * cost reaches it (billing), and posts only its cost from it at the end.
 */
export class QrStartService {
  private readonly timeouts: QrStartTimeouts;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  /** Prepared once: it runs inside every StopTransaction's write. */
  private readonly completeOfSession;

  constructor(private readonly deps: QrStartDependencies) {
    this.timeouts = { ...DEFAULT_QR_START_TIMEOUTS, ...deps.timeouts };
    this.completeOfSession = deps.db.prepare("UPDATE qr_starts SET status = 'completed', updated_at = @updatedAt WHERE session_id = @sessionId AND status = 'charging'");
  }

  /** Session hooks; they run after billing's, which attaches the driver's hold to the new session. */
  hooks(): SessionHooks {
    return {
      onStarted: (session) => this.onSessionStarted(session),
      onCompleted: (session) => this.onSessionCompleted(session),
    };
  }

  // ---- reading ---------------------------------------------------------------------------------

  /**
   * The charger and connector of a QR URL; 404 for an unknown one. A 2.0.1 QR code names an EVSE:
   * its status is its connectors' together (busy while one of them is in use, issue 14).
   */
  connector(chargerId: string, connectorId: number): { charger: NonNullable<ReturnType<ChargerService['view']>>; connector: EvseView } {
    const charger = this.deps.chargers.view(chargerId);
    if (!charger || charger.registration !== 'accepted') throw notFound('Charger', chargerId);
    const connector = evsesOf(charger.connectors).find((candidate) => candidate.connectorId === connectorId);
    if (!connector || connectorId < 1) throw notFound('Connector', `${chargerId}/${connectorId}`);
    return { charger, connector };
  }

  /** Why this connector cannot be started by this driver now, or undefined when it can. */
  refusalFor(chargerId: string, connectorId: number, user: DriverRow | undefined): StartRefusal | undefined {
    const { charger, connector } = this.connector(chargerId, connectorId);
    // The driver's own start (here or elsewhere) first: the page then leads them back to it.
    if (user && this.activeStartOf(user.id)) return 'driver_busy';
    if (!charger.connected) return 'charger_offline';
    if (UNAVAILABLE_STATUSES.has(connector.status)) return 'connector_unavailable';
    if (OCCUPIED_STATUSES.has(connector.status) || this.connectorBusy(chargerId, connectorId)) return 'connector_occupied';
    if (this.deps.tariffs.versionInForce(chargerId) === null) return 'no_tariff';
    if (!user) return undefined;
    const { balanceMinor, availableMinor } = this.deps.ledger.balance(user.accountId);
    if (balanceMinor < 0 || availableMinor <= this.deps.settings.get().minimumBalanceMinor) return 'balance_below_minimum';
    return undefined;
  }

  /** What the driver may hold now ("up to my balance"). */
  availableMinor(user: DriverRow): AmountMinor {
    return Math.max(0, this.deps.ledger.balance(user.accountId).availableMinor);
  }

  get(id: number): QrStartRow | undefined {
    return this.deps.db.orm.select().from(schema.qrStarts).where(eq(schema.qrStarts.id, id)).get();
  }

  byFormKey(formKey: string): QrStartRow | undefined {
    return this.deps.db.orm.select().from(schema.qrStarts).where(eq(schema.qrStarts.formKey, formKey)).get();
  }

  /** The driver's start that is still starting or charging, if any (the page sends them back to it). */
  activeStartOf(userId: number): QrStartRow | undefined {
    return this.deps.db.orm
      .select()
      .from(schema.qrStarts)
      .where(and(eq(schema.qrStarts.userId, userId), inArray(schema.qrStarts.status, [...ACTIVE])))
      .orderBy(desc(schema.qrStarts.id))
      .get();
  }

  view(start: QrStartRow): QrStartView {
    const session = start.sessionId !== null ? this.deps.sessions.byId(start.sessionId) : undefined;
    const lastWh = session ? (session.meterStopWh ?? session.lastMeterWh ?? session.meterStartWh) : 0;
    const energyWh = session ? Math.max(0, lastWh - session.meterStartWh) : 0;
    const endMs = session?.stoppedAt ? Date.parse(session.stoppedAt) : Date.now();
    const durationS = session ? Math.max(0, Math.round((endMs - Date.parse(session.startedAt)) / 1000)) : 0;
    const runningCostMinor = session ? (session.status === 'completed' ? session.costMinor ?? 0 : this.deps.billing.runningCostOf(session.id) ?? 0) : 0;
    let receipt: QrStartView['receipt'];
    if (session?.status === 'completed' && session.costMinor !== null) {
      const chargedFromHoldMinor = Math.min(session.costMinor, start.amountMinor);
      receipt = { costMinor: session.costMinor, chargedFromHoldMinor, releasedMinor: start.amountMinor - chargedFromHoldMinor, stopReason: session.stopReason };
    }
    return {
      start,
      session,
      energyWh,
      durationS,
      runningCostMinor,
      leftOfHoldMinor: Math.max(0, start.amountMinor - runningCostMinor),
      receipt,
      active: (ACTIVE as readonly string[]).includes(start.status),
    };
  }

  // ---- starting --------------------------------------------------------------------------------

  /**
   * Holds the amount and, once the hold is committed, sends the remote start (in the background;
   * the page follows the outcome). The same form key returns the first start and sends nothing
   * again; a second start on a busy connector is 409 connector_occupied.
   */
  async start(input: { formKey: string; user: DriverRow; chargerId: string; connectorId: number; amountMinor: AmountMinor }): Promise<QrStartRow> {
    assert(!this.closed, 'no QR start after close');
    const repeated = this.byFormKey(input.formKey);
    if (repeated) return this.sameDriver(repeated, input.user.id);
    const refusal = this.refusalFor(input.chargerId, input.connectorId, input.user);
    if (refusal) throw refusalError(refusal);
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 1) throw new AppError('invalid_amount', 'Choose an amount above zero', 400);
    if (input.amountMinor > this.availableMinor(input.user)) throw conflict('insufficient_funds', 'The amount is more than your available balance');

    const { db, holds } = this.deps;
    const created = await db.write((): { row: QrStartRow; fresh: boolean } => {
      // Checked again inside the write: two phones that passed the checks above are serialised here.
      const again = this.byFormKey(input.formKey);
      if (again) return { row: again, fresh: false };
      if (this.connectorBusy(input.chargerId, input.connectorId)) throw refusalError('connector_occupied');
      if (this.activeStartOf(input.user.id)) throw refusalError('driver_busy');
      const hold = holds.placeWithin({ userId: input.user.id, chargerId: input.chargerId, connectorId: input.connectorId, amountMinor: input.amountMinor });
      const now = nowIso();
      const row = db.orm
        .insert(schema.qrStarts)
        .values({
          formKey: input.formKey,
          userId: input.user.id,
          chargerId: input.chargerId,
          connectorId: input.connectorId,
          amountMinor: input.amountMinor,
          holdTransferId: hold.id,
          status: 'starting',
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      return { row, fresh: true };
    });
    if (!created.fresh) return this.sameDriver(created.row, input.user.id);
    this.track(this.sendStart(created.row));
    return created.row;
  }

  /** Stops the driver's running session remotely (RemoteStopTransaction / RequestStopTransaction). */
  async stop(startId: number, userId: number): Promise<boolean> {
    const start = this.get(startId);
    if (!start || start.userId !== userId) throw notFound('QR start', startId);
    const session = start.sessionId !== null ? this.deps.sessions.byId(start.sessionId) : undefined;
    if (!session || session.status !== 'active') return false;
    const result = await this.deps.commands.remoteStop({ chargerId: session.chargerId, transactionId: session.transactionId }, this.timeouts.commandTimeoutMs);
    return result.accepted;
  }

  /** Waits for background sends (tests and shutdown); clears the plug-in timers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * After a restart the timers are gone: a start still waiting for its charger is given what is
   * left of its time (the hold expiry job is the last backstop).
   */
  resumePending(): void {
    const waiting = this.deps.db.orm.select().from(schema.qrStarts).where(inArray(schema.qrStarts.status, ['starting', 'accepted'])).all();
    for (const start of waiting) {
      const from = Date.parse(start.acceptedAt ?? start.createdAt);
      const limitMs = start.acceptedAt ? this.timeouts.plugInTimeoutMs : this.timeouts.commandTimeoutMs;
      this.armTimer(start.id, Math.max(0, from + limitMs - Date.now()), start.acceptedAt ? 'not_plugged_in' : 'no_answer');
    }
  }

  private async sendStart(start: QrStartRow): Promise<void> {
    let accepted: boolean;
    let answer: string;
    try {
      const idTag = this.deps.holds.idTagOf(start.holdTransferId);
      assert(idTag !== undefined, 'a QR start hold has its idTag');
      const result = await this.deps.commands.remoteStart(start.chargerId, start.connectorId, idTag, this.timeouts.commandTimeoutMs);
      accepted = result.accepted;
      answer = String(result.response.status ?? 'no status');
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'internal_error';
      if (!(error instanceof AppError)) this.deps.onError(error, `remote start of QR start ${start.id}`);
      await this.finish(start.id, ['starting'], code === 'charger_timeout' ? 'no_answer' : 'failed', code);
      return;
    }
    if (!accepted) {
      await this.finish(start.id, ['starting'], 'refused', answer);
      return;
    }
    const marked = await this.deps.db.write(() =>
      this.deps.db.orm
        .update(schema.qrStarts)
        .set({ status: 'accepted', acceptedAt: nowIso(), updatedAt: nowIso() })
        .where(and(eq(schema.qrStarts.id, start.id), eq(schema.qrStarts.status, 'starting')))
        .run(),
    );
    // A charger may send StartTransaction before its answer: then the start is already charging.
    if (marked.changes === 1) this.armTimer(start.id, this.timeouts.plugInTimeoutMs, 'not_plugged_in');
  }

  private armTimer(startId: number, delayMs: number, outcome: 'no_answer' | 'not_plugged_in'): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(startId);
      this.track(this.finish(startId, outcome === 'no_answer' ? ['starting'] : ['accepted'], outcome, outcome));
    }, delayMs);
    timer.unref();
    this.timers.set(startId, timer);
  }

  /**
   * Ends a start that never became a session and releases its hold, in one write. It only acts
   * from the given states: a session that took the hold meanwhile (same write queue) wins.
   */
  private async finish(startId: number, from: QrStartStatus[], status: QrStartStatus, reason: string): Promise<void> {
    const timer = this.timers.get(startId);
    if (timer) clearTimeout(timer);
    this.timers.delete(startId);
    try {
      await this.deps.db.write(() => {
        const start = this.get(startId);
        if (!start || !from.includes(start.status)) return;
        if (this.deps.ledger.isHoldOpen(start.holdTransferId)) this.deps.ledger.voidHold(start.holdTransferId, `QR start ${status}: ${reason}`);
        this.deps.db.orm.update(schema.qrStarts).set({ status, reason, updatedAt: nowIso() }).where(eq(schema.qrStarts.id, startId)).run();
      });
    } catch (error) {
      this.deps.onError(error, `release of QR start ${startId}`);
    }
  }

  /** Inside the StartTransaction's transaction, after billing attached the hold to the session. */
  private onSessionStarted(session: SessionRow): void {
    const holdTransferId = this.deps.billing.billing(session.id)?.holdTransferId;
    if (holdTransferId == null) return;
    const { db } = this.deps;
    const changed = db.orm
      .update(schema.qrStarts)
      .set({ status: 'charging', sessionId: session.id, updatedAt: nowIso() })
      .where(and(eq(schema.qrStarts.holdTransferId, holdTransferId), inArray(schema.qrStarts.status, ['starting', 'accepted'])))
      .returning({ id: schema.qrStarts.id })
      .get();
    if (changed) {
      const timer = this.timers.get(changed.id);
      if (timer) clearTimeout(timer);
      this.timers.delete(changed.id);
    }
  }

  /** Inside the stop's transaction (after billing posted the hold): the start is over. */
  private onSessionCompleted(session: SessionRow): void {
    this.completeOfSession.run({ sessionId: session.id, updatedAt: nowIso() });
  }

  private connectorBusy(chargerId: string, connectorId: number): boolean {
    const qrBusy = this.deps.db.orm
      .select({ id: schema.qrStarts.id })
      .from(schema.qrStarts)
      .where(and(eq(schema.qrStarts.chargerId, chargerId), eq(schema.qrStarts.connectorId, connectorId), inArray(schema.qrStarts.status, [...ACTIVE])))
      .get();
    return qrBusy !== undefined || this.deps.sessions.active(chargerId).some((session) => session.connectorId === connectorId);
  }

  private sameDriver(start: QrStartRow, userId: number): QrStartRow {
    if (start.userId !== userId) throw conflict('idempotency_key_reused', 'This start form belongs to another driver');
    return start;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}

/** The 409 a refusal answers (its code is the refusal); the QR start and a walk-in payment refuse alike. */
export function refusalError(refusal: StartRefusal): AppError {
  return conflict(refusal, `The connector cannot be started: ${refusal.replace(/_/g, ' ')}`);
}
