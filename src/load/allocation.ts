/**
 * Dividing the site's power among the connectors that charge: a pure function of the budgets
 * and what each connector can use, so it is tested without chargers, clocks or a database.
 *
 * The rules, in order:
 * 1. Connectors the appliance cannot steer (a charger that rejects profiles, or one offline
 *    with a limit it keeps) are counted at what they may draw, before anyone else.
 * 2. Minimums: a connector either gets at least its minimum power or is paused at 0 (an EV
 *    cannot charge on less than 6 A). When there is not enough for everyone's minimum, higher
 *    priority goes first, then the connector that has delivered least energy this session, so
 *    paused cars take turns instead of one starving.
 * 3. Fair share: what is left is filled evenly ("water filling", max-min fair): every connector
 *    rises together until it reaches what it can use (its maximum, or less when it draws less),
 *    or a limit it sits behind (the site, its feeder group) is used up. A higher priority level
 *    is filled before a lower one rises above its minimum.
 * Allocations are whole watts, rounded down, so their sum never exceeds a budget.
 */

export interface AllocationConnector {
  key: string;
  /** The feeder group it sits behind, with its own limit; null when only the site limit applies. */
  groupId: number | null;
  minW: number;
  /** What it can use: its maximum, or less when the car draws less (see estimateDemandW). */
  demandW: number;
  /** Higher first (fleet vehicles); 0 is normal. */
  priority: number;
  /** Energy delivered in this session so far. */
  sessionEnergyWh: number;
}

/** A connector counted as it is: the appliance cannot change what it may draw. */
export interface FixedDraw {
  key: string;
  groupId: number | null;
  reservedW: number;
}

export interface AllocationInput {
  siteBudgetW: number;
  /** Budget per feeder group id; a connector of a group missing here has only the site limit. */
  groupBudgetsW: ReadonlyMap<number, number>;
  connectors: readonly AllocationConnector[];
  fixed: readonly FixedDraw[];
}

export interface AllocationResult {
  allocatedW: Map<string, number>;
  /** Connectors that wanted power but got 0 because their minimum did not fit. */
  paused: Set<string>;
  /** How far the fixed draws alone exceed the site or a group budget (0 when they fit). */
  overcommittedW: number;
}

/** Water levels and budgets closer than this (in W) are taken as equal. */
const EPSILON_W = 1e-6;

export function allocate(input: AllocationInput): AllocationResult {
  const remaining = new Budgets(input);
  let overcommittedW = 0;
  for (const fixed of input.fixed) overcommittedW = Math.max(overcommittedW, remaining.take(fixed.groupId, fixed.reservedW));

  const allocatedW = new Map<string, number>();
  const paused = new Set<string>();
  const granted: AllocationConnector[] = [];
  const byTurn = [...input.connectors].sort(
    (a, b) => b.priority - a.priority || a.sessionEnergyWh - b.sessionEnergyWh || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (const connector of byTurn) {
    const minimumW = Math.max(0, connector.minW);
    if (connector.demandW <= 0) {
      allocatedW.set(connector.key, 0);
    } else if (remaining.fits(connector.groupId, minimumW)) {
      remaining.take(connector.groupId, minimumW);
      allocatedW.set(connector.key, minimumW);
      granted.push(connector);
    } else {
      allocatedW.set(connector.key, 0);
      paused.add(connector.key);
    }
  }

  const levels = [...new Set(granted.map((connector) => connector.priority))].sort((a, b) => b - a);
  for (const level of levels) {
    fill(
      granted.filter((connector) => connector.priority === level),
      allocatedW,
      remaining,
    );
  }
  for (const [key, watts] of allocatedW) allocatedW.set(key, Math.floor(watts + EPSILON_W));
  return { allocatedW, paused, overcommittedW };
}

/**
 * Progressive filling from each connector's current allocation. Each round raises the lowest
 * connectors together until one of them reaches its cap, catches up with the next higher one, or
 * a budget it draws from runs out.
 */
function fill(connectors: readonly AllocationConnector[], allocatedW: Map<string, number>, remaining: Budgets): void {
  const capW = new Map(connectors.map((connector) => [connector.key, Math.max(connector.minW, connector.demandW)]));
  let open = connectors.filter((connector) => allocatedW.get(connector.key)! < capW.get(connector.key)! - EPSILON_W);
  while (open.length > 0) {
    const levelW = Math.min(...open.map((connector) => allocatedW.get(connector.key)!));
    const rising = open.filter((connector) => allocatedW.get(connector.key)! <= levelW + EPSILON_W);
    let stepW = Math.min(...rising.map((connector) => capW.get(connector.key)! - levelW));
    for (const connector of open) {
      const above = allocatedW.get(connector.key)! - levelW;
      if (above > EPSILON_W) stepW = Math.min(stepW, above);
    }
    stepW = Math.min(stepW, remaining.evenShareW(rising));
    for (const connector of rising) {
      allocatedW.set(connector.key, allocatedW.get(connector.key)! + stepW);
      remaining.take(connector.groupId, stepW);
    }
    open = open.filter((connector) => allocatedW.get(connector.key)! < capW.get(connector.key)! - EPSILON_W && remaining.hasRoom(connector.groupId));
  }
}

/** What is left of the site budget and of each group's budget. */
class Budgets {
  private siteW: number;
  private readonly groupW: Map<number, number>;

  constructor(input: AllocationInput) {
    this.siteW = input.siteBudgetW;
    this.groupW = new Map(input.groupBudgetsW);
  }

  private groupOf(groupId: number | null): number {
    return groupId !== null && this.groupW.has(groupId) ? this.groupW.get(groupId)! : Infinity;
  }

  fits(groupId: number | null, watts: number): boolean {
    return watts <= this.siteW + EPSILON_W && watts <= this.groupOf(groupId) + EPSILON_W;
  }

  /** True while both the site and the group have power left to hand out. */
  hasRoom(groupId: number | null): boolean {
    return this.siteW > EPSILON_W && this.groupOf(groupId) > EPSILON_W;
  }

  /** Takes power from the site and the group; returns by how much either went below zero. */
  take(groupId: number | null, watts: number): number {
    this.siteW -= watts;
    let shortW = Math.max(0, -this.siteW);
    if (groupId !== null && this.groupW.has(groupId)) {
      const left = this.groupW.get(groupId)! - watts;
      this.groupW.set(groupId, left);
      shortW = Math.max(shortW, -left);
    }
    return shortW;
  }

  /** The most every one of `rising` can get at once: each budget split among its members. */
  evenShareW(rising: readonly AllocationConnector[]): number {
    let shareW = Math.max(0, this.siteW) / rising.length;
    const perGroup = new Map<number, number>();
    for (const connector of rising) {
      if (connector.groupId !== null && this.groupW.has(connector.groupId)) perGroup.set(connector.groupId, (perGroup.get(connector.groupId) ?? 0) + 1);
    }
    for (const [groupId, count] of perGroup) shareW = Math.min(shareW, Math.max(0, this.groupW.get(groupId)!) / count);
    return shareW;
  }
}
