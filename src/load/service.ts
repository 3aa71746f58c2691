import type { Db } from '../db';
import { activePowerW, energyRegisterWh, type MeterValueInput, type SessionHooks } from '../sessions';
import { assert, type RecordAudit } from '../shared';
import { allocate, type AllocationConnector, type FixedDraw } from './allocation';
import { ChargerClocks } from './charger-clocks';
import { limitInForceW, siteBudgetW } from './budget';
import { LoadConfig, materialChangeW, type ChargerSettings } from './config';
import { DefaultProfiles, type DefaultChange } from './default-profile';
import { estimateDemandW } from './demand';
import { DrawTracker } from './draws';
import { fitsWithin, planDecreases, planIncreases, type ConnectorProfileState, type Plan, type PlanBudgets, type ProfileChange } from './planner';
import {
  SYSTEM_CLOCK,
  type ActiveSession,
  type ChargingProfileSender,
  type LoadChargers,
  type LoadClock,
  type LoadLogger,
  type LoadSessions,
} from './ports';
import { ProfileBook } from './profiles';
import { LoadRepository, type LoadSite } from './repository';
import { LoadSettings } from './settings';
import { limitInUnit, type RateUnit } from './units';

export interface LoadTimings {
  /** The scheduled recompute (and one chart sample a minute). */
  recomputeIntervalMs: number;
  /** At most one profile per connector per this interval (CONTRACT: no flood of profiles). */
  profileIntervalMs: number;
  /** How long a charger gets to answer SetChargingProfile. */
  profileTimeoutMs: number;
  /** A charger that rejected a profile, or left one unanswered, is asked again after this long. */
  rejectedRetryMs: number;
  /**
   * A TxProfile above its connector's fallback share falls back to that share this long after it
   * was sent, unless renewed first (the recompute renews it a recompute, an answer and the
   * clock skew before): while the appliance is away, no connector keeps more than its share for
   * longer.
   */
  txFallbackAfterMs: number;
  /**
   * How far behind the appliance's clock a charger's may be: it sets its clock from the
   * appliance's BootNotification and Heartbeat answers (1.6 §4.2, §4.6; 2.0.1 B01, G02), so
   * this covers the drift between heartbeats and the network. A charger behind falls back later
   * by up to that much (the default's 0 W period is that much longer), one ahead earlier (the
   * renewal comes that much sooner, so it does not dip).
   */
  clockSkewMs: number;
  /**
   * After a charger comes back (the appliance restarted, the network returned), how long its
   * connectors without a known session are counted at their fallback share for raises: it may
   * have started sessions meanwhile, whose queued StartTransaction has not arrived yet.
   */
  unheardSessionsMs: number;
}

export const DEFAULT_LOAD_TIMINGS: LoadTimings = {
  recomputeIntervalMs: 30_000,
  profileIntervalMs: 10_000,
  profileTimeoutMs: 30_000,
  rejectedRetryMs: 5 * 60_000,
  txFallbackAfterMs: 7 * 60_000,
  clockSkewMs: 60_000,
  unheardSessionsMs: 60_000,
};

/**
 * The default profile's 0 W period: a transaction that got no TxProfile this long after it
 * started (the appliance is away, or the charger refuses TxProfiles) charges at its fallback
 * share. It outlasts every TxProfile's own fallback (with the skew a charger's clock may have),
 * so a car that starts while the appliance is away ramps up only once every running session is
 * down to its share: the shares sum to at most the limit less the margin.
 */
export function defaultZeroPeriodMs(timings: LoadTimings): number {
  return timings.txFallbackAfterMs + timings.clockSkewMs;
}

export interface LoadServiceDependencies {
  db: Db;
  sessions: LoadSessions;
  chargers: LoadChargers;
  sender: ChargingProfileSender;
  /** The site's IANA time zone (the peak window is local wall-clock time). */
  timeZone(): string;
  /** Writes an audit entry inside the transaction of the change. */
  audit: RecordAudit;
  logger: LoadLogger;
  /** A clock of the test's own: then no timer runs and the test calls tick(). */
  clock?: LoadClock;
  timings?: Partial<LoadTimings>;
}

/** Why staff should look at a connector. */
export type LoadFlag = 'offline' | 'rejects_profiles' | 'paused' | 'above_limit' | 'fallback_only';

export interface LoadConnectorView {
  chargerId: string;
  connectorId: number;
  sessionId: number;
  maxW: number;
  minW: number;
  /** The limit of the profile in force (what the connector may draw now). */
  allocatedW: number;
  /** What the last recompute gave it (reached once the rate limit lets the profile go). */
  targetW: number;
  drawW: number;
  priority: number;
  groupId: number | null;
  unit: RateUnit;
  flags: LoadFlag[];
}

