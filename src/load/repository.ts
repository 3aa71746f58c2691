import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { schema } from '../db';
import type { PeakWindow } from './budget';

export type LoadSiteRow = typeof schema.loadSite.$inferSelect;
export type LoadGroupRow = typeof schema.loadGroups.$inferSelect;
export type LoadChargerRow = typeof schema.loadChargers.$inferSelect;
export type LoadProfileRow = typeof schema.loadProfiles.$inferSelect;
export type LoadSampleRow = typeof schema.loadSamples.$inferSelect;

const SITE_ROW_ID = 1;

/** The site's limits as staff set them; load management is off until a limit is set. */
export interface LoadSite {
  limitW: number | null;
  marginW: number;
  /** Set when staff stated the limit in amperes per phase (shown back that way). */
  limitAmpsPerPhase: number | null;
  supplyPhases: 1 | 3;
  supplyVoltageV: number;
  peakWindow: PeakWindow | null;
}

export const LOAD_OFF: LoadSite = { limitW: null, marginW: 0, limitAmpsPerPhase: null, supplyPhases: 3, supplyVoltageV: 230, peakWindow: null };

/** SQL for the load management tables; every one of them is owned by src/load/. */
export class LoadRepository {
  constructor(private readonly db: Db) {}

  site(): LoadSite {
    const row = this.db.orm.select().from(schema.loadSite).where(eq(schema.loadSite.id, SITE_ROW_ID)).get();
    if (!row) return LOAD_OFF;
    return {
      limitW: row.limitW,
      marginW: row.marginW,
      limitAmpsPerPhase: row.limitAmpsPerPhase,
      supplyPhases: row.supplyPhases === 1 ? 1 : 3,
      supplyVoltageV: row.supplyVoltageV,
      peakWindow:
        row.peakFromMinute !== null && row.peakToMinute !== null && row.peakLimitW !== null
          ? { fromMinute: row.peakFromMinute, toMinute: row.peakToMinute, limitW: row.peakLimitW }
          : null,
    };
  }

  saveSite(site: LoadSite, updatedAt: string): void {
    const values = {
      limitW: site.limitW,
      marginW: site.marginW,
      limitAmpsPerPhase: site.limitAmpsPerPhase,
      supplyPhases: site.supplyPhases,
      supplyVoltageV: site.supplyVoltageV,
      peakFromMinute: site.peakWindow?.fromMinute ?? null,
      peakToMinute: site.peakWindow?.toMinute ?? null,
      peakLimitW: site.peakWindow?.limitW ?? null,
      updatedAt,
    };
    this.db.orm
      .insert(schema.loadSite)
      .values({ id: SITE_ROW_ID, ...values })
      .onConflictDoUpdate({ target: schema.loadSite.id, set: values })
      .run();
  }

  // ---- feeder groups -------------------------------------------------------------------------

  groups(): LoadGroupRow[] {
    return this.db.orm.select().from(schema.loadGroups).orderBy(asc(schema.loadGroups.name), asc(schema.loadGroups.id)).all();
  }

  group(id: number): LoadGroupRow | undefined {
    return this.db.orm.select().from(schema.loadGroups).where(eq(schema.loadGroups.id, id)).get();
  }

  insertGroup(name: string, limitW: number, at: string): LoadGroupRow {
    return this.db.orm.insert(schema.loadGroups).values({ name, limitW, createdAt: at, updatedAt: at }).returning().get();
  }

  updateGroup(id: number, name: string, limitW: number, at: string): void {
    this.db.orm.update(schema.loadGroups).set({ name, limitW, updatedAt: at }).where(eq(schema.loadGroups.id, id)).run();
  }

  /** Removes a group; its chargers are then behind the site limit only. */
  deleteGroup(id: number, at: string): void {
    this.db.orm.update(schema.loadChargers).set({ groupId: null, updatedAt: at }).where(eq(schema.loadChargers.groupId, id)).run();
    this.db.orm.delete(schema.loadGroups).where(eq(schema.loadGroups.id, id)).run();
  }

