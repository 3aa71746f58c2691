import { z } from 'zod';
import type { Db } from '../db';
import type { AuthorizationDecision, AuthorizationStatus, Authorizer } from '../drivers';
import { assert, conflict, notFound, nowIso, trustedTimeOr, type AuditActor, type RecordAudit } from '../shared';
import { parseFlags, SESSION_FLAGS, withFlag, type SessionFlag } from './flags';
import { canFollow, energyRegisterWh, readRegister, type SampledValueLike, type TrustedReading } from './meter';
import type { SessionRepository, SessionRow } from './repository';

export interface MeterValueInput {
  timestamp: string;
  sampledValue: readonly SampledValueLike[];
}

interface StartInput {
  chargerId: string;
  connectorId: number;
  evseId?: number | undefined;
  idTag: string;
  /**
   * The station charges without identifying anyone (2.0.1 free vend): nobody is authorized, the
   * session has no card and no driver and so no payer (billing prices it, posts it to no balance).
   */
  freeVend?: boolean | undefined;
  /**
   * The energy register at the start. 2.0.1 stations may start a transaction without one; then
   * the first register reading of the transaction becomes the start, so a meter's lifetime total
   * is never billed as one session.
   */
  meterStartWh: number | undefined;
  /** The charger's timestamp (CONTRACT: a session's startedAt is the charger's, when it can be true). */
  timestamp: string;
  /** When the message that started the session arrived (default: now). */
  receivedAt?: string | undefined;
  reservationId?: number | undefined;
  ocppVersion: '1.6' | '2.0.1';
  /** 2.0.1 chargers name the transaction; for 1.6 the appliance assigns an integer. */
  transactionId?: string | undefined;
}

/** The station decided on its own to charge; nobody is identified, so nobody pays. */
const FREE_VEND_DECISION: AuthorizationDecision = {
  status: 'Accepted',
  cardUid: null,
  userId: null,
  reason: 'free vend: the station charges without identifying anyone',
};

interface StartResult {
  session: SessionRow;
  decision: AuthorizationDecision;
  duplicate: boolean;
}

interface StopInput {
  chargerId: string;
  transactionId: string;
  /** As the charger sent it: possibly impossible (1e300, negative), which is kept and flagged. */
  meterStopWh: number;
  timestamp: string;
  receivedAt?: string | undefined;
  reason?: string | undefined;
  idTag?: string | undefined;
  transactionData?: readonly MeterValueInput[] | undefined;
}

interface StopResult {
  session: SessionRow | undefined;
  duplicate: boolean;
  /** The charger named a transaction we do not know; the message was recorded for staff. */
  unmatched: boolean;
}

/**
 * What other domains do at points of a session's life. `onStarted` and `onCompleted` run inside
 * the same SQLite transaction as the session change (billing posts exactly when the stop
 * commits, never twice); `afterMeterValues` runs after the commit and may act (a remote stop).
 */
export interface SessionHooks {
  onStarted?(session: SessionRow, decision: AuthorizationDecision): void;
  onCompleted?(session: SessionRow): void;
  /** After the start committed (not for a repeated StartTransaction). */
  afterStarted?(session: SessionRow): void;
  /** `meterValue` is what the charger sent (load management reads the power drawn from it). */
  afterMeterValues?(session: SessionRow, meterValue: readonly MeterValueInput[]): void;
  afterCompleted?(session: SessionRow): void;
}

/** Flag of a session whose charger gave no energy register at the start (yet). */
const METER_START_UNKNOWN = SESSION_FLAGS.meterStartUnknown;
/** Flag of an active session with no meter value for a long time (the stuck-sessions job). */
export const STUCK_SESSION_FLAG = SESSION_FLAGS.stuck;
/**
 * How long after a boot a session the charger had open may still be ended by its own Stop (a
 * 1.6 charger sends its queued StopTransaction right after booting) before staff are told.
 */
export const REBOOT_GRACE_MS = 10 * 60_000;
/** CONTRACT `POST /sessions/{id}/close` `{reason}`: why staff end it, kept with the session and in the audit log. */
export const closeSessionSchema = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(500) }).strict();
/** The stopReason of a session ended by staff (CONTRACT `POST /sessions/{id}/close`). */
export const CLOSED_BY_STAFF = 'ClosedByStaff';

type SessionChange = { kind: 'started' | 'updated' | 'completed'; session: SessionRow };

