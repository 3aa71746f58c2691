import type { ChargerSettings, LoadConfig } from './config';
import type { ChargingProfileSender, LoadChargers, LoadClock, LoadLogger } from './ports';
import type { ProfileBook } from './profiles';
import { limitInUnit, type RateUnit } from './units';

export interface DefaultProfilesDependencies {
  config: LoadConfig;
  profiles: ProfileBook;
  sender: ChargingProfileSender;
  chargers: LoadChargers;
  clock: LoadClock;
  logger: LoadLogger;
  /** How long a charger gets to answer. */
  timeoutMs: number;
  /** The default's 0 W period from the start of each transaction. */
  fallbackAfterMs: number;
  /** False once the service closed: nothing new is sent. */
  open(): boolean;
}

/**
 * Why a charger's default is looked at: it booted (sent whatever it has), the shares may have
 * changed (sent unless it has the right one), it came back without a boot (sent only when the one
 * it has is not the right one or not confirmed; none at all stays none).
 */
export type DefaultDue = 'booted' | 'shares' | 'reconnected';
const STRENGTH: Record<DefaultDue, number> = { reconnected: 0, shares: 1, booted: 2 };

/** A default to send, with its fallback share (in either unit it comes out at most this). */
export interface DefaultChange {
  chargerId: string;
  due: DefaultDue;
  fallbackW: number;
}

/**
 * The charger's default (1.6 TxDefaultProfile on connector 0, 2.0.1 on EVSE 0), Relative so it
 * starts with each transaction: 0 W for `fallbackAfterMs`, then the connector's fallback share.
 * Online, the TxProfile with its share comes long before the 0 W period ends, so a new session
 * never draws on top of the others' limits. Without the appliance (it restarts, the network is
 * down, the charger refuses TxProfiles) every session still charges, at a share that keeps all
 * connectors within the limit together. A charger that rejects it is counted at its maximum.
 *
 * Defaults are only marked due here; the service sends them in its recompute, ordered with the
 * TxProfiles: a default that may raise what a running session draws goes with the increases,
 * after every lowering was accepted. Turning load management off removes what the appliance set.
 */
export class DefaultProfiles {
  private readonly due = new Map<string, DefaultDue>();

  constructor(private readonly deps: DefaultProfilesDependencies) {}

  markDue(chargerIds: Iterable<string>, why: DefaultDue): void {
    for (const chargerId of chargerIds) {
      const current = this.due.get(chargerId);
      if (current === undefined || STRENGTH[why] > STRENGTH[current]) this.due.set(chargerId, why);
    }
  }

  /** The charger booted: what it says of its units and maximum is taken in before its default is due. */
  async learn(chargerId: string): Promise<void> {
    const { config, chargers } = this.deps;
    if (!this.deps.open() || !config.enabled || !chargers.isConnected(chargerId) || !chargers.isAccepted(chargerId)) return;
    const capabilities = await this.deps.sender.capabilities(chargerId, this.deps.timeoutMs);
    await config.patchCharger(
      chargerId,
      {
        ...(capabilities.rateUnits ? { reportedRateUnits: capabilities.rateUnits.join(',') } : {}),
        ...(capabilities.maxPowerW ? { reportedMaxPowerW: capabilities.maxPowerW } : {}),
      },
      new Date(this.deps.clock.nowMs()).toISOString(),
    );
  }

  /**
   * The defaults due now that should be sent (the others are forgotten): a boot always gets one;
   * otherwise one that is missing (after a shares change), not confirmed, or of another share.
   */
  takeDue(): DefaultChange[] {
    const { config, profiles, chargers } = this.deps;
    const counts = chargers.connectorCounts();
    const changes: DefaultChange[] = [];
    for (const [chargerId, due] of this.due) {
      this.due.delete(chargerId);
      if (!this.deps.open() || !chargers.isConnected(chargerId) || !chargers.isAccepted(chargerId)) continue;
      const settings = config.charger(chargerId);
      const row = profiles.defaultOf(chargerId);
      const fallbackW = this.fallbackShareW(chargerId, settings, counts);
      const changed = row !== undefined && row.limitW !== limitInUnit(fallbackW, row.unit === 'W' ? 'W' : 'A', settings.supply).effectiveW;
      const wanted = due === 'booted' || (row ? row.status !== 'rejected' && (row.status !== 'accepted' || changed) : due === 'shares');
      if (wanted) changes.push({ chargerId, due, fallbackW });
    }
    return changes;
  }

