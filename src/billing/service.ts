import type { ChargerRepository } from '../chargers';
import type { Db } from '../db';
import type { AuthorizationDecision, DriverService } from '../drivers';
import type { Ledger } from '../ledger';
import type { SessionHooks, SessionRepository, SessionRow } from '../sessions';
import type { SettingsService } from '../settings';
import { assert, nowIso } from '../shared';
import { pricesOf, sessionCost, type CostBreakdown, type CostInput, type TariffService } from '../tariffs';
import { BillingRepository, type Payer, type SessionBillingRow } from './repository';

/** Sends RemoteStopTransaction (1.6) / RequestStopTransaction (2.0.1); app.ts binds it to the OCPP commands. */
export type RemoteStopRequester = (chargerId: string, transactionId: string, reason: string) => Promise<unknown>;

/** The QR start's holds, as billing needs them: the hold whose idTag started the session becomes the session's. */
interface SessionHoldAttacher {
  attach(holdTransferId: number, sessionId: number): number | null;
}

/** Connector states in which the car is plugged in but not charging (the idle fee's time). */
const IDLE_STATUSES = new Set(['SuspendedEV', 'Finishing']);

const BALANCE_EXHAUSTED = 'balance_exhausted';
/** A charger that missed or refused a remote stop for an exhausted balance is asked again after this. */
const REMOTE_STOP_RETRY_MS = 60_000;

interface BillingOptions {
  db: Db;
  ledger: Ledger;
  tariffs: TariffService;
  drivers: DriverService;
  settings: SettingsService;
  /** The sessions table: billing writes each session's price and reads its meter readings. */
  sessions: SessionRepository;
  /** The connector status history: idle time for the idle fee. */
  chargers: ChargerRepository;
  holds: SessionHoldAttacher;
  requestRemoteStop: RemoteStopRequester;
  onError: (error: unknown, context: string) => void;
}

/**
 * Billing of charging sessions. At start it fixes who pays and the tariff version; at stop, inside
 * the stop's own transaction, it prices the session exactly and posts the charge once (a repeated
 * or late stop never reaches it twice, because the session is completed in that same transaction).
 * While a prepaid session runs it tracks the running cost and stops it remotely at the balance.
 */
export class BillingService {
  /** Running cost per active prepaid session, to share one balance between concurrent sessions. */
  private readonly runningCostMinor = new Map<number, { accountId: number; costMinor: number }>();
  /** Active sessions whose payer is not a prepaid balance (personal cards): nothing to watch. */
  private readonly sessionsThatCannotRunOut = new Set<number>();
  readonly repository: BillingRepository;

  constructor(private readonly options: BillingOptions) {
    this.repository = new BillingRepository(options.db);
  }

  hooks(): SessionHooks {
    return {
      onStarted: (session, decision) => this.onStarted(session, decision),
      onCompleted: (session) => this.onCompleted(session),
      afterMeterValues: (session) => this.afterMeterValues(session),
      afterCompleted: (session) => {
        this.runningCostMinor.delete(session.id);
        this.sessionsThatCannotRunOut.delete(session.id);
      },
    };
  }

  /** The running cost of an active prepaid session as of its last meter values (for CostUpdated). */
  runningCostOf(sessionId: number): number | undefined {
    return this.runningCostMinor.get(sessionId)?.costMinor;
  }

  billing(sessionId: number): SessionBillingRow | undefined {
    return this.repository.bySessionId(sessionId);
  }

  /** Runs inside the StartTransaction's transaction: who pays, with which tariff version. */
  onStarted(session: SessionRow, decision: AuthorizationDecision): void {
    const { tariffs, sessions } = this.options;
    const payer = this.payerOf(decision);
    const version = tariffs.versionInForce(session.chargerId);
    const holdTransferId = decision.startHoldTransferId !== undefined && payer.accountId !== null ? this.options.holds.attach(decision.startHoldTransferId, session.id) : null;
    this.repository.insert({ sessionId: session.id, payer: payer.kind, accountId: payer.accountId, tariffVersionId: version?.id ?? null, holdTransferId });
    if (version) sessions.setTariffVersion(session.id, version.id);
  }