export class SessionService {
  private readonly listeners: ((change: SessionChange) => void)[] = [];

  constructor(
    private readonly db: Db,
    readonly repository: SessionRepository,
    private readonly authorizer: Authorizer,
    /** What other domains do at points of a session's life, run in this order (app.ts says why). */
    private readonly hooks: readonly SessionHooks[],
    /** The audit log: staff closing a session is on the record in the closing write. */
    private readonly audit: RecordAudit,
  ) {}

  onChange(listener: (change: SessionChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: SessionChange): void {
    for (const listener of this.listeners) listener(change);
  }

  authorize(chargerId: string, idTag: string, connectorId?: number): AuthorizationDecision {
    return this.authorizer.authorize({ chargerId, idTag, connectorId, purpose: 'authorize' });
  }

  /**
   * Records a transaction start. A StartTransaction the charger repeats after losing our answer
   * carries the same connector, tag, meter and time; it gets the first answer and no new session.
   */
  async start(input: StartInput): Promise<StartResult> {
    const fingerprint =
      input.transactionId ?? [input.connectorId, input.idTag, input.meterStartWh ?? '', input.timestamp, input.reservationId ?? ''].join('|');
    const receivedAt = input.receivedAt ?? nowIso();
    // CONTRACT: a start time that cannot be true is kept but the arrival time stands in; a start
    // reading that cannot be true is kept in the fingerprint and the first good reading starts the session.
    const startedAt = trustedTimeOr(input.timestamp, receivedAt);
    const meterStartPossible = input.meterStartWh !== undefined && Number.isSafeInteger(input.meterStartWh) && input.meterStartWh >= 0;
    const meterStartWh = meterStartPossible ? input.meterStartWh : undefined;
    const flags: string[] = [];
    if (meterStartWh === undefined) flags.push(SESSION_FLAGS.meterStartUnknown);
    if (input.meterStartWh !== undefined && !meterStartPossible) flags.push(SESSION_FLAGS.meterReadingUntrusted);
    if (startedAt !== input.timestamp) flags.push(SESSION_FLAGS.startTimeUntrusted);
    if (input.freeVend === true) flags.push(SESSION_FLAGS.freeVend);
    const result = await this.db.write(() => {
      const existing = this.repository.byStartFingerprint(input.chargerId, fingerprint);
      if (existing) return { session: existing, decision: storedDecision(existing), duplicate: true };
      const decision: AuthorizationDecision =
        input.freeVend === true
          ? FREE_VEND_DECISION
          : this.authorizer.authorize({ chargerId: input.chargerId, idTag: input.idTag, connectorId: input.connectorId, purpose: 'start' });
      const now = nowIso();
      let session = this.repository.insert({
        transactionId: input.transactionId ?? null,
        chargerId: input.chargerId,
        connectorId: input.connectorId,
        evseId: input.evseId ?? null,
        ocppVersion: input.ocppVersion,
        idTag: input.idTag,
        cardUid: decision.cardUid,
        userId: decision.userId,
        authorizationStatus: decision.status,
        status: 'active',
        startedAt,
        chargerStartedAt: input.timestamp,
        meterStartWh: meterStartWh ?? 0,
        lastMeterWh: meterStartWh ?? null,
        lastMeterAt: startedAt,
        lastMeterChargerAt: input.timestamp,
        flagsJson: JSON.stringify(flags),
        reservationId: input.reservationId ?? null,
        startFingerprint: fingerprint,
        createdAt: now,
        updatedAt: now,
      });
      if (input.transactionId === undefined) {
        // OCPP 1.6: the transactionId we answer is the session's own integer id.
        session = this.repository.update(session.id, { transactionId: String(session.id) });
      }
      for (const hook of this.hooks) hook.onStarted?.(session, decision);
      return { session, decision, duplicate: false };
    });
    if (!result.duplicate) {
      this.emit({ kind: 'started', session: result.session });
      for (const hook of this.hooks) hook.afterStarted?.(result.session);
    }
    return result;
  }

  /**
   * Records a transaction stop and bills it, once; repeats and unknown transactions are answered
   * too. A stop whose time or meter reading cannot be true still ends the session (CONTRACT): the
   * arrival time stands in, and the session is billed up to its last trusted reading.
   */
  async stop(input: StopInput): Promise<StopResult> {
    const receivedAt = input.receivedAt ?? nowIso();
    const result = await this.db.write((): StopResult & { justCompleted: boolean } => {
      let found = this.repository.byChargerTransaction(input.chargerId, input.transactionId);
      const now = nowIso();
      if (!found) {
        this.repository.recordUnmatched(input.chargerId, input.transactionId, 'StopTransaction', input, now);
        return { session: undefined, duplicate: false, unmatched: true, justCompleted: false };
      }
      if (found.status === 'completed') return { session: found, duplicate: true, unmatched: false, justCompleted: false };
      const stopReading: MeterValueInput = { timestamp: input.timestamp, sampledValue: [{ value: input.meterStopWh }] };
      found = this.resolveUnknownStart(found, [...(input.transactionData ?? []), stopReading], receivedAt);
      const readings = this.storeMeterValues(found, input.transactionData ?? [], receivedAt);
      let flags = readings.flags;
      const stoppedAt = trustedTimeOr(input.timestamp, receivedAt);
      if (stoppedAt !== input.timestamp) flags = withFlag(flags, SESSION_FLAGS.stopTimeUntrusted);
      // CONTRACT: a stop earlier than its start bills no time (the price counts no time before the start).
      if (Date.parse(stoppedAt) < Date.parse(found.startedAt)) flags = withFlag(flags, SESSION_FLAGS.stopBeforeStart);
      const stop = readRegister(stopReading.sampledValue);
      let billedUpToWh = readings.last.wh;
      if (stop.kind === 'reading' && canFollow(stop.wh, input.timestamp, readings.last)) billedUpToWh = stop.wh;
      else {
        flags = withFlag(flags, SESSION_FLAGS.meterStopUntrusted);
        // Kept as sent (a safe integer in its column, anything else as a meter value) for staff.
        if (stop.kind !== 'reading') this.addMeterValue(found, stopReading, undefined, true, receivedAt);
      }
      const completed = this.repository.update(found.id, {
        status: 'completed',
        stoppedAt,
        chargerStoppedAt: input.timestamp,
        meterStopWh: Number.isSafeInteger(input.meterStopWh) ? input.meterStopWh : null,
        energyWh: Math.max(0, billedUpToWh - found.meterStartWh),
        lastMeterWh: readings.last.wh,
        lastMeterAt: readings.lastAt,
        lastMeterChargerAt: readings.last.chargerAt,
        stopReason: input.reason ?? 'Local',
        stopIdTag: input.idTag ?? null,
        flagsJson: JSON.stringify(flags),
        updatedAt: now,
      });
      assert(completed.energyWh! >= 0, 'energy of a completed session is never negative');
      for (const hook of this.hooks) hook.onCompleted?.(completed);
      // Billing may have updated the row (cost): read it back inside the transaction.
      const billed = this.repository.byId(completed.id)!;
      return { session: billed, duplicate: false, unmatched: false, justCompleted: true };
    });
    if (result.justCompleted && result.session) {
      this.emit({ kind: 'completed', session: result.session });
      for (const hook of this.hooks) hook.afterCompleted?.(result.session);
    }
    return { session: result.session, duplicate: result.duplicate, unmatched: result.unmatched };
  }

  /**
   * Staff end a session whose charger will never report its end (replaced, broken, gone):
   * billed once, up to its last trusted reading and the time of it, stopReason ClosedByStaff,
   * flagged (CONTRACT `POST /sessions/{id}/close`). The card and connector are free at once; a
   * StopTransaction arriving later finds the session completed, is answered, and bills nothing.
   * Its audit entry is written in the closing transaction.
   */
  async close(id: number, reason: string, actor: AuditActor): Promise<SessionRow> {
    const closed = await this.db.write(() => {
      const found = this.repository.byId(id);
      if (!found) throw notFound('Session', id);
      if (found.status !== 'active') throw conflict('session_not_active', `Session ${id} has already ended`);
      const completed = this.repository.update(found.id, {
        status: 'completed',
        // The last evidence of the session: nothing after it can be billed.
        stoppedAt: found.lastMeterAt ?? found.startedAt,
        energyWh: Math.max(0, (found.lastMeterWh ?? found.meterStartWh) - found.meterStartWh),
        stopReason: CLOSED_BY_STAFF,
        closeReason: reason,
        flagsJson: JSON.stringify(withFlag(parseFlags(found.flagsJson), SESSION_FLAGS.closedByStaff)),
        updatedAt: nowIso(),
      });
      for (const hook of this.hooks) hook.onCompleted?.(completed);
      const billed = this.repository.byId(completed.id)!;
      this.audit(actor, { action: 'session.close', objectType: 'session', objectId: billed.id, after: { reason, costMinor: billed.costMinor, energyWh: billed.energyWh } });
      return billed;
    });
    this.emit({ kind: 'completed', session: closed });
    for (const hook of this.hooks) hook.afterCompleted?.(closed);
    return closed;
  }

  /** Stores meter values; ones for an unknown transaction are kept for staff. */
  async meterValues(input: {
    chargerId: string;
    connectorId: number;
    transactionId?: string | undefined;
    meterValue: readonly MeterValueInput[];
    receivedAt?: string | undefined;
  }): Promise<SessionRow | undefined> {
    const receivedAt = input.receivedAt ?? nowIso();
    const session = await this.db.write(() => {
      const now = nowIso();
      let found: SessionRow | undefined;
      if (input.transactionId !== undefined) {
        found = this.repository.byChargerTransaction(input.chargerId, input.transactionId);
        if (!found) {
          this.repository.recordUnmatched(input.chargerId, input.transactionId, 'MeterValues', input, now);
        } else if (found.status === 'active') {
          // A late reading of an ended session is only kept: its billed start stays as it was.
          found = this.resolveUnknownStart(found, input.meterValue, receivedAt);
        }
      }
      if (!found) {
        for (const meterValue of input.meterValue) {
          this.repository.addMeterValue({
            sessionId: null,
            chargerId: input.chargerId,
            connectorId: input.connectorId,
            transactionId: input.transactionId ?? null,
            timestamp: meterValue.timestamp,
            context: meterValue.sampledValue[0]?.context ?? null,
            energyRegisterWh: energyRegisterWh(meterValue.sampledValue) ?? null,
            rollback: false,
            sampledValueJson: JSON.stringify(meterValue.sampledValue),
            receivedAt,
          });
        }
        return undefined;
      }
      const readings = this.storeMeterValues(found, input.meterValue, receivedAt);
      if (found.status !== 'active') return found;
      const patch = {
        lastMeterWh: readings.last.wh,
        lastMeterAt: readings.lastAt,
        lastMeterChargerAt: readings.last.chargerAt,
        flagsJson: JSON.stringify(readings.flags),
      };
      if (patch.lastMeterWh === found.lastMeterWh && patch.lastMeterChargerAt === found.lastMeterChargerAt && patch.flagsJson === found.flagsJson) return found;
      return this.repository.setLastMeter(found, patch, now);
    });
    if (session && session.status === 'active') {
      this.emit({ kind: 'updated', session });
      for (const hook of this.hooks) hook.afterMeterValues?.(session, input.meterValue);
    }
    return session;
  }

  /**
   * A session started without a register reading takes its first reading as the start
   * (flag meter_start_unknown is then dropped); until then it has delivered no known energy.
   */
  private resolveUnknownStart(session: SessionRow, elements: readonly MeterValueInput[], receivedAt: string): SessionRow {
    const flags = parseFlags(session.flagsJson);
    if (!flags.includes(METER_START_UNKNOWN)) return session;
    for (const element of elements) {
      const registerWh = energyRegisterWh(element.sampledValue);
      if (registerWh === undefined) continue;
      return this.repository.update(session.id, {
        meterStartWh: registerWh,
        lastMeterWh: registerWh,
        lastMeterAt: trustedTimeOr(element.timestamp, receivedAt),
        lastMeterChargerAt: element.timestamp,
        flagsJson: JSON.stringify(flags.filter((flag) => flag !== METER_START_UNKNOWN)),
        updatedAt: nowIso(),
      });
    }
    return session;
  }

  /**
   * Stores a session's MeterValue elements, each register reading judged against the last
   * trusted one (CONTRACT: one that cannot be true is kept and flagged, never billed). Returns
   * the last trusted reading, when it was taken, and the session's flags after these readings.
   */
  private storeMeterValues(
    session: SessionRow,
    meterValues: readonly MeterValueInput[],
    receivedAt: string,
  ): { last: TrustedReading; lastAt: string; flags: string[] } {
    let last: TrustedReading = {
      wh: session.lastMeterWh ?? session.meterStartWh,
      chargerAt: session.lastMeterChargerAt ?? session.chargerStartedAt ?? session.lastMeterAt ?? session.startedAt,
    };
    let lastAt = session.lastMeterAt ?? session.startedAt;
    let flags = parseFlags(session.flagsJson);
    const startKnown = !flags.includes(SESSION_FLAGS.meterStartUnknown);
    for (const meterValue of meterValues) {
      const register = readRegister(meterValue.sampledValue);
      const trusted = register.kind === 'reading' && startKnown && canFollow(register.wh, meterValue.timestamp, last);
      const untrusted = register.kind === 'impossible' || (register.kind === 'reading' && startKnown && !trusted);
      this.addMeterValue(session, meterValue, register.kind === 'reading' ? register.wh : undefined, untrusted, receivedAt);
      if (untrusted) flags = withFlag(flags, SESSION_FLAGS.meterReadingUntrusted);
      if (trusted && register.kind === 'reading') {
        last = { wh: register.wh, chargerAt: meterValue.timestamp };
        lastAt = trustedTimeOr(meterValue.timestamp, receivedAt);
      }
    }
    return { last, lastAt, flags };
  }

  private addMeterValue(session: SessionRow, meterValue: MeterValueInput, registerWh: number | undefined, untrusted: boolean, receivedAt: string): void {
    this.repository.addMeterValue({
      sessionId: session.id,
      chargerId: session.chargerId,
      connectorId: session.connectorId,
      transactionId: session.transactionId,
      timestamp: meterValue.timestamp,
      context: meterValue.sampledValue[0]?.context ?? null,
      energyRegisterWh: registerWh ?? null,
      rollback: untrusted,
      sampledValueJson: JSON.stringify(meterValue.sampledValue),
      receivedAt,
    });
  }

  /**
   * Flags active sessions that had no meter value for `stuckAfterMs` as stuck, for staff; the
   * flag comes off again once meter values arrive: it describes the session's state now.
   * A session still open on a charger that booted after the session's last message, and did not
   * end it within REBOOT_GRACE_MS, is flagged open_after_reboot (issue 14): the charger has most
   * likely forgotten it, and staff close it (`close`). `lastBootOf` is the charger's last boot.
   */
  flagStuck(now: Date, stuckAfterMs: number, lastBootOf: (chargerId: string) => string | null = () => null): Promise<{ flagged: number; cleared: number }> {
    return this.db.write(() => {
      let flagged = 0;
      let cleared = 0;
      for (const session of this.repository.active()) {
        const lastActivity = this.repository.lastMeterValueReceivedAt(session.id) ?? session.createdAt;
        const stuck = now.getTime() - Date.parse(lastActivity) > stuckAfterMs;
        const flags = parseFlags(session.flagsJson);
        const bootAt = lastBootOf(session.chargerId);
        // Once flagged it stays until the charger speaks of the session again (or it ends).
        const openAfterReboot =
          bootAt !== null && bootAt > lastActivity && (flags.includes(SESSION_FLAGS.openAfterReboot) || now.getTime() - Date.parse(bootAt) > REBOOT_GRACE_MS);
        const wanted: [SessionFlag, boolean][] = [
          [STUCK_SESSION_FLAG, stuck],
          [SESSION_FLAGS.openAfterReboot, openAfterReboot],
        ];
        if (wanted.every(([flag, on]) => flags.includes(flag) === on)) continue;
        let nextFlags = flags;
        for (const [flag, on] of wanted) nextFlags = on ? withFlag(nextFlags, flag) : nextFlags.filter((each) => each !== flag);
        this.repository.update(session.id, { flagsJson: JSON.stringify(nextFlags), updatedAt: now.toISOString() });
        if (stuck || openAfterReboot) flagged++;
        else cleared++;
      }
      return { flagged, cleared };
    });
  }

  get(id: number): SessionRow | undefined {
    return this.repository.byId(id);
  }

  byTransaction(chargerId: string, transactionId: string): SessionRow | undefined {
    return this.repository.byChargerTransaction(chargerId, transactionId);
  }
}

function storedDecision(session: SessionRow): AuthorizationDecision {
  return {
    status: session.authorizationStatus as AuthorizationStatus,
    cardUid: session.cardUid,
    userId: session.userId,
    reason: 'repeated StartTransaction: the first answer',
  };
}