  /** A default that could not go yet (it would raise a draw the budget has no room for). */
  postpone(change: DefaultChange): void {
    this.markDue([change.chargerId], change.due);
  }

  /** Sends one default; a charger that did not say which units it takes gets the other if it rejects. */
  async send(change: DefaultChange): Promise<void> {
    const { config } = this.deps;
    const { chargerId } = change;
    if (!this.deps.open()) return;
    const settings = config.charger(chargerId);
    const nowIso = new Date(this.deps.clock.nowMs()).toISOString();
    let answer = await this.sendIn(change, settings, settings.unit, nowIso);
    if (answer === 'rejected' && !settings.unitReported) {
      const otherUnit: RateUnit = settings.unit === 'A' ? 'W' : 'A';
      answer = await this.sendIn(change, settings, otherUnit, nowIso);
      if (answer === 'accepted') await config.patchCharger(chargerId, { reportedRateUnits: otherUnit }, nowIso);
    }
    await config.patchCharger(chargerId, { profilesRejectedAt: answer === 'rejected' ? nowIso : null }, nowIso);
    if (answer === 'rejected') this.deps.logger.warn({ chargerId }, 'charger rejected the default charging profile: its sessions count at its maximum');
  }

  private sendIn(change: DefaultChange, settings: ChargerSettings, unit: RateUnit, sentAt: string) {
    const share = limitInUnit(change.fallbackW, unit, settings.supply);
    const later = share.effectiveW > 0 ? { startPeriodS: Math.round(this.deps.fallbackAfterMs / 1000), limit: share } : undefined;
    return this.deps.profiles.sendDefault(change.chargerId, unit, settings.supply, later, sentAt);
  }

  /**
   * What one connector may draw when the appliance cannot say: the lowest limit of the day (the
   * peak window's, when it has one) less the margin, shared equally by every connector of every
   * registered charger, connected or not, and by those of its feeder within the feeder's limit.
   * Below a charger's minimum the car cannot charge on it; the site then has more connectors
   * than its limit can keep charging at once, and staying within the limit comes first.
   */
  fallbackShareW(chargerId: string, settings: ChargerSettings, counts: ReadonlyMap<string, number>): number {
    const { site, groupBudgetsW } = this.deps.config;
    if (site.limitW === null) return 0;
    const lowestLimitW = site.peakWindow ? Math.min(site.limitW, site.peakWindow.limitW) : site.limitW;
    let siteConnectors = counts.has(chargerId) ? 0 : 1;
    let groupConnectors = 0;
    for (const [id, count] of counts) {
      siteConnectors += count;
      if (settings.groupId !== null && this.deps.config.charger(id).groupId === settings.groupId) groupConnectors += count;
    }
    let shareW = Math.max(0, lowestLimitW - site.marginW) / siteConnectors;
    const groupBudgetW = settings.groupId === null ? undefined : groupBudgetsW.get(settings.groupId);
    if (groupBudgetW !== undefined) shareW = Math.min(shareW, groupBudgetW / Math.max(1, groupConnectors));
    return Math.min(settings.maxW, Math.floor(shareW));
  }

  /**
   * Load management is off: the appliance's profiles are removed from the connected chargers that
   * have them (`all`), or only from those due (they came back after it was turned off).
   */
  async remove(all: boolean): Promise<void> {
    const { profiles, chargers } = this.deps;
    const chargerIds = all ? [...profiles.chargerIds()] : [...this.due.keys()].filter((chargerId) => profiles.ofCharger(chargerId).length > 0);
    this.due.clear();
    await Promise.all(chargerIds.filter((chargerId) => chargers.isConnected(chargerId) && chargers.isAccepted(chargerId)).map((chargerId) => profiles.clear(chargerId)));
  }
}