  /** Runs inside the stop's transaction: prices the session and posts the charge, exactly once. */
  onCompleted(session: SessionRow): void {
    const { ledger, tariffs, sessions } = this.options;
    assert(session.status === 'completed' && session.stoppedAt !== null, 'billing runs for a completed session');
    let billing = this.billing(session.id);
    if (!billing) {
      // A session that started before billing was wired: price it with today's tariff, no payer.
      const version = tariffs.versionInForce(session.chargerId);
      this.repository.insert({ sessionId: session.id, payer: 'none', tariffVersionId: version?.id ?? null });
      billing = this.billing(session.id)!;
    }
    if (billing.billedAt !== null) return;
    const now = nowIso();
    const version = billing.tariffVersionId !== null ? tariffs.version(billing.tariffVersionId) : undefined;
    if (!version) {
      // No tariff priced this session (the authorizer refused prepaid cards here): nothing is charged.
      if (billing.holdTransferId !== null && ledger.isHoldOpen(billing.holdTransferId)) {
        ledger.voidHold(billing.holdTransferId, 'session had no tariff');
      }
      this.repository.markBilledWithoutCharge(session.id, now);
      return;
    }
    const breakdown = sessionCost(pricesOf(version), this.costInput(session));
    sessions.setCost(session.id, { costMinor: breakdown.totalMinor, tariffVersionId: version.id, costBreakdownJson: JSON.stringify(breakdown) });
    const charged = billing.payer === 'prepaid' && billing.accountId !== null ? this.charge(session, billing, breakdown) : undefined;
    this.repository.markBilled({
      sessionId: session.id,
      billedAt: now,
      chargeTransferId: charged?.transferId ?? null,
      debtMinor: charged?.debtMinor ?? 0,
    });
  }

  /**
   * Posts the cost: first from the session's QR hold (the rest of the hold released), then from
   * the balance. Energy already delivered is billed even past zero; what the balance went below
   * zero by is the session's debt, which blocks new sessions until paid (CONTRACT "Money rules").
   */
  private charge(session: SessionRow, billing: SessionBillingRow, breakdown: CostBreakdown): { transferId: number | null; debtMinor: number } {
    const { ledger } = this.options;
    const accountId = billing.accountId!;
    const reference = `session:${session.id}`;
    let remainingMinor = breakdown.totalMinor;
    let transferId: number | null = null;
    if (billing.holdTransferId !== null && ledger.isHoldOpen(billing.holdTransferId)) {
      const hold = ledger.openHold(billing.holdTransferId);
      const fromHoldMinor = Math.min(remainingMinor, hold.amountMinor);
      if (fromHoldMinor > 0) transferId = ledger.postHold(hold.id, fromHoldMinor, { reference }).id;
      else ledger.voidHold(hold.id, 'session cost nothing');
      remainingMinor -= fromHoldMinor;
    }
    if (remainingMinor === 0) return { transferId, debtMinor: 0 };
    const beforeMinor = ledger.balance(accountId).balanceMinor;
    transferId = ledger.transfer({
      debitAccountId: accountId,
      creditAccountId: ledger.systemAccountId('charging_revenue'),
      amountMinor: remainingMinor,
      code: 'session_charge',
      reference,
      allowOverdraft: true,
    }).id;
    const afterMinor = beforeMinor - remainingMinor;
    return { transferId, debtMinor: Math.max(0, -afterMinor) - Math.max(0, -beforeMinor) };
  }

  /** After MeterValues commit: stop a prepaid session whose running cost reached what it may spend. */
  afterMeterValues(session: SessionRow): void {
    // Only prepaid sessions can run out of money; the others are remembered so that a busy site's
    // MeterValues do not each read the billing row again.
    if (this.sessionsThatCannotRunOut.has(session.id)) return;
    const billing = this.billing(session.id);
    if (billing && billing.payer !== 'prepaid') this.sessionsThatCannotRunOut.add(session.id);
    if (!billing || billing.payer !== 'prepaid' || billing.accountId === null) return;
    // One remote stop per minute at most: a charger that missed or refused it is asked again.
    if (billing.remoteStopRequestedAt !== null && Date.now() - Date.parse(billing.remoteStopRequestedAt) < REMOTE_STOP_RETRY_MS) return;
    const version = billing.tariffVersionId !== null ? this.options.tariffs.version(billing.tariffVersionId) : undefined;
    if (!version || session.transactionId === null) return;
    const costMinor = this.runningCost(session, version);
    this.runningCostMinor.set(session.id, { accountId: billing.accountId, costMinor });
    if (costMinor < this.spendableMinor(session.id, billing)) return;
    void this.stopForBalance(session, billing);
  }