  // ---- chargers and priorities ---------------------------------------------------------------

  chargers(): LoadChargerRow[] {
    return this.db.orm.select().from(schema.loadChargers).all();
  }

  charger(chargerId: string): LoadChargerRow | undefined {
    return this.db.orm.select().from(schema.loadChargers).where(eq(schema.loadChargers.chargerId, chargerId)).get();
  }

  /** Writes some fields of a charger's row, creating it with defaults when it has none. */
  patchCharger(chargerId: string, patch: Partial<Omit<LoadChargerRow, 'chargerId' | 'updatedAt'>>, at: string): void {
    this.db.orm
      .insert(schema.loadChargers)
      .values({ chargerId, ...patch, updatedAt: at })
      .onConflictDoUpdate({ target: schema.loadChargers.chargerId, set: { ...patch, updatedAt: at } })
      .run();
  }

  connectorPriorities(): { chargerId: string; connectorId: number; priority: number }[] {
    return this.db.orm.select().from(schema.loadConnectorPriorities).all();
  }

  setConnectorPriority(chargerId: string, connectorId: number, priority: number, at: string): void {
    const table = schema.loadConnectorPriorities;
    if (priority === 0) {
      this.db.orm.delete(table).where(and(eq(table.chargerId, chargerId), eq(table.connectorId, connectorId))).run();
      return;
    }
    this.db.orm
      .insert(table)
      .values({ chargerId, connectorId, priority, updatedAt: at })
      .onConflictDoUpdate({ target: [table.chargerId, table.connectorId], set: { priority, updatedAt: at } })
      .run();
  }

  driverPriorities(): { userId: number; priority: number }[] {
    return this.db.orm.select().from(schema.loadDriverPriorities).all();
  }

  setDriverPriority(userId: number, priority: number, at: string): void {
    const table = schema.loadDriverPriorities;
    if (priority === 0) {
      this.db.orm.delete(table).where(eq(table.userId, userId)).run();
      return;
    }
    this.db.orm.insert(table).values({ userId, priority, updatedAt: at }).onConflictDoUpdate({ target: table.userId, set: { priority, updatedAt: at } }).run();
  }

  // ---- profiles sent -------------------------------------------------------------------------

  profiles(): LoadProfileRow[] {
    return this.db.orm.select().from(schema.loadProfiles).all();
  }

  saveProfile(row: LoadProfileRow): void {
    const table = schema.loadProfiles;
    const { chargerId, connectorId, purpose, ...rest } = row;
    this.db.orm
      .insert(table)
      .values(row)
      .onConflictDoUpdate({ target: [table.chargerId, table.connectorId, table.purpose], set: rest })
      .run();
  }

  deleteProfiles(chargerId: string): void {
    this.db.orm.delete(schema.loadProfiles).where(eq(schema.loadProfiles.chargerId, chargerId)).run();
  }

  deleteProfile(chargerId: string, connectorId: number, purpose: LoadProfileRow['purpose']): void {
    const table = schema.loadProfiles;
    this.db.orm.delete(table).where(and(eq(table.chargerId, chargerId), eq(table.connectorId, connectorId), eq(table.purpose, purpose))).run();
  }

  // ---- samples for the day chart -------------------------------------------------------------

  insertSamples(rows: readonly LoadSampleRow[]): void {
    for (const row of rows) this.db.orm.insert(schema.loadSamples).values(row).onConflictDoNothing().run();
  }

  samplesBetween(fromIso: string, toIso: string): LoadSampleRow[] {
    const table = schema.loadSamples;
    return this.db.orm
      .select()
      .from(table)
      .where(and(gte(table.at, fromIso), lt(table.at, toIso)))
      .orderBy(asc(table.at), asc(table.chargerId), asc(table.connectorId))
      .all();
  }

  pruneSamples(beforeIso: string): number {
    return this.db.orm.delete(schema.loadSamples).where(lt(schema.loadSamples.at, beforeIso)).run().changes;
  }
}
