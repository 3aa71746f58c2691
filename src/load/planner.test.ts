import { planDecreases, planIncreases, type ConnectorProfileState, type PlanBudgets } from './planner';

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
