import type { Db } from '../db';
import type { ActiveSession, ChargingProfileSender, LoadClock, LoadLogger, ProfileAnswer } from './ports';
import type { LoadProfileRow, LoadRepository } from './repository';
import { limitInUnit, type ChargerLimit, type RateUnit, type Supply } from './units';

export interface ProfileBookDependencies {
  db: Db;
  repository: LoadRepository;
  sender: ChargingProfileSender;
  clock: LoadClock;
  logger: LoadLogger;
  /** How long a charger gets to answer SetChargingProfile. */
  timeoutMs: number;
  /** A TxProfile that falls back by itself is renewed from this long before its fallback (a charger's clock ahead included). */
  renewLeadMs: number;
  /** How far behind the appliance a charger's clock may be (it falls back that much later). */
  clockSkewMs: number;
}

/** A TxProfile's own fallback: from `atMs` (the appliance's time) the connector's share. */
export interface TxFallback {
  limit: ChargerLimit;
  atMs: number;
  /** How far the charger's clock is behind the appliance's (see ChargerClocks); 0 when not. */
  chargerBehindMs: number;
}

/**
 * The charging profiles the appliance sent, one per connector and purpose (connector 0: the
 * charger's default), and their sending. Each row is written before its SetChargingProfile goes
 * and again with the answer; the rows are kept in memory (MeterValues must not query them), set
 * only once their write committed.
 */
export class ProfileBook {
  private readonly rows = new Map<string, LoadProfileRow>();
  /**
   * For a row whose answer is not known (sent, failed, rejected): the lowest limit the charger
   * may have from it or the ones before it. Not kept over a restart (then it is 0: not known).
   */
  private readonly lowestW = new Map<string, number>();
  /** Chargers that rejected an Absolute TxProfile but took a Relative one (learnt again after a restart). */
  private readonly absoluteRefused = new Set<string>();

  constructor(private readonly deps: ProfileBookDependencies) {
    for (const row of deps.repository.profiles()) this.rows.set(profileKey(row.chargerId, row.connectorId, row.purpose), row);
  }

  /** The TxProfile of the session's own transaction (one left from an earlier transaction is not). */
  transactionOf(session: ActiveSession): LoadProfileRow | undefined {
    const row = this.rows.get(profileKey(session.chargerId, session.connectorId, 'transaction'));
    return row && row.transactionId === session.transactionId ? row : undefined;
  }

  /**
   * The lowest limit the charger may have from this row: its own once accepted; before that, the
   * lower of it and the one it replaces (a TxProfile of the same transaction, the last default).
   */
  lowestOf(row: LoadProfileRow): number {
    if (row.status === 'accepted') return this.renewalDue(row) ? Math.min(row.limitW, row.fallbackW!) : row.limitW;
    return this.lowestW.get(profileKey(row.chargerId, row.connectorId, row.purpose)) ?? 0;
  }

  /**
   * What an accepted profile allows now: its limit, or its fallback share once the charger has
   * surely reached it (even with a clock behind the appliance's by the allowed skew).
   */
  inForceOf(row: LoadProfileRow): number {
    if (row.fallbackAt === null || row.fallbackW === null) return row.inForceW;
    return this.deps.clock.nowMs() >= Date.parse(row.fallbackAt) + this.deps.clockSkewMs ? Math.min(row.inForceW, row.fallbackW) : row.inForceW;
  }

  /**
   * A TxProfile that falls back by itself needs its successor now: its fallback may come (a
   * charger's clock ahead) before the next recompute's profile is answered.
   */
  renewalDue(row: LoadProfileRow): boolean {
    return row.fallbackAt !== null && row.fallbackW !== null && this.deps.clock.nowMs() >= Date.parse(row.fallbackAt) - this.deps.renewLeadMs;
  }

  /** The charger takes only TxProfiles that hold until replaced: it is kept at its fallback share. */
  refusesAbsolute(chargerId: string): boolean {
    return this.absoluteRefused.has(chargerId);
  }

  defaultOf(chargerId: string): LoadProfileRow | undefined {
    return this.rows.get(profileKey(chargerId, 0, 'default'));
  }

  ofCharger(chargerId: string): LoadProfileRow[] {
    return [...this.rows.values()].filter((row) => row.chargerId === chargerId);
  }

  chargerIds(): Set<string> {
    return new Set([...this.rows.values()].map((row) => row.chargerId));
  }

  /** The charger drops a TxProfile with its transaction (1.6 §3.13.3, 2.0.1 K01.FR.05). */
  async endTransaction(session: ActiveSession): Promise<void> {
    const key = profileKey(session.chargerId, session.connectorId, 'transaction');
    const row = this.rows.get(key);
    if (!row || row.transactionId !== session.transactionId) return;
    this.rows.delete(key);
    this.lowestW.delete(key);
    await this.deps.db.write(() => this.deps.repository.deleteProfile(session.chargerId, session.connectorId, 'transaction'));
  }

  /** The charger was removed: its rows go. */
  async forgetCharger(chargerId: string): Promise<void> {
    this.forgetRows(chargerId);
    await this.deps.db.write(() => this.deps.repository.deleteProfiles(chargerId));
  }

  private forgetRows(chargerId: string): void {
    for (const row of this.ofCharger(chargerId)) {
      const key = profileKey(row.chargerId, row.connectorId, row.purpose);
      this.rows.delete(key);
      this.lowestW.delete(key);
    }
  }

