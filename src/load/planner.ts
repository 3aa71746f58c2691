/**
 * When to send a charging profile, as pure decisions over the state the service keeps: only on
 * a real change, at most one profile per connector per interval, and never so that the limits in
 * force could add up to more than a budget. The service sends the decreases first, waits for the
 * chargers' answers, and only then plans the increases against the limits now in force, so the
 * sum of what the chargers may draw stays within the limit at every moment in between. A change
 * counts as a decrease only when it is below the lowest limit the charger may have: one above
 * that may raise its draw, whatever the appliance counts it at, and waits like any increase.
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
  /**
   * What the charger may draw now at least: `inForceW` once its limit is known; lower while an
   * answer is awaited or never came (a TxProfile on its way, a default the charger may not have
   * taken), 0 when nothing is known.
   */
  lowestW: number;
  /**
   * Its TxProfile must go again whatever the change: it falls back to the share by itself soon
   * (`lowestW` is then that share), or the share shrank below what it leaves the connector.
   */
  renew?: boolean;
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

  /** What the site and the group have left under their budgets; negative while they exceed them. */
  roomW(groupId: number | null): number {
    let roomW = this.budgets.siteBudgetW - this.siteW;
    const groupBudgetW = groupId === null ? undefined : this.budgets.groupBudgetsW.get(groupId);
    if (groupBudgetW !== undefined) roomW = Math.min(roomW, groupBudgetW - (this.groupW.get(groupId!) ?? 0));
    return roomW;
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
 * Only changes that cannot raise the draw (at most the lowest limit the charger may have): these
 * go out together, in any order the chargers answer. While a connector waits at 0 for room to
 * reach its minimum, a lowering smaller than the material step is real too: it may be the room.
 * A renewal is always real.
 */
export function planDecreases(states: readonly ConnectorProfileState[], budgets: PlanBudgets, nowMs: number, rules: PlanRules): Plan {
  const inForce = new InForce(states, budgets);
  const changes: ProfileChange[] = [];
  let nextDueAtMs: number | undefined;
  const waitingAtZero = states.some((state) => state.steerable && state.inForceW === 0 && state.targetW >= state.minW);
  for (const state of states) {
    if (!state.steerable || state.targetW >= state.inForceW || state.targetW > state.lowestW) continue;
    const real = state.inForceW - state.targetW >= state.materialW || state.targetW === 0 || waitingAtZero || state.renew === true;
    if (!real) continue;
    if (isDue(state, nowMs, rules) || inForce.exceeded(state.groupId)) changes.push({ key: state.key, limitW: state.targetW });
    else nextDueAtMs = earliest(nextDueAtMs, dueAtMs(state, rules));
  }
  return { changes, nextDueAtMs };
}

/**
 * Raises: every change above the lowest limit the charger may have, each only as far as the
 * budgets allow with every other connector at the most it may draw (a raise waits for the
 * lowering it depends on to be accepted). A connector counted above its target because its limit
 * is not known (a default it may not have taken) is such a raise too: the appliance counts it
 * high, but the charger may be lower. Connectors at 0 go first, then the largest shortfall. A
 * raise that would come out smaller than the material step, or below the minimum for a
 * connector at 0, is not sent, unless it renews a TxProfile (then the same limit again counts
 * too: the charger keeps it, nothing is raised).
 */
export function planIncreases(states: readonly ConnectorProfileState[], budgets: PlanBudgets, nowMs: number, rules: PlanRules): Plan {
  const inForce = new InForce(states, budgets);
  const changes: ProfileChange[] = [];
  let nextDueAtMs: number | undefined;
  const wanting = states
    .filter((state) => state.steerable && (state.targetW > state.lowestW || (state.renew === true && state.targetW >= state.inForceW)))
    .sort((a, b) => Number(b.lowestW === 0) - Number(a.lowestW === 0) || b.targetW - b.lowestW - (a.targetW - a.lowestW) || (a.key < b.key ? -1 : 1));
  for (const state of wanting) {
    if (state.targetW - state.lowestW < state.materialW && state.lowestW > 0 && state.renew !== true) continue;
    if (!isDue(state, nowMs, rules)) {
      nextDueAtMs = earliest(nextDueAtMs, dueAtMs(state, rules));
      continue;
    }
    // The moment the charger takes the new limit, every other connector may be at its highest.
    const limitW = Math.max(0, Math.min(state.targetW, state.inForceW + inForce.roomW(state.groupId)));
    const worthIt = state.renew === true || (state.lowestW === 0 ? limitW >= state.minW : limitW - state.lowestW >= state.materialW);
    if (!worthIt) continue;
    changes.push({ key: state.key, limitW });
    // Until the answer comes it may draw the higher of the old and the new limit.
    inForce.add(state.groupId, Math.max(0, limitW - state.inForceW));
  }
  return { changes, nextDueAtMs };
}

/**
 * Whether limits that come into force together (a default governs every connector of its charger
 * without a TxProfile of its own) keep every budget, on top of the raises already planned: each
 * connector counted at the higher of the most it may draw now and its new limit.
 */
export function fitsWithin(states: readonly ConnectorProfileState[], budgets: PlanBudgets, planned: readonly ProfileChange[], together: readonly ProfileChange[]): boolean {
  const inForce = new InForce(states, budgets);
  const byKey = new Map(states.map((state) => [state.key, state]));
  for (const change of [...planned, ...together]) {
    const state = byKey.get(change.key);
    if (state) inForce.add(state.groupId, Math.max(0, change.limitW - state.inForceW));
  }
  return !inForce.exceeded(null) && together.every((change) => !inForce.exceeded(byKey.get(change.key)?.groupId ?? null));
}