  /**
   * The cost so far from the latest trusted reading (energy spread evenly since the start; the
   * idle fee is left to the final bill). Cheap enough to run on every MeterValues.
   */
  private runningCost(session: SessionRow, version: NonNullable<ReturnType<TariffService['version']>>): number {
    const lastWh = session.lastMeterWh ?? session.meterStartWh;
    return sessionCost(pricesOf(version), {
      startedAt: session.startedAt,
      stoppedAt: session.lastMeterAt ?? session.startedAt,
      meterStartWh: session.meterStartWh,
      energyWh: Math.max(0, lastWh - session.meterStartWh),
      readings: [],
      idleIntervals: [],
      timeZone: this.options.settings.get().timeZone,
    }).totalMinor;
  }

  /** A QR session may spend its hold; a card session the balance less what other sessions run up. */
  private spendableMinor(sessionId: number, billing: SessionBillingRow): number {
    const { ledger } = this.options;
    if (billing.holdTransferId !== null && ledger.isHoldOpen(billing.holdTransferId)) {
      return ledger.transferById(billing.holdTransferId)!.amountMinor;
    }
    let othersMinor = 0;
    for (const [otherId, running] of this.runningCostMinor) {
      if (otherId !== sessionId && running.accountId === billing.accountId) othersMinor += running.costMinor;
    }
    return ledger.balance(billing.accountId!).availableMinor - othersMinor;
  }

  private async stopForBalance(session: SessionRow, billing: SessionBillingRow): Promise<void> {
    const { db } = this.options;
    try {
      // Recorded before sending, so a burst of MeterValues sends one stop (until the retry time), and staff see why.
      await db.write(() => this.repository.recordRemoteStop(billing.sessionId, nowIso(), BALANCE_EXHAUSTED));
      await this.options.requestRemoteStop(session.chargerId, session.transactionId!, BALANCE_EXHAUSTED);
    } catch (error) {
      this.options.onError(error, `remote stop of session ${session.id}`);
    }
  }

  private payerOf(decision: AuthorizationDecision): { kind: Payer; accountId: number | null } {
    const { drivers } = this.options;
    if (decision.cardUid !== null) {
      const card = drivers.cardByUid(decision.cardUid);
      if (!card) return { kind: 'none', accountId: null };
      return card.kind === 'prepaid' ? { kind: 'prepaid', accountId: card.accountId } : { kind: 'personal', accountId: null };
    }
    if (decision.userId !== null) {
      const user = drivers.user(decision.userId);
      if (user) return { kind: 'prepaid', accountId: user.accountId };
    }
    return { kind: 'none', accountId: null };
  }

  /** What the cost function needs: trusted readings and idle stretches from the connector's history. */
  private costInput(session: SessionRow): CostInput {
    const { settings } = this.options;
    const readings = this.options.sessions.trustedReadings(session.id);
    return {
      startedAt: session.startedAt,
      stoppedAt: session.stoppedAt!,
      meterStartWh: session.meterStartWh,
      energyWh: session.energyWh ?? 0,
      readings,
      idleIntervals: this.idleIntervals(session),
      timeZone: settings.get().timeZone,
    };
  }

  private idleIntervals(session: SessionRow): { from: string; to: string }[] {
    const { chargers } = this.options;
    const before = chargers.connectorStatusAt(session.chargerId, session.connectorId, session.startedAt);
    const during = chargers.connectorStatusesBetween(session.chargerId, session.connectorId, session.startedAt, session.stoppedAt!);
    const intervals: { from: string; to: string }[] = [];
    let idleSince = before && IDLE_STATUSES.has(before.status) ? session.startedAt : null;
    for (const change of during) {
      const idle = IDLE_STATUSES.has(change.status);
      if (idle && idleSince === null) idleSince = change.at;
      if (!idle && idleSince !== null) {
        intervals.push({ from: idleSince, to: change.at });
        idleSince = null;
      }
    }
    if (idleSince !== null) intervals.push({ from: idleSince, to: session.stoppedAt! });
    return intervals;
  }
}
