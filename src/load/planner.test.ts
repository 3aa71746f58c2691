import { fitsWithin, planDecreases, planIncreases, type ConnectorProfileState, type PlanBudgets } from './planner';

const rules = { minIntervalMs: 10_000 };
const budgets: PlanBudgets = { siteBudgetW: 30_000, groupBudgetsW: new Map() };

function state(key: string, fields: Partial<ConnectorProfileState>): ConnectorProfileState {
  const inForceW = fields.inForceW ?? 0;
  return { key, groupId: null, inForceW, lowestW: inForceW, targetW: 0, minW: 4140, materialW: 1000, lastSentAtMs: undefined, steerable: true, ...fields };
}

test('a change smaller than the material step is not sent', () => {
  const states = [state('a', { inForceW: 10_000, targetW: 10_500, lastSentAtMs: 0 }), state('b', { inForceW: 10_000, targetW: 9_600, lastSentAtMs: 0 })];
  expect(planIncreases(states, budgets, 60_000, rules).changes).toEqual([]);
  expect(planDecreases(states, budgets, 60_000, rules).changes).toEqual([]);
});

test('a pause to 0 is a real change however small', () => {
  const states = [state('a', { inForceW: 500, targetW: 0, lastSentAtMs: 0 })];
  expect(planDecreases(states, budgets, 60_000, rules).changes).toEqual([{ key: 'a', limitW: 0 }]);
});

test('a connector changed less than an interval ago waits, and the plan says when it is due', () => {
  const states = [state('a', { inForceW: 15_000, targetW: 10_000, lastSentAtMs: 55_000 })];
  const plan = planDecreases(states, budgets, 60_000, rules);
  expect(plan.changes).toEqual([]);
  expect(plan.nextDueAtMs).toBe(65_000);
  expect(planDecreases(states, budgets, 65_000, rules).changes).toEqual([{ key: 'a', limitW: 10_000 }]);
});

test('while the limits in force exceed the budget a decrease goes at once, whatever the interval', () => {
  const states = [state('a', { inForceW: 20_000, targetW: 14_000, lastSentAtMs: 59_000 }), state('b', { inForceW: 20_000, targetW: 14_000, lastSentAtMs: 59_000 })];
  expect(planDecreases(states, budgets, 60_000, rules).changes.map((change) => change.key)).toEqual(['a', 'b']);
});

test('an increase is clamped to the headroom over what is in force, the connector at 0 first', () => {
  const states = [
    state('busy', { inForceW: 20_000, targetW: 15_000, lastSentAtMs: 0 }),
    state('new', { inForceW: 0, targetW: 10_000 }),
    state('other', { inForceW: 5_000, targetW: 7_000, lastSentAtMs: 0 }),
  ];
  // 25 kW in force of 30 kW: the new connector gets the 5 kW headroom, the other nothing yet.
  expect(planIncreases(states, budgets, 60_000, rules).changes).toEqual([{ key: 'new', limitW: 5000 }]);
});

test('an increase that would leave a paused connector below its minimum is not sent', () => {
  const states = [state('busy', { inForceW: 27_000, targetW: 20_000, lastSentAtMs: 0 }), state('new', { inForceW: 0, targetW: 10_000 })];
  expect(planIncreases(states, budgets, 60_000, rules).changes).toEqual([]);
});

test('a group budget clamps increases of its members', () => {
  const grouped = { siteBudgetW: 100_000, groupBudgetsW: new Map([[1, 13_000]]) };
  const states = [state('g1', { groupId: 1, inForceW: 8000, targetW: 8000 }), state('g2', { groupId: 1, inForceW: 0, targetW: 6000 }), state('x', { inForceW: 0, targetW: 20_000 })];
  expect(planIncreases(states, grouped, 0, rules).changes).toEqual([
    { key: 'x', limitW: 20_000 },
    { key: 'g2', limitW: 5000 },
  ]);
});

test('connectors that cannot be steered are counted but never sent anything', () => {
  const states = [state('rejects', { steerable: false, inForceW: 22_080, targetW: 0 }), state('a', { inForceW: 0, targetW: 10_000 })];
  expect(planDecreases(states, budgets, 0, rules).changes).toEqual([]);
  expect(planIncreases(states, budgets, 0, rules).changes).toEqual([{ key: 'a', limitW: 7920 }]);
});

