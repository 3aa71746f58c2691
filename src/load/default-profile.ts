import type { LoadConfig } from './config';
import type { ChargingProfileSender, LoadChargers, LoadClock, LoadLogger } from './ports';
import type { ProfileBook } from './profiles';
import type { RateUnit } from './units';

export interface DefaultProfilesDependencies {
  config: LoadConfig;
  profiles: ProfileBook;
  sender: ChargingProfileSender;
  chargers: LoadChargers;
  clock: LoadClock;
  logger: LoadLogger;
  /** How long a charger gets to answer. */
  timeoutMs: number;
  /** False once the service closed: nothing new is sent. */
  open(): boolean;
  /** A charger's answer changes what its sessions count at. */
  requestRecompute(): void;
}

/**
 * The safe default (1.6 TxDefaultProfile on connector 0, 2.0.1 on EVSE 0) at 0 W: a session
 * that starts before the appliance gave it a share, or while the charger is offline, draws
 * nothing until its TxProfile comes. A charger that rejects it is counted at its maximum.
 * Turning load management off removes what the appliance set.
 */
export class DefaultProfiles {
  constructor(private readonly deps: DefaultProfilesDependencies) {}

  async install(chargerId: string): Promise<void> {
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
    let answer = await profiles.sendDefault(chargerId, settings.unit, settings.supply, nowIso);
    if (answer === 'rejected' && !capabilities.rateUnits) {
      // The charger did not say which units it takes: the other one may be what it wants.
      const otherUnit: RateUnit = settings.unit === 'A' ? 'W' : 'A';
      answer = await profiles.sendDefault(chargerId, otherUnit, settings.supply, nowIso);
      if (answer === 'accepted') await config.patchCharger(chargerId, { reportedRateUnits: otherUnit }, nowIso);
    }
    await config.patchCharger(chargerId, { profilesRejectedAt: answer === 'rejected' ? nowIso : null }, nowIso);
    if (answer === 'rejected') this.deps.logger.warn({ chargerId }, 'charger rejected the default charging profile: its sessions count at its maximum');
    this.deps.requestRecompute();
  }

  /** Load management was turned off: the appliance's profiles are removed from the chargers. */
  async removeAll(): Promise<void> {
    const { profiles, chargers } = this.deps;
    await Promise.all([...profiles.chargerIds()].filter((chargerId) => chargers.isConnected(chargerId)).map((chargerId) => profiles.clear(chargerId)));
  }
}
