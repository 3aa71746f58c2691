/**
 * When to send a charging profile, as pure decisions over the state the service keeps: only on
 * a real change, at most one profile per connector per interval, and never so that the limits in
 * force could add up to more than a budget. The service sends the decreases first, waits for the
 * chargers' answers, and only then plans the increases against the limits now in force, so the
 * sum of what the chargers may draw stays within the limit at every moment in between.
 */

export interface ConnectorProfileState {
  key: string;
  groupId: number | null;
  /**
   * What the charger may draw now: the last limit it accepted (for a change still on its way,
   * the higher of the old and the new one). For a connector the appliance cannot steer, what it
   * is counted at.
   */
  inForceW: number;
  /** The allocation, already in the charger's unit (its effective watts). */
  targetW: number;
  minW: number;
  /** Smallest change worth a profile for this connector. */
  materialW: number;
  /** When the last profile for this connector (and this transaction) was sent; undefined: never. */
  lastSentAtMs: number | undefined;
  /** False for connectors counted as they are (rejecting chargers, offline chargers). */
  steerable: boolean;
}

export interface PlanBudgets {
  siteBudgetW: number;
  groupBudgetsW: ReadonlyMap<number, number>;
}

export interface PlanRules {
  /** At most one profile per connector per this interval, except to get back within a limit. */
  minIntervalMs: number;
}

export interface ProfileChange {
  key: string;
  limitW: number;
}

export interface Plan {
  changes: ProfileChange[];
  /** When a change held back by the rate limit becomes due (undefined when none waits). */
  nextDueAtMs: number | undefined;
}

/** Sums of what is in force, per site and group, and whether a budget is exceeded. */
class InForce {
  siteW = 0;
  readonly groupW = new Map<number, number>();

  constructor(
    states: readonly ConnectorProfileState[],
    private readonly budgets: PlanBudgets,
  ) {
    for (const state of states) this.add(state.groupId, state.inForceW);
  }

  add(groupId: number | null, watts: number): void {
    this.siteW += watts;
    if (groupId !== null) this.groupW.set(groupId, (this.groupW.get(groupId) ?? 0) + watts);
  }

  /** True when the site or this connector's group has more in force than its budget. */
  exceeded(groupId: number | null): boolean {
    if (this.siteW > this.budgets.siteBudgetW) return true;
    const groupBudgetW = groupId === null ? undefined : this.budgets.groupBudgetsW.get(groupId);
    return groupBudgetW !== undefined && (this.groupW.get(groupId!) ?? 0) > groupBudgetW;
  }

  headroomW(groupId: number | null): number {
    let headroomW = this.budgets.siteBudgetW - this.siteW;
    const groupBudgetW = groupId === null ? undefined : this.budgets.groupBudgetsW.get(groupId);
    if (groupBudgetW !== undefined) headroomW = Math.min(headroomW, groupBudgetW - (this.groupW.get(groupId!) ?? 0));
    return Math.max(0, headroomW);
  }
}

function isDue(state: ConnectorProfileState, nowMs: number, rules: PlanRules): boolean {
  return state.lastSentAtMs === undefined || nowMs - state.lastSentAtMs >= rules.minIntervalMs;
}

function dueAtMs(state: ConnectorProfileState, rules: PlanRules): number {
  return (state.lastSentAtMs ?? 0) + rules.minIntervalMs;
}

function earliest(current: number | undefined, candidate: number): number {
  return current === undefined ? candidate : Math.min(current, candidate);
}

/**
 * Lowers: a real change (by its material step, or a pause to 0) when its interval has passed,
 * and at once, whatever the interval, while the limits in force exceed the budget it sits behind.
 */
export function planDecreases(states: readonly ConnectorProfileState[], budgets: PlanBudgets, nowMs: number, rules: PlanRules): Plan {
  const inForce = new InForce(states, budgets);
  const changes: ProfileChange[] = [];
  let nextDueAtMs: number | undefined;
  for (const state of states) {
    if (!state.steerable || state.targetW >= state.inForceW) continue;
    const real = state.inForceW - state.targetW >= state.materialW || state.targetW === 0;
    if (!real) continue;
    if (isDue(state, nowMs, rules) || inForce.exceeded(state.groupId)) changes.push({ key: state.key, limitW: state.targetW });
    else nextDueAtMs = earliest(nextDueAtMs, dueAtMs(state, rules));
  }
  return { changes, nextDueAtMs };
}

/**
 * Raises, each only as far as the budgets' headroom over what is in force allows (a raise waits
 * for the lowering it depends on to be accepted). Connectors at 0 go first, then the largest
 * shortfall. A raise that would come out smaller than the material step, or below the minimum
 * for a connector at 0, is not sent.
 */
export function planIncreases(states: readonly ConnectorProfileState[], budgets: PlanBudgets, nowMs: number, rules: PlanRules): Plan {
  const inForce = new InForce(states, budgets);
  const changes: ProfileChange[] = [];
  let nextDueAtMs: number | undefined;
  const wanting = states
    .filter((state) => state.steerable && state.targetW > state.inForceW)
    .sort((a, b) => Number(b.inForceW === 0) - Number(a.inForceW === 0) || b.targetW - b.inForceW - (a.targetW - a.inForceW) || (a.key < b.key ? -1 : 1));
  for (const state of wanting) {
    if (state.targetW - state.inForceW < state.materialW && state.inForceW > 0) continue;
    if (!isDue(state, nowMs, rules)) {
      nextDueAtMs = earliest(nextDueAtMs, dueAtMs(state, rules));
      continue;
    }
    const limitW = Math.min(state.targetW, state.inForceW + inForce.headroomW(state.groupId));
    const stepW = limitW - state.inForceW;
    const worthIt = state.inForceW === 0 ? limitW >= state.minW : stepW >= state.materialW;
    if (!worthIt) continue;
    changes.push({ key: state.key, limitW });
    inForce.add(state.groupId, stepW);
  }
  return { changes, nextDueAtMs };
}