  /**
   * One TxProfile. While the answer is awaited the connector counts at the higher of its old
   * (`inForceW`) and new limit; once accepted, at the new one. A rejection counts it at its
   * maximum (flagged). With `fallback` it is Absolute from now and falls to the share at
   * `fallback.atMs`; a charger that rejects that gets a Relative one at most its share instead
   * (it may have no duty to keep one beyond, and it must not keep more than its share while the
   * appliance is away), and keeps getting those.
   */
  async sendTransaction(session: ActiveSession, limit: ChargerLimit, inForceW: number, fallback?: TxFallback): Promise<ProfileAnswer> {
    const nowMs = this.deps.clock.nowMs();
    const sentAt = new Date(nowMs).toISOString();
    const row: LoadProfileRow = {
      chargerId: session.chargerId,
      connectorId: session.connectorId,
      purpose: 'transaction',
      transactionId: session.transactionId,
      limitW: limit.effectiveW,
      inForceW: Math.max(inForceW, limit.effectiveW),
      unit: limit.unit,
      valueTenths: Math.round(limit.value * 10),
      phases: limit.phases,
      status: 'sent',
      sentAt,
      fallbackW: fallback ? fallback.limit.effectiveW : null,
      fallbackAt: fallback ? new Date(fallback.atMs).toISOString() : null,
    };
    await this.save(row);
    // The schedule starts the allowed skew before now, so it is in force at once on a charger
    // whose clock is behind; its fallback period is counted from there. A charger seen further
    // behind gets the start in its own time, so it falls back when the appliance means it to.
    const startMs = nowMs - this.deps.clockSkewMs;
    const absolute = fallback
      ? { later: { startPeriodS: Math.floor((fallback.atMs - startMs) / 1000), limit: fallback.limit }, startSchedule: new Date(startMs - fallback.chargerBehindMs).toISOString() }
      : {};
    const answer = await this.deps.sender.send(
      { chargerId: session.chargerId, connectorId: session.connectorId, purpose: 'transaction', transactionId: session.transactionId!, limit, ...absolute },
      this.deps.timeoutMs,
    );
    if (answer === 'rejected' && fallback) {
      const relative = await this.sendTransaction(session, fallback.limit.effectiveW < limit.effectiveW ? fallback.limit : limit, inForceW);
      if (relative === 'accepted' && !this.absoluteRefused.has(session.chargerId)) {
        this.absoluteRefused.add(session.chargerId);
        this.deps.logger.warn({ chargerId: session.chargerId }, 'charger rejected an Absolute TxProfile: it gets Relative ones, at most its fallback share');
      }
      return relative;
    }
    // The session may have ended meanwhile; its row is gone then and stays gone.
    const current = this.rows.get(profileKey(session.chargerId, session.connectorId, 'transaction'));
    if (!current || current.transactionId !== session.transactionId || current.sentAt !== sentAt) return answer;
    await this.save({ ...row, status: answer === 'accepted' ? 'accepted' : answer, inForceW: answer === 'accepted' ? limit.effectiveW : row.inForceW });
    if (answer === 'rejected') this.deps.logger.warn({ chargerId: session.chargerId, connectorId: session.connectorId }, 'charger rejected a charging profile: counted at its maximum');
    return answer;
  }

  /**
   * The charger's default (see DefaultProfiles): 0 from the start of each transaction and, when
   * `later` is given, that limit from `later.startPeriodS` on. The row keeps the later limit: what
   * a transaction that got no TxProfile draws once the first period is over.
   */
  async sendDefault(chargerId: string, unit: RateUnit, supply: Supply, later: { startPeriodS: number; limit: ChargerLimit } | undefined, sentAt: string): Promise<ProfileAnswer> {
    const laterW = later?.limit.effectiveW ?? 0;
    const row: LoadProfileRow = {
      chargerId,
      connectorId: 0,
      purpose: 'default',
      transactionId: null,
      limitW: laterW,
      inForceW: laterW,
      unit,
      valueTenths: Math.round((later?.limit.value ?? 0) * 10),
      phases: later?.limit.phases ?? limitInUnit(0, unit, supply).phases,
      status: 'sent',
      sentAt,
      fallbackW: null,
      fallbackAt: null,
    };
    await this.save(row);
    const answer = await this.deps.sender.send({ chargerId, connectorId: 0, purpose: 'default', limit: limitInUnit(0, unit, supply), ...(later ? { later } : {}) }, this.deps.timeoutMs);
    await this.save({ ...row, status: answer });
    return answer;
  }

  /** Removes the appliance's profiles from the charger; they are kept while it does not answer. */
  async clear(chargerId: string): Promise<void> {
    const rows = this.ofCharger(chargerId);
    if (!(await this.deps.sender.clear(chargerId, rows, this.deps.timeoutMs))) return;
    this.forgetRows(chargerId);
    await this.deps.db.write(() => this.deps.repository.deleteProfiles(chargerId));
  }

  private async save(row: LoadProfileRow): Promise<void> {
    await this.deps.db.write(() => this.deps.repository.saveProfile(row));
    const key = profileKey(row.chargerId, row.connectorId, row.purpose);
    const previous = this.rows.get(key);
    if (row.status === 'accepted') this.lowestW.delete(key);
    else if (row.status === 'sent') {
      const replaces = previous !== undefined && previous.transactionId === row.transactionId;
      this.lowestW.set(key, Math.min(replaces ? this.lowestOf(previous) : 0, row.limitW));
    }
    this.rows.set(key, row);
  }
}

function profileKey(chargerId: string, connectorId: number, purpose: LoadProfileRow['purpose']): string {
  return `${chargerId}\u0000${connectorId}\u0000${purpose}`;
}