test('a change above the lowest limit the charger may have is a raise: it waits for the lowerings and fits with every other connector at its highest', () => {
  // "new" is counted at 22 kW (its default was never confirmed) but may be at 0: 14 kW for it
  // could raise its draw, so it is no decrease. Beside "busy" at its 22 kW it may have 7.9 kW;
  // the 14 kW go once "busy" has lowered.
  const before = [state('busy', { inForceW: 22_080, targetW: 14_000, lastSentAtMs: 0 }), state('new', { inForceW: 22_080, lowestW: 0, targetW: 14_000 })];
  expect(planDecreases(before, budgets, 60_000, rules).changes).toEqual([{ key: 'busy', limitW: 14_000 }]);
  expect(planIncreases(before, budgets, 60_000, rules).changes).toEqual([{ key: 'new', limitW: 7920 }]);
  const after = [state('busy', { inForceW: 14_000, targetW: 14_000, lastSentAtMs: 60_000 }), before[1]!];
  expect(planIncreases(after, budgets, 60_000, rules).changes).toEqual([{ key: 'new', limitW: 14_000 }]);
  // A limit that may be in force below the target: the rise over it counts for the material step.
  const unsure = [state('a', { inForceW: 10_000, lowestW: 4000, targetW: 8000, lastSentAtMs: 0 })];
  expect(planDecreases(unsure, budgets, 60_000, rules).changes).toEqual([]);
  expect(planIncreases(unsure, budgets, 60_000, rules).changes).toEqual([{ key: 'a', limitW: 8000 }]);
});

test('while a connector waits at 0 for room, a lowering smaller than the material step is sent', () => {
  const states = [state('d', { inForceW: 4500, targetW: 4140, lastSentAtMs: 0 }), state('c', { inForceW: 0, targetW: 4140, lastSentAtMs: 0 }), state('a', { inForceW: 21_360, targetW: 21_720, lastSentAtMs: 0 })];
  expect(planDecreases(states, budgets, 60_000, rules).changes).toEqual([{ key: 'd', limitW: 4140 }]);
  expect(planDecreases(states.slice(0, 1), budgets, 60_000, rules).changes).toEqual([]);
});

test('limits that come into force together fit only if every budget keeps them on top of the raises planned', () => {
  const grouped = { siteBudgetW: 30_000, groupBudgetsW: new Map([[1, 9000]]) };
  const states = [state('a', { inForceW: 14_000 }), state('b', { inForceW: 0 }), state('g', { groupId: 1, inForceW: 4500 })];
  expect(fitsWithin(states, grouped, [], [{ key: 'b', limitW: 11_500 }])).toBe(true);
  expect(fitsWithin(states, grouped, [{ key: 'a', limitW: 16_000 }], [{ key: 'b', limitW: 11_500 }])).toBe(false);
  // A limit below what is counted adds nothing; the group's own budget counts too.
  expect(fitsWithin(states, grouped, [], [{ key: 'a', limitW: 10_000 }])).toBe(true);
  expect(fitsWithin(states, grouped, [], [{ key: 'g', limitW: 9500 }])).toBe(false);
});

test('a TxProfile about to fall back is renewed at its limit even with no change, as a raise within the budget; a renewal below the share goes with the lowerings', () => {
  // Renewal due: the charger may be at its 8 kW share or at its 16 kW; it wants 16 kW again.
  const renewing = state('a', { inForceW: 16_000, lowestW: 8000, targetW: 16_000, lastSentAtMs: 0, renew: true });
  const steady = state('b', { inForceW: 14_000, targetW: 14_000, lastSentAtMs: 0 });
  expect(planDecreases([renewing, steady], budgets, 400_000, rules).changes).toEqual([]);
  expect(planIncreases([renewing, steady], budgets, 400_000, rules).changes).toEqual([{ key: 'a', limitW: 16_000 }]);
  // The same without the renewal: nothing to send (the change is below the material step).
  expect(planIncreases([{ ...renewing, renew: false, lowestW: 16_000 }, steady], budgets, 400_000, rules).changes).toEqual([]);
  // Over the budget (another limit was raised meanwhile): the renewal takes only what fits.
  expect(planIncreases([renewing, { ...steady, inForceW: 16_000 }], budgets, 400_000, rules).changes).toEqual([{ key: 'a', limitW: 14_000 }]);
  // The shares shrank: a limit a little under the one in force is renewed with the lowerings.
  const shrunk = state('c', { inForceW: 9000, targetW: 8800, lastSentAtMs: 0, renew: true });
  expect(planDecreases([shrunk], budgets, 400_000, rules).changes).toEqual([{ key: 'c', limitW: 8800 }]);
  expect(planIncreases([shrunk], budgets, 400_000, rules).changes).toEqual([]);
});