export interface LoadView {
  enabled: boolean;
  /** The site limit staff set (null: off). */
  limitW: number | null;
  /** The limit now, the peak window's when inside it. */
  limitInForceW: number | null;
  marginW: number;
  allocatedW: number;
  drawW: number;
  /** Measured draw above the limit in force: an alert for staff. */
  overLimit: boolean;
  connectors: LoadConnectorView[];
}

/** One active session with everything the allocation needs (its priority: charger, connector or driver). */
interface Participant extends Omit<ChargerSettings, 'profilesRejectedAtMs' | 'unitReported'> {
  key: string;
  session: ActiveSession;
  inForceW: number;
  /** The lowest limit the charger may have (see ConnectorProfileState). */
  lowestW: number;
  /** Its TxProfile must be sent again (see ConnectorProfileState). */
  renew: boolean;
  lastSentAtMs: number | undefined;
  steerable: boolean;
  flags: LoadFlag[];
}

type ChangeListener = () => void;

/**
 * Site load management: keeps the sum of what the charging connectors may draw within the site's
 * limit (CONTRACT `/load`) by sending charging profiles, recomputing when a session starts or
 * ends, when a draw changes materially, and on a schedule.
 */
export class LoadService {
  readonly repository: LoadRepository;
  /** Staff changes (audited); each one is followed by a recompute. */
  readonly settings: LoadSettings;
  private readonly timings: LoadTimings;
  private readonly clock: LoadClock;
  private readonly draws = new DrawTracker();
  private readonly clocks = new ChargerClocks();
  private readonly config: LoadConfig;
  private readonly profiles: ProfileBook;
  private readonly defaults: DefaultProfiles;
  private readonly targets = new Map<string, { targetW: number; paused: boolean }>();
  /** When this process first saw each running session (its default's 0 W period is counted only then). */
  private readonly firstSeenMs = new Map<number, number>();
  /** Each charger's fallback share in W, counted once per change of chargers or settings. */
  private readonly sharesW = new Map<string, number>();
  private counts: ReadonlyMap<string, number> | undefined;
  /** Chargers that came back with a default of the appliance's, and when (see unheardSessionsMs). */
  private readonly returnedAtMs = new Map<string, number>();
  private lastConnectorTotal: number | undefined;
  private readonly listeners: ChangeListener[] = [];
  private readonly work = new Set<Promise<unknown>>();
  private loop: Promise<void> | undefined;
  private wanted = false;
  private closed = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private followUpTimer: NodeJS.Timeout | undefined;
  private lastSampleMinuteMs = 0;
  private lastPruneDay = '';
  private overLimitSince: number | undefined;
  private wasEnabled: boolean;

  constructor(private readonly deps: LoadServiceDependencies) {
    this.repository = new LoadRepository(deps.db);
    this.timings = { ...DEFAULT_LOAD_TIMINGS, ...deps.timings };
    this.clock = deps.clock ?? SYSTEM_CLOCK;
    // The shares are cut by each charger's maximum: one it reports at boot makes them stale.
    this.config = new LoadConfig(deps.db, this.repository, () => this.forgetShares());
    const common = { sender: deps.sender, clock: this.clock, logger: deps.logger, timeoutMs: this.timings.profileTimeoutMs };
    this.profiles = new ProfileBook({
      ...common,
      db: deps.db,
      repository: this.repository,
      renewLeadMs: this.timings.recomputeIntervalMs + this.timings.profileTimeoutMs + this.timings.clockSkewMs,
      clockSkewMs: this.timings.clockSkewMs,
    });
    this.defaults = new DefaultProfiles({
      ...common,
      config: this.config,
      profiles: this.profiles,
      chargers: deps.chargers,
      fallbackAfterMs: defaultZeroPeriodMs(this.timings),
      open: () => !this.closed,
    });
    this.wasEnabled = this.config.enabled;
    this.settings = new LoadSettings(deps.db, this.repository, deps.audit, () => this.onSettingsChanged());
  }

