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
  /** A charger's answer changes what its sessions count at. */
  requestRecompute(): void;
}

/**
 * The charger's default (1.6 TxDefaultProfile on connector 0, 2.0.1 on EVSE 0), Relative so it
 * starts with each transaction: 0 W for `fallbackAfterMs`, then the connector's fallback share.
 * Online, the TxProfile with its share comes long before the 0 W period ends, so a new session
 * never draws on top of the others' limits. Without the appliance (it restarts, the network is
 * down, the charger refuses TxProfiles) every session still charges, at a share that keeps all
 * connectors within the limit together. A charger that rejects it is counted at its maximum.
 * Turning load management off removes what the appliance set.
 */
export class DefaultProfiles {
  /** One default at a time per charger (a boot and a settings change may meet). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: DefaultProfilesDependencies) {}

  install(chargerId: string): Promise<void> {
    const previous = this.inFlight.get(chargerId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.installNow(chargerId));
    this.inFlight.set(chargerId, next);
    const forget = () => {
      if (this.inFlight.get(chargerId) === next) this.inFlight.delete(chargerId);
    };
    return next.then(forget, (error: unknown) => {
      forget();
      throw error;
    });
  }

  private async installNow(chargerId: string): Promise<void> {
    const { config, profiles, chargers } = this.deps;
    if (!this.deps.open() || !chargers.isConnected(chargerId) || !chargers.isAccepted(chargerId)) return;
    if (!config.enabled) {
      if (profiles.ofCharger(chargerId).length > 0) await profiles.clear(chargerId);
      return;
    }
    const capabilities = await this.deps.sender.capabilities(chargerId, this.deps.timeoutMs);
    const nowIso = new Date(this.deps.clock.nowMs()).toISOString();
    await config.patchCharger(
      chargerId,
      {
        ...(capabilities.rateUnits ? { reportedRateUnits: capabilities.rateUnits.join(',') } : {}),
        ...(capabilities.maxPowerW ? { reportedMaxPowerW: capabilities.maxPowerW } : {}),
      },
      nowIso,
    );
    const settings = config.charger(chargerId);
    const shareW = this.fallbackShareW(chargerId, settings, chargers.connectorCounts());
    let answer = await this.send(chargerId, settings, settings.unit, shareW, nowIso);
    if (answer === 'rejected' && !capabilities.rateUnits) {
      // The charger did not say which units it takes: the other one may be what it wants.
      const otherUnit: RateUnit = settings.unit === 'A' ? 'W' : 'A';
      answer = await this.send(chargerId, settings, otherUnit, shareW, nowIso);
      if (answer === 'accepted') await config.patchCharger(chargerId, { reportedRateUnits: otherUnit }, nowIso);
    }
    await config.patchCharger(chargerId, { profilesRejectedAt: answer === 'rejected' ? nowIso : null }, nowIso);
    if (answer === 'rejected') this.deps.logger.warn({ chargerId }, 'charger rejected the default charging profile: its sessions count at its maximum');
    this.deps.requestRecompute();
  }

  private send(chargerId: string, settings: ChargerSettings, unit: RateUnit, shareW: number, sentAt: string) {
    const share = limitInUnit(shareW, unit, settings.supply);
    const later = share.effectiveW > 0 ? { startPeriodS: Math.round(this.deps.fallbackAfterMs / 1000), limit: share } : undefined;
    return this.deps.profiles.sendDefault(chargerId, unit, settings.supply, later, sentAt);
  }

  /**
   * Sends the default again where the charger's is not the one it should have: a share that
   * changed, an answer that never came, or (with `missing`) none at all. With load management
   * off, removes what the appliance left on the charger, so a charger that was away when it was
   * turned off is never left at the old limits.
   */
  refresh(chargerIds: readonly string[], missing: boolean): Promise<void>[] {
    const { config, profiles, chargers } = this.deps;
    const counts = config.enabled ? chargers.connectorCounts() : new Map<string, number>();
    const work: Promise<void>[] = [];
    for (const chargerId of chargerIds) {
      if (!chargers.isConnected(chargerId) || !chargers.isAccepted(chargerId)) continue;
      if (!config.enabled) {
        if (profiles.ofCharger(chargerId).length > 0) work.push(profiles.clear(chargerId));
        continue;
      }
      const row = profiles.defaultOf(chargerId);
      if (!row) {
        if (missing) work.push(this.install(chargerId));
        continue;
      }
      if (row.status === 'rejected') continue;
      const settings = config.charger(chargerId);
      const shareW = limitInUnit(this.fallbackShareW(chargerId, settings, counts), row.unit === 'W' ? 'W' : 'A', settings.supply).effectiveW;
      if (row.status !== 'accepted' || row.limitW !== shareW) work.push(this.install(chargerId));
    }
    return work;
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

  /** Load management was turned off: the appliance's profiles are removed from the chargers. */
  async removeAll(): Promise<void> {
    const { profiles, chargers } = this.deps;
    await Promise.all([...profiles.chargerIds()].filter((chargerId) => chargers.isConnected(chargerId)).map((chargerId) => profiles.clear(chargerId)));
  }
}
