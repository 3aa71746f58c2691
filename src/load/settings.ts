import type { Db } from '../db';
import { badRequest, notFound, nowIso, parseInput, type AuditActor, type RecordAudit } from '../shared';
import {
  chargerLoadSchema,
  loadGroupSchema,
  loadLimitsSchema,
  loadSiteSchema,
  maxPowerSchema,
  prioritySchema,
  type ChargerLoadInput,
  type LoadLimitsInput,
  type LoadSiteInput,
} from './input';
import type { LoadGroupRow, LoadRepository, LoadSite } from './repository';

/**
 * Staff changes to load management: the site's limits, feeder groups, each charger's power and
 * priority, connector and driver priorities. Each change and its audit entry are written in one
 * transaction (CONTRACT: the API is audited like the UI); afterwards the allocation is recomputed.
 */
export class LoadSettings {
  constructor(
    private readonly db: Db,
    private readonly repository: LoadRepository,
    private readonly audit: RecordAudit,
    private readonly afterChange: () => void,
  ) {}

  private async change<T>(run: () => T): Promise<T> {
    const result = await this.db.write(run);
    this.afterChange();
    return result;
  }

  /** CONTRACT `PUT /load`: the limit and, when given, the margin (kept otherwise). */
  async setLimits(input: unknown, actor: AuditActor): Promise<LoadSite> {
    const parsed: LoadLimitsInput = parseInput(loadLimitsSchema, input);
    return this.change(() => {
      const before = this.repository.site();
      const marginW = parsed.marginW ?? before.marginW;
      if (parsed.limitW !== null && marginW >= parsed.limitW) throw badRequest('invalid_request', `marginW: the margin (${marginW} W) must be less than limitW`, { field: 'marginW' });
      // A limit given in watts replaces one stated in amperes.
      const after: LoadSite = { ...before, limitW: parsed.limitW, marginW, limitAmpsPerPhase: parsed.limitW === before.limitW ? before.limitAmpsPerPhase : null };
      this.repository.saveSite(after, nowIso());
      this.audit(actor, { action: 'load.limits', objectType: 'load', before: limitsOf(before), after: limitsOf(after) });
      return after;
    });
  }

  /** The whole site form: limit (in W, or A per phase with the supply), margin, peak window. */
  async setSite(input: LoadSiteInput, actor: AuditActor): Promise<LoadSite> {
    const parsed = parseInput(loadSiteSchema, input);
    return this.change(() => {
      const before = this.repository.site();
      const after: LoadSite = {
        limitW: parsed.limitW,
        marginW: parsed.marginW,
        limitAmpsPerPhase: parsed.limitAmpsPerPhase,
        supplyPhases: parsed.supply.phases,
        supplyVoltageV: parsed.supply.voltageV,
        peakWindow: parsed.peakWindow,
      };
      this.repository.saveSite(after, nowIso());
      this.audit(actor, { action: 'load.site', objectType: 'load', before, after });
      return after;
    });
  }

  async createGroup(input: unknown, actor: AuditActor): Promise<LoadGroupRow> {
    const parsed = parseInput(loadGroupSchema, input);
    return this.change(() => {
      const group = this.repository.insertGroup(parsed.name, parsed.limitW, nowIso());
      this.audit(actor, { action: 'load.group_create', objectType: 'load_group', objectId: group.id, after: parsed });
      return group;
    });
  }

  async updateGroup(id: number, input: unknown, actor: AuditActor): Promise<void> {
    const parsed = parseInput(loadGroupSchema, input);
    await this.change(() => {
      const before = this.repository.group(id);
      if (!before) throw notFound('Load group', String(id));
      this.repository.updateGroup(id, parsed.name, parsed.limitW, nowIso());
      this.audit(actor, { action: 'load.group_update', objectType: 'load_group', objectId: id, before: { name: before.name, limitW: before.limitW }, after: parsed });
    });
  }

  async deleteGroup(id: number, actor: AuditActor): Promise<void> {
    await this.change(() => {
      const before = this.repository.group(id);
      if (!before) throw notFound('Load group', String(id));
      this.repository.deleteGroup(id, nowIso());
      this.audit(actor, { action: 'load.group_delete', objectType: 'load_group', objectId: id, before: { name: before.name, limitW: before.limitW } });
    });
  }

  /** A charger's load settings; `chargerExists` is asked inside the transaction. */
  async setCharger(chargerId: string, input: unknown, actor: AuditActor, chargerExists: (id: string) => boolean): Promise<void> {
    const parsed: ChargerLoadInput = parseInput(chargerLoadSchema, input);
    await this.change(() => {
      if (!chargerExists(chargerId)) throw notFound('Charger', chargerId);
      if (parsed.groupId != null && !this.repository.group(parsed.groupId)) throw notFound('Load group', String(parsed.groupId));
      const row = this.repository.charger(chargerId);
      const before = row ? { maxPowerW: row.maxPowerW, minPowerW: row.minPowerW, phases: row.phases, voltageV: row.voltageV, groupId: row.groupId, priority: row.priority } : {};
      this.repository.patchCharger(chargerId, parsed, nowIso());
      this.audit(actor, { action: 'load.charger', objectType: 'charger', objectId: chargerId, before, after: parsed });
    });
  }

  /** CONTRACT `PATCH /chargers/{id}` `maxPowerW`; parse first so a bad value changes nothing else. */
  parseMaxPower(input: unknown): number | null {
    return parseInput(maxPowerSchema, input);
  }

  async setMaxPower(chargerId: string, maxPowerW: number | null, actor: AuditActor): Promise<void> {
    await this.change(() => {
      const before = this.repository.charger(chargerId)?.maxPowerW ?? null;
      this.repository.patchCharger(chargerId, { maxPowerW }, nowIso());
      this.audit(actor, { action: 'load.charger', objectType: 'charger', objectId: chargerId, before: { maxPowerW: before }, after: { maxPowerW } });
    });
  }

  async setConnectorPriority(chargerId: string, connectorId: number, input: unknown, actor: AuditActor): Promise<void> {
    const priority = parseInput(prioritySchema, input);
    await this.change(() => {
      this.repository.setConnectorPriority(chargerId, connectorId, priority, nowIso());
      this.audit(actor, { action: 'load.connector_priority', objectType: 'connector', objectId: `${chargerId}/${connectorId}`, after: { priority } });
    });
  }

  async setDriverPriority(userId: number, input: unknown, actor: AuditActor): Promise<void> {
    const priority = parseInput(prioritySchema, input);
    await this.change(() => {
      this.repository.setDriverPriority(userId, priority, nowIso());
      this.audit(actor, { action: 'load.driver_priority', objectType: 'driver', objectId: userId, after: { priority } });
    });
  }
}

function limitsOf(site: LoadSite): { limitW: number | null; marginW: number } {
  return { limitW: site.limitW, marginW: site.marginW };
}
