import type { Db } from '../db';
import type { LoadChargerRow, LoadRepository, LoadSite } from './repository';
import { DEFAULT_MAX_CURRENT_A, minimumChargingW, wattsFromAmpsPerPhase, type RateUnit, type Supply } from './units';

/** The smallest change worth a profile: 2 % of the connector's maximum, at least this. */
const MATERIAL_CHANGE_MIN_W = 300;
const MATERIAL_CHANGE_SHARE = 0.02;

/**
 * The load settings in memory: MeterValues arrive many times a second and must not query them.
 * Reloaded only after a write of them committed; a charger's row is taken in once its write did.
 */
interface Snapshot {
  site: LoadSite;
  groupBudgetsW: Map<number, number>;
  chargers: Map<string, LoadChargerRow>;
  connectorPriority: Map<string, number>;
  driverPriority: Map<number, number>;
}

export class LoadConfig {
  private snapshot: Snapshot;

  constructor(
    private readonly db: Db,
    private readonly repository: LoadRepository,
    /** Told once a charger's row changed (what it reported at boot, a unit it takes): its fallback share may change. */
    private readonly onChargerChanged: (chargerId: string) => void = () => undefined,
  ) {
    this.snapshot = this.read();
  }

  reload(): void {
    this.snapshot = this.read();
  }

  private read(): Snapshot {
    return {
      site: this.repository.site(),
      groupBudgetsW: new Map(this.repository.groups().map((group) => [group.id, group.limitW])),
      chargers: new Map(this.repository.chargers().map((row) => [row.chargerId, row])),
      connectorPriority: new Map(this.repository.connectorPriorities().map((row) => [`${row.chargerId}/${row.connectorId}`, row.priority])),
      driverPriority: new Map(this.repository.driverPriorities().map((row) => [row.userId, row.priority])),
    };
  }

  get site(): LoadSite {
    return this.snapshot.site;
  }

  get groupBudgetsW(): ReadonlyMap<number, number> {
    return this.snapshot.groupBudgetsW;
  }

  get enabled(): boolean {
    return this.site.limitW !== null;
  }

  charger(chargerId: string): ChargerSettings {
    return chargerSettings(this.snapshot.chargers.get(chargerId), this.site);
  }

  /** The highest of the charger's, the connector's (`chargerId/connectorId`) and the driver's priority. */
  priorityOf(chargerPriority: number, connectorKey: string, userId: number | null): number {
    const driverPriority = userId === null ? 0 : (this.snapshot.driverPriority.get(userId) ?? 0);
    return Math.max(chargerPriority, this.snapshot.connectorPriority.get(connectorKey) ?? 0, driverPriority);
  }

  /** Writes a charger's row and takes it into memory once committed. */
  async patchCharger(chargerId: string, patch: Parameters<LoadRepository['patchCharger']>[1], at: string): Promise<void> {
    await this.db.write(() => this.repository.patchCharger(chargerId, patch, at));
    const row = this.repository.charger(chargerId);
    if (row) this.snapshot.chargers.set(chargerId, row);
    this.onChargerChanged(chargerId);
  }

  forgetCharger(chargerId: string): void {
    this.snapshot.chargers.delete(chargerId);
  }
}

export function materialChangeW(maxW: number): number {
  return Math.max(MATERIAL_CHANGE_MIN_W, Math.round(maxW * MATERIAL_CHANGE_SHARE));
}

/**
 * The unit a charger gets: W when it takes watts (the budget is in watts, so nothing is lost to
 * rounding), else A per phase. A charger that never said is sent A: every OCPP 1.6 charger with
 * smart charging takes Current (ChargingScheduleAllowedChargingRateUnit), not all take Power.
 */
export function chooseRateUnit(reported: string | null | undefined): RateUnit {
  const units = (reported ?? '').split(',').map((unit) => unit.trim());
  return units.includes('W') ? 'W' : 'A';
}

export interface ChargerSettings {
  supply: Supply;
  unit: RateUnit;
  /** False while the charger has not said which units it takes (`unit` is then a guess). */
  unitReported: boolean;
  maxW: number;
  minW: number;
  priority: number;
  groupId: number | null;
  profilesRejectedAtMs: number | undefined;
}

/** A charger's settings with defaults: 3 phases at the site voltage, 32 A, a 6 A minimum. */
function chargerSettings(row: LoadChargerRow | undefined, site: LoadSite): ChargerSettings {
  const supply: Supply = { phases: row?.phases === 1 ? 1 : 3, voltageV: row?.voltageV ?? site.supplyVoltageV };
  const maxW = row?.maxPowerW ?? row?.reportedMaxPowerW ?? wattsFromAmpsPerPhase(DEFAULT_MAX_CURRENT_A, supply);
  return {
    supply,
    unit: chooseRateUnit(row?.reportedRateUnits),
    unitReported: Boolean(row?.reportedRateUnits),
    maxW,
    minW: Math.min(maxW, row?.minPowerW ?? minimumChargingW(supply)),
    priority: row?.priority ?? 0,
    groupId: row?.groupId ?? null,
    profilesRejectedAtMs: row?.profilesRejectedAt ? Date.parse(row.profilesRejectedAt) : undefined,
  };
}