  /**
   * Turned on: every connected charger gets its default first; then the allocation follows. A
   * changed limit, margin, window or charger changes the fallback shares the defaults carry.
   */
  private onSettingsChanged(): void {
    this.config.reload();
    this.forgetShares();
    if (this.config.enabled) this.defaults.markDue(this.deps.chargers.connectedIds(), 'shares');
    this.requestRecompute();
    this.emit();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Starts the schedule. With a clock of the test's own nothing runs by itself. */
  start(): void {
    if (this.deps.clock) return;
    this.tickTimer = setInterval(() => void this.tick(), this.timings.recomputeIntervalMs);
    this.tickTimer.unref();
    // After a restart the chargers keep their last profiles; they are counted until this recompute.
    this.requestRecompute();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.followUpTimer);
    await this.settle();
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Resolves once no recompute or profile is on its way (tests and shutdown). */
  async settle(): Promise<void> {
    while (this.loop || this.work.size > 0) {
      await Promise.allSettled([this.loop, ...this.work]);
    }
  }

  private track<T>(promise: Promise<T>): void {
    const tracked = promise.catch((error: unknown) => this.deps.logger.warn({ err: error }, 'load management step failed'));
    this.work.add(tracked);
    void tracked.finally(() => this.work.delete(tracked));
  }

  /** The scheduled step: recompute, and one chart sample per minute. */
  async tick(): Promise<void> {
    this.requestRecompute();
    await this.settle();
    await this.sample();
  }

  // ---- events --------------------------------------------------------------------------------

  /** The session hooks load management needs (after the commit: they may send profiles). */
  sessionHooks(): SessionHooks {
    return {
      afterStarted: (session) => {
        // The start's stamp says how the charger's clock stands before its first TxProfile goes.
        const startedAtMs = Date.parse(session.startedAt);
        if (!Number.isNaN(startedAtMs)) this.clocks.record(session.chargerId, startedAtMs, this.clock.nowMs());
        this.requestRecompute();
      },
      afterMeterValues: (session, meterValue) => this.onMeterValues(session, meterValue),
      afterCompleted: (session) => this.onSessionEnded(session),
    };
  }

  private onSessionEnded(session: ActiveSession): void {
    this.draws.forget(session.id);
    this.firstSeenMs.delete(session.id);
    this.track(this.profiles.endTransaction(session));
    this.requestRecompute();
  }

  private onMeterValues(session: ActiveSession, meterValue: readonly MeterValueInput[]): void {
    const latest = meterValue[meterValue.length - 1];
    if (!latest || !this.config.enabled || session.transactionId === null) return;
    const settings = this.config.charger(session.chargerId);
    const registerAtMs = Date.parse(latest.timestamp);
    if (!Number.isNaN(registerAtMs)) this.clocks.record(session.chargerId, registerAtMs, this.clock.nowMs());
    const drawW = this.draws.record(
      session,
      { powerW: activePowerW(latest.sampledValue), registerWh: energyRegisterWh(latest.sampledValue), registerAtMs: Number.isNaN(registerAtMs) ? undefined : registerAtMs },
      // The lowest limit it may be under: a raise not yet applied when the charger measured
      // must not make a car at its old limit look as if it wanted less.
      this.limitInForce(session, settings, this.clock.nowMs()).lowestW,
      this.clock.nowMs(),
    );
    if (drawW === undefined) return;
    this.watchSiteDraw();
    if (this.draws.changedMaterially(session.id, materialChangeW(settings.maxW))) this.requestRecompute();
    this.emit();
  }

  /**
   * A charger connected, booted, went away or was removed, or reported a connector's status
   * (`added`: one it had not reported before).
   */
  onChargerEvent({ kind, chargerId, added }: { kind: string; chargerId: string; added?: boolean }): void {
    if ((kind === 'booted' || kind === 'connected') && this.profiles.defaultOf(chargerId)?.status === 'accepted') this.returnedAtMs.set(chargerId, this.clock.nowMs());
    if (kind === 'booted') {
      // After the BootNotification answer is on the wire: a charger takes CALLs once accepted.
      this.track(
        new Promise((resolve) => setImmediate(resolve))
          .then(() => this.defaults.learn(chargerId))
          .finally(() => {
            this.defaults.markDue([chargerId], 'booted');
            this.requestRecompute();
          }),
      );
    } else if (kind === 'removed') {
      this.config.forgetCharger(chargerId);
      this.clocks.forget(chargerId);
      this.track(this.profiles.forgetCharger(chargerId));
      this.onConnectorsChanged();
      this.requestRecompute();
    } else if (kind === 'connected') {
      // Back without a boot (a network drop, the appliance restarted): it keeps the profiles it
      // has; only a stale or unconfirmed default is sent again, and when load management was
      // turned off meanwhile the appliance's profiles are removed now.
      this.defaults.markDue([chargerId], 'reconnected');
      this.requestRecompute();
    } else if (kind === 'registered' || kind === 'updated' || (kind === 'status' && added === true)) {
      // Only a new charger or connector, or an acceptance or rejection, changes the count
      // (counting walks every charger: not on each StatusNotification).
      this.onConnectorsChanged();
      if (kind === 'updated') this.requestRecompute();
    } else if (kind === 'disconnected') {
      this.requestRecompute();
    }
  }

  /** A charger or connector more or less: every fallback share changes with the count. */
  private onConnectorsChanged(): void {
    this.forgetShares();
    if (!this.config.enabled) return;
    let total = 0;
    for (const count of this.connectorCounts().values()) total += count;
    if (total === this.lastConnectorTotal) return;
    this.lastConnectorTotal = total;
    this.defaults.markDue(this.deps.chargers.connectedIds(), 'shares');
    this.requestRecompute();
  }

  /** Asks for a recompute soon; many requests in one moment make one recompute. */
  requestRecompute(): void {
    if (this.closed) return;
    this.wanted = true;
    if (this.loop) return;
    this.loop = (async () => {
      // Let the answer to the message that caused this reach the charger first (a TxProfile
      // names the transaction id the StartTransaction answer gives it).
      await new Promise((resolve) => setImmediate(resolve));
      while (this.wanted && !this.closed) {
        this.wanted = false;
        try {
          await this.recompute();
        } catch (error) {
          this.deps.logger.warn({ err: error }, 'load recompute failed');
        }
      }
      this.loop = undefined;
    })();
  }

  // ---- the recompute -------------------------------------------------------------------------

  private async recompute(): Promise<void> {
    const site = this.config.site;
    if (site.limitW === null) {
      await this.defaults.remove(this.wasEnabled);
      this.wasEnabled = false;
      this.targets.clear();
      this.emit();
      return;
    }
    this.wasEnabled = true;
    const nowMs = this.clock.nowMs();
    const budgets = this.budgets(site, nowMs);
    const participants = this.participants(nowMs);
    this.allocate(participants, budgets);
    const running = new Set(participants.map((participant) => participant.session.id));
    this.draws.retain(running);
    for (const sessionId of this.firstSeenMs.keys()) if (!running.has(sessionId)) this.firstSeenMs.delete(sessionId);
    this.draws.markRecomputed(participants.map((participant) => participant.session.id));

    // Lowerings first, with the defaults that cannot raise any draw; once every answer is in,
    // the raises, the defaults that may raise one among them, within what the budgets allow
    // with every connector at the most it may draw. Answers may come in any order.
    const rules = { minIntervalMs: this.timings.profileIntervalMs };
    const defaults = this.defaults.takeDue();
    const lowering = defaults.filter((change) => this.governedByDefault(change, participants).every((governed) => governed.limitW <= governed.lowestW));
    const decreases = planDecreases(this.states(participants), budgets, nowMs, rules);
    await Promise.all([this.sendAll(participants, decreases.changes, budgets), ...lowering.map((change) => this.defaults.send(change))]);
    const afterDecreases = this.participants(this.clock.nowMs());
    const states = this.states(afterDecreases);
    const raiseBudgets = this.withoutUnheardSessions(budgets, afterDecreases);
    const increases = planIncreases(states, raiseBudgets, this.clock.nowMs(), rules);
    const planned = [...increases.changes];
    const raising: DefaultChange[] = [];
    for (const change of defaults.filter((candidate) => !lowering.includes(candidate))) {
      const together = this.governedByDefault(change, afterDecreases);
      if (!fitsWithin(states, raiseBudgets, planned, together)) {
        this.defaults.postpone(change);
        continue;
      }
      raising.push(change);
      planned.push(...together);
    }
    await Promise.all([this.sendAll(afterDecreases, increases.changes, budgets), ...raising.map((change) => this.defaults.send(change))]);
    await this.holdNewcomers(afterDecreases, increases.changes, budgets);
    // The chargers' answers to their defaults change what their sessions count at.
    if (lowering.length + raising.length > 0) this.requestRecompute();
    this.scheduleFollowUp(decreases, increases);
    this.watchSiteDraw();
    this.emit();
  }

  /**
   * The budgets until the next scheduled recompute: a peak window that starts before then is
   * applied now, so the chargers are already down when it begins.
   */
  private budgets(site: LoadSite, nowMs: number): PlanBudgets {
    const timeZone = this.deps.timeZone();
    const lookaheadMs = this.timings.recomputeIntervalMs + this.timings.profileTimeoutMs;
    const nowBudget = siteBudgetW(site, nowMs, timeZone);
    const nextBudget = siteBudgetW(site, nowMs + lookaheadMs, timeZone);
    assert(nowBudget !== null && nextBudget !== null, 'budgets are computed only while load management is on');
    const siteBudget = Math.min(nowBudget, nextBudget);
    return { siteBudgetW: siteBudget, groupBudgetsW: this.config.groupBudgetsW };
  }

  /**
   * The budgets raises must keep: less the fallback share of each connector without a known
   * session on a charger with the appliance's default that is away, or came back only a moment
   * ago (a session started while the appliance could not hear of it charges at its share, and
   * the appliance learns of it only when the charger's queued StartTransaction arrives).
   * Lowerings are not held back by it.
   */
  private withoutUnheardSessions(budgets: PlanBudgets, participants: readonly Participant[]): PlanBudgets {
    const nowMs = this.clock.nowMs();
    for (const [chargerId, atMs] of this.returnedAtMs) if (nowMs - atMs >= this.timings.unheardSessionsMs) this.returnedAtMs.delete(chargerId);
    const unheard = [...this.profiles.chargerIds()].filter(
      (chargerId) => this.profiles.defaultOf(chargerId)?.status === 'accepted' && (!this.deps.chargers.isConnected(chargerId) || this.returnedAtMs.has(chargerId)),
    );
    if (unheard.length === 0) return budgets;
    const counts = this.connectorCounts();
    let siteBudgetW = budgets.siteBudgetW;
    const groupBudgetsW = new Map(budgets.groupBudgetsW);
    for (const chargerId of unheard) {
      const known = participants.filter((participant) => participant.session.chargerId === chargerId).length;
      const unheardW = Math.max(0, (counts.get(chargerId) ?? 1) - known) * this.shareW(chargerId);
      siteBudgetW -= unheardW;
      const groupId = this.config.charger(chargerId).groupId;
      const groupBudgetW = groupId === null ? undefined : groupBudgetsW.get(groupId);
      if (groupBudgetW !== undefined) groupBudgetsW.set(groupId!, groupBudgetW - unheardW);
    }
    return { siteBudgetW, groupBudgetsW };
  }

  /**
   * What a session's connector may draw now at most: its own TxProfile (while the answer is
   * awaited or never came, the higher of the old and the new limit and what the default allows),
   * else the charger's default once
   * accepted (0 in its first period, then the fallback share), else nothing is known, so its
   * maximum; and at least (`lowestW`): the lower of those, 0 when not known. A charger that
   * rejected a profile not long ago is counted at its maximum.
   */
  private limitInForce(
    session: ActiveSession,
    settings: ChargerSettings,
    nowMs: number,
  ): { inForceW: number; lowestW: number; renew: boolean; rejecting: boolean; unanswered: boolean; lastSentAtMs: number | undefined } {
    const ownRow = this.profiles.transactionOf(session);
    const defaultRow = this.profiles.defaultOf(session.chargerId);
    const rejectedAtMs = settings.profilesRejectedAtMs;
    const rejecting =
      (ownRow?.status === 'rejected' && nowMs - Date.parse(ownRow.sentAt) < this.timings.rejectedRetryMs) ||
      (rejectedAtMs !== undefined && nowMs - rejectedAtMs < this.timings.rejectedRetryMs);
    const inZeroPeriod = this.inDefaultsZeroPeriod(session, nowMs);
    // Without a TxProfile of its own the default governs: what it gives at least.
    const defaultLowestW = !defaultRow || defaultRow.status === 'rejected' || inZeroPeriod ? 0 : this.profiles.lowestOf(defaultRow);
    let inForceW = settings.maxW;
    let lowestW = defaultLowestW;
    if (ownRow && ownRow.status !== 'rejected') {
      // Until the charger confirms a TxProfile of this transaction it may still run on its
      // default, which after its first period may allow more than the TxProfile.
      const defaultMostW = defaultRow?.status === 'accepted' ? (inZeroPeriod ? 0 : defaultRow.inForceW) : settings.maxW;
      inForceW = ownRow.status === 'accepted' ? this.profiles.inForceOf(ownRow) : Math.max(ownRow.inForceW, defaultMostW);
      lowestW = this.profiles.lowestOf(ownRow);
    } else if (!ownRow && defaultRow?.status === 'accepted') {
      inForceW = inZeroPeriod ? 0 : defaultRow.inForceW;
      lowestW = inForceW;
    }
    if (rejecting) inForceW = settings.maxW;
    // A connected charger that let a TxProfile go unanswered is counted as it may be, like one
    // that rejected, and asked again after the same while.
    const unanswered = ownRow?.status === 'failed' && nowMs - Date.parse(ownRow.sentAt) < this.timings.rejectedRetryMs;
    // What an accepted TxProfile leaves the connector while the appliance is away (its own
    // fallback, else its limit) must not be above the share: it is renewed before it falls
    // back, and sent again when the shares shrank.
    const renew =
      ownRow?.status === 'accepted' && (this.profiles.renewalDue(ownRow) || (ownRow.fallbackW ?? ownRow.limitW) > limitInUnit(this.shareW(session.chargerId), ownRow.unit, settings.supply).effectiveW);
    return { inForceW, lowestW: Math.min(lowestW, inForceW), renew, rejecting, unanswered, lastSentAtMs: ownRow && ownRow.status !== 'rejected' ? Date.parse(ownRow.sentAt) : undefined };
  }

  private forgetShares(): void {
    this.sharesW.clear();
    this.counts = undefined;
  }

  /** Connectors per registered charger, read once per change of chargers or settings. */
  private connectorCounts(): ReadonlyMap<string, number> {
    this.counts ??= this.deps.chargers.connectorCounts();
    return this.counts;
  }

  /** The charger's fallback share (what its default gives each connector after its 0 W period). */
  private shareW(chargerId: string): number {
    let shareW = this.sharesW.get(chargerId);
    if (shareW === undefined) {
      shareW = this.defaults.fallbackShareW(chargerId, this.config.charger(chargerId), this.connectorCounts());
      this.sharesW.set(chargerId, shareW);
    }
    return shareW;
  }

  /**
   * Whether a session without a TxProfile is surely still in its default's 0 W period: seen by
   * this process for less than half that period, and stamped as started as recently. A queued
   * start hours old, or one this process did not see begin, counts at the fallback share.
   */
  private inDefaultsZeroPeriod(session: ActiveSession, nowMs: number): boolean {
    const windowMs = defaultZeroPeriodMs(this.timings) / 2;
    const startedMs = Date.parse(session.startedAt);
    const firstSeenMs = this.firstSeenMs.get(session.id) ?? nowMs;
    return !Number.isNaN(startedMs) && nowMs - startedMs < windowMs && nowMs - firstSeenMs < windowMs;
  }

  /** Every running session with its charger's settings and the limit it is under now. */
  private participants(nowMs: number): Participant[] {
    const participants: Participant[] = [];
    for (const session of this.deps.sessions.active()) {
      if (session.transactionId === null) continue;
      if (!this.firstSeenMs.has(session.id)) this.firstSeenMs.set(session.id, nowMs);
      const key = `${session.chargerId}/${session.connectorId}`;
      const settings = this.config.charger(session.chargerId);
      const { inForceW, lowestW, renew, rejecting, unanswered, lastSentAtMs } = this.limitInForce(session, settings, nowMs);
      const flags: LoadFlag[] = [];
      const connected = this.deps.chargers.isConnected(session.chargerId);
      if (!connected) flags.push('offline');
      if (rejecting) flags.push('rejects_profiles');
      // A charger that takes no TxProfile falling back by itself keeps its limit while the
      // appliance is away: it gets no more than its share.
      const fallbackOnly = this.profiles.refusesAbsolute(session.chargerId);
      if (fallbackOnly) flags.push('fallback_only');
      participants.push({
        key,
        session,
        supply: settings.supply,
        unit: settings.unit,
        maxW: fallbackOnly ? Math.min(settings.maxW, this.shareW(session.chargerId)) : settings.maxW,
        minW: settings.minW,
        priority: this.config.priorityOf(settings.priority, key, session.userId),
        groupId: settings.groupId !== null && this.config.groupBudgetsW.has(settings.groupId) ? settings.groupId : null,
        inForceW,
        lowestW,
        renew,
        lastSentAtMs,
        steerable: connected && !rejecting && !unanswered,
        flags,
      });
    }
    return participants;
  }

  private allocate(participants: readonly Participant[], budgets: PlanBudgets): void {
    const fixed: FixedDraw[] = [];
    const connectors: AllocationConnector[] = [];
    for (const participant of participants) {
      if (!participant.steerable) {
        fixed.push({ key: participant.key, groupId: participant.groupId, reservedW: participant.inForceW });
        continue;
      }
      const reading = this.draws.reading(participant.session.id);
      connectors.push({
        key: participant.key,
        groupId: participant.groupId,
        minW: participant.minW,
        demandW: estimateDemandW({ maxW: participant.maxW, minW: participant.minW, drawW: reading?.drawW, limitW: reading?.limitAtReadingW }),
        priority: participant.priority,
        sessionEnergyWh: Math.max(0, (participant.session.lastMeterWh ?? participant.session.meterStartWh) - participant.session.meterStartWh),
      });
    }
    const result = allocate({ ...budgets, connectors, fixed });
    if (result.overcommittedW > 0) this.deps.logger.warn({ overcommittedW: result.overcommittedW }, 'chargers that cannot be steered alone exceed the limit');
    this.targets.clear();
    for (const participant of participants) {
      const allocatedW = result.allocatedW.get(participant.key);
      const targetW = allocatedW === undefined ? participant.inForceW : limitInUnit(allocatedW, participant.unit, participant.supply).effectiveW;
      this.targets.set(participant.key, { targetW, paused: result.paused.has(participant.key) });
    }
  }

  private states(participants: readonly Participant[]): ConnectorProfileState[] {
    return participants.map((participant) => ({
      key: participant.key,
      groupId: participant.groupId,
      inForceW: participant.inForceW,
      lowestW: participant.lowestW,
      renew: participant.renew,
      targetW: this.targets.get(participant.key)?.targetW ?? participant.inForceW,
      minW: participant.minW,
      materialW: materialChangeW(participant.maxW),
      lastSentAtMs: participant.lastSentAtMs,
      steerable: participant.steerable,
    }));
  }

  /**
   * The limits a charger's new default gives the running sessions it governs (those without a
   * TxProfile of their own accepted): 0 in their first period, then the fallback share.
   */
  private governedByDefault(change: DefaultChange, participants: readonly Participant[]): (ProfileChange & { lowestW: number })[] {
    const nowMs = this.clock.nowMs();
    return participants
      .filter((participant) => participant.session.chargerId === change.chargerId && this.profiles.transactionOf(participant.session)?.status !== 'accepted')
      .map((participant) => ({ key: participant.key, limitW: this.inDefaultsZeroPeriod(participant.session, nowMs) ? 0 : change.fallbackW, lowestW: participant.lowestW }));
  }

  /**
   * A new session that got no share yet (the others' lowering waits for the rate limit, or it is
   * paused) gets a TxProfile of 0 now, before its default's 0 W period ends and its fallback
   * share would come on top of what the others are allowed.
   */
  private async holdNewcomers(participants: readonly Participant[], raised: readonly ProfileChange[], budgets: PlanBudgets): Promise<void> {
    const nowMs = this.clock.nowMs();
    const waiting = participants.filter(
      (participant) =>
        participant.steerable &&
        !raised.some((change) => change.key === participant.key) &&
        this.profiles.transactionOf(participant.session) === undefined &&
        this.profiles.defaultOf(participant.session.chargerId)?.status === 'accepted' &&
        this.inDefaultsZeroPeriod(participant.session, nowMs),
    );
    await this.sendAll(
      participants,
      waiting.map((participant) => ({ key: participant.key, limitW: 0 })),
      budgets,
    );
  }

  /**
   * Sends the TxProfiles; one above the connector's fallback share falls back to it by itself
   * (see fallbackAtMs), so while the appliance is away no connector keeps more than its share.
   */
  private async sendAll(participants: readonly Participant[], changes: readonly ProfileChange[], budgets: PlanBudgets): Promise<void> {
    const byKey = new Map(participants.map((participant) => [participant.key, participant]));
    const nowMs = this.clock.nowMs();
    await Promise.all(
      changes.map((change) => {
        const participant = byKey.get(change.key)!;
        const limit = limitInUnit(change.limitW, participant.unit, participant.supply);
        const share = limitInUnit(this.shareW(participant.session.chargerId), participant.unit, participant.supply);
        const fallback =
          limit.effectiveW > share.effectiveW
            ? { limit: share, atMs: this.fallbackAtMs(nowMs, budgets.siteBudgetW), chargerBehindMs: this.clocks.behindMs(participant.session.chargerId, nowMs) }
            : undefined;
        return this.profiles.sendTransaction(participant.session, limit, participant.inForceW, fallback);
      }),
    );
  }

  /**
   * When a TxProfile sent now falls back to the share: after `txFallbackAfterMs`, or at the
   * first minute before then whose budget is below the one it was planned with (the peak window
   * begins), so a connector left alone never keeps a limit meant for a higher budget.
   */
  private fallbackAtMs(nowMs: number, plannedBudgetW: number): number {
    const atMs = nowMs + this.timings.txFallbackAfterMs;
    for (let minuteMs = Math.floor(nowMs / 60_000) * 60_000 + 60_000; minuteMs < atMs; minuteMs += 60_000) {
      const budgetW = siteBudgetW(this.config.site, minuteMs, this.deps.timeZone());
      if (budgetW !== null && budgetW < plannedBudgetW) return minuteMs;
    }
    return atMs;
  }

  private scheduleFollowUp(...plans: Plan[]): void {
    const dueAtMs = plans.map((plan) => plan.nextDueAtMs).filter((value): value is number => value !== undefined);
    if (dueAtMs.length === 0 || this.deps.clock || this.closed) return;
    clearTimeout(this.followUpTimer);
    this.followUpTimer = setTimeout(() => this.requestRecompute(), Math.max(0, Math.min(...dueAtMs) - this.clock.nowMs()) + 50);
    this.followUpTimer.unref();
  }

  // ---- what staff see ------------------------------------------------------------------------

  /** What holds while the appliance is away, for the people reading the load page: when a TxProfile falls to its share, how long a new car waits at 0. */
  outageMinutes(): { fallback: number; pause: number } {
    return { fallback: Math.ceil(this.timings.txFallbackAfterMs / 60_000), pause: Math.ceil(defaultZeroPeriodMs(this.timings) / 60_000) };
  }

  view(): LoadView {
    const site = this.config.site;
    if (site.limitW === null) {
      return { enabled: false, limitW: null, limitInForceW: null, marginW: site.marginW, allocatedW: 0, drawW: 0, overLimit: false, connectors: [] };
    }
    const nowMs = this.clock.nowMs();
    const connectors = this.participants(nowMs).map((participant): LoadConnectorView => {
      const target = this.targets.get(participant.key);
      const drawW = this.draws.reading(participant.session.id)?.drawW ?? 0;
      const flags = [...participant.flags];
      if (target?.paused) flags.push('paused');
      if (drawW > participant.inForceW + materialChangeW(participant.maxW)) flags.push('above_limit');
      return {
        chargerId: participant.session.chargerId,
        connectorId: participant.session.connectorId,
        sessionId: participant.session.id,
        maxW: participant.maxW,
        minW: participant.minW,
        allocatedW: participant.inForceW,
        targetW: target?.targetW ?? participant.inForceW,
        drawW,
        priority: participant.priority,
        groupId: participant.groupId,
        unit: participant.unit,
        flags,
      };
    });
    const limitNowW = limitInForceW(site, nowMs, this.deps.timeZone());
    const drawW = connectors.reduce((sum, connector) => sum + connector.drawW, 0);
    return {
      enabled: true,
      limitW: site.limitW,
      limitInForceW: limitNowW,
      marginW: site.marginW,
      allocatedW: connectors.reduce((sum, connector) => sum + connector.allocatedW, 0),
      drawW,
      overLimit: limitNowW !== null && drawW > limitNowW,
      connectors,
    };
  }

  /**
   * Logs once when the measured draw goes above the limit, and once when it is back under (the
   * page and the dashboard show it while it lasts). Runs on every reading, so it reads memory only.
   */
  private watchSiteDraw(): void {
    const limitW = limitInForceW(this.config.site, this.clock.nowMs(), this.deps.timeZone());
    const drawW = this.draws.totalW();
    const overLimit = limitW !== null && drawW > limitW;
    if (overLimit && this.overLimitSince === undefined) {
      this.overLimitSince = this.clock.nowMs();
      this.deps.logger.warn({ drawW, limitW }, 'measured draw exceeds the site limit');
    } else if (!overLimit && this.overLimitSince !== undefined) {
      this.overLimitSince = undefined;
      this.deps.logger.info({ drawW, limitW }, 'measured draw is back under the site limit');
    }
  }

  /** One sample per minute of the site and each charging connector, for the day chart. */
  private async sample(): Promise<void> {
    const nowMs = this.clock.nowMs();
    const minuteMs = Math.floor(nowMs / 60_000) * 60_000;
    if (minuteMs === this.lastSampleMinuteMs) return;
    this.lastSampleMinuteMs = minuteMs;
    const view = this.view();
    if (!view.enabled) return;
    const at = new Date(minuteMs).toISOString();
    const rows = [
      { at, chargerId: '', connectorId: 0, limitW: view.limitInForceW, allocatedW: view.allocatedW, drawW: view.drawW },
      ...view.connectors.map((connector) => ({ at, chargerId: connector.chargerId, connectorId: connector.connectorId, limitW: null, allocatedW: connector.allocatedW, drawW: connector.drawW })),
    ];
    const day = at.slice(0, 10);
    const pruneBefore = day !== this.lastPruneDay ? new Date(minuteMs - SAMPLE_RETENTION_MS).toISOString() : undefined;
    this.lastPruneDay = day;
    await this.deps.db.write(() => {
      this.repository.insertSamples(rows);
      if (pruneBefore) this.repository.pruneSamples(pruneBefore);
    });
  }
}

/** Chart samples are kept this long. */
const SAMPLE_RETENTION_MS = 31 * 24 * 60 * 60_000;
