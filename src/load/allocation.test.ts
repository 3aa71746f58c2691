import { allocate, type AllocationConnector, type AllocationInput } from './allocation';

function connector(key: string, fields: Partial<AllocationConnector> = {}): AllocationConnector {
  return { key, groupId: null, minW: 4140, demandW: 22080, priority: 0, sessionEnergyWh: 0, ...fields };
}

function input(siteBudgetW: number, connectors: AllocationConnector[], fields: Partial<AllocationInput> = {}): AllocationInput {
  return { siteBudgetW, groupBudgetsW: new Map(), connectors, fixed: [], ...fields };
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

test('six connectors that each want 22 kW share a 50 kW budget equally', () => {
  const connectors = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => connector(key));
  const { allocatedW, paused } = allocate(input(50_000, connectors));
  expect([...allocatedW.values()]).toEqual(Array(6).fill(8333));
  expect(paused.size).toBe(0);
});

test('a connector capped below the fair share hands the rest to the others', () => {
  const { allocatedW } = allocate(input(30_000, [connector('slow', { demandW: 5000 }), connector('b'), connector('c')]));
  expect(allocatedW.get('slow')).toBe(5000);
  expect(allocatedW.get('b')).toBe(12_500);
  expect(allocatedW.get('c')).toBe(12_500);
});

test('no connector gets more than it can use even when the budget is larger', () => {
  const { allocatedW } = allocate(input(100_000, [connector('a', { demandW: 7400 }), connector('b', { demandW: 11_000 })]));
  expect(allocatedW.get('a')).toBe(7400);
  expect(allocatedW.get('b')).toBe(11_000);
});

test('with too little for every minimum, the connectors that delivered most energy pause at 0', () => {
  const connectors = [connector('a', { sessionEnergyWh: 9000 }), connector('b', { sessionEnergyWh: 100 }), connector('c', { sessionEnergyWh: 5000 })];
  const { allocatedW, paused } = allocate(input(10_000, connectors));
  expect(allocatedW.get('a')).toBe(0);
  expect(paused).toEqual(new Set(['a']));
  expect(allocatedW.get('b')).toBe(5000);
  expect(allocatedW.get('c')).toBe(5000);
});

test('a higher priority is filled to what it can use before others rise above their minimum', () => {
  const connectors = [connector('fleet', { priority: 1 }), connector('b'), connector('c')];
  const { allocatedW } = allocate(input(30_000, connectors));
  expect(allocatedW.get('fleet')).toBe(21_720);
  expect(allocatedW.get('b')).toBe(4140);
  expect(allocatedW.get('c')).toBe(4140);
});

test('a higher priority gets its minimum first when not everyone fits', () => {
  const connectors = [connector('a', { sessionEnergyWh: 0 }), connector('fleet', { priority: 2, sessionEnergyWh: 50_000 })];
  const { allocatedW, paused } = allocate(input(5000, connectors));
  expect(allocatedW.get('fleet')).toBe(5000);
  expect(paused).toEqual(new Set(['a']));
});

test('a feeder group keeps its members within its own limit and the site gives the rest to others', () => {
  const connectors = [connector('g1', { groupId: 7 }), connector('g2', { groupId: 7 }), connector('x'), connector('y')];
  const { allocatedW } = allocate(input(40_000, connectors, { groupBudgetsW: new Map([[7, 10_000]]) }));
  expect(allocatedW.get('g1')).toBe(5000);
  expect(allocatedW.get('g2')).toBe(5000);
  expect(allocatedW.get('x')).toBe(15_000);
  expect(allocatedW.get('y')).toBe(15_000);
});

test('fixed draws are taken off the budget first and their excess is reported', () => {
  const fixed = [{ key: 'rejects', groupId: null, reservedW: 22_080 }];
  const { allocatedW } = allocate(input(50_000, [connector('a'), connector('b')], { fixed }));
  expect(allocatedW.get('a')).toBe(13_960);
  expect(allocatedW.get('b')).toBe(13_960);
  const over = allocate(input(20_000, [connector('a')], { fixed }));
  expect(over.overcommittedW).toBe(2080);
  expect(over.allocatedW.get('a')).toBe(0);
});

test('connectors with different minimums still end at an equal share when the budget allows', () => {
  const connectors = [connector('single', { minW: 1380, demandW: 7360 }), connector('three', { minW: 4140 }), connector('three2', { minW: 4140 })];
  const { allocatedW } = allocate(input(15_000, connectors));
  expect(allocatedW.get('single')).toBe(5000);
  expect(allocatedW.get('three')).toBe(5000);
  expect(allocatedW.get('three2')).toBe(5000);
});

test('random sites never exceed the site or a group budget and every granted connector is within its minimum and demand', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 200; round++) {
    const groupBudgetsW = new Map([
      [1, Math.floor(random() * 40_000)],
      [2, Math.floor(random() * 40_000)],
    ]);
    const connectors = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, index) => {
      const minW = random() < 0.5 ? 1380 : 4140;
      return connector(`c${index}`, {
        groupId: random() < 0.3 ? 1 : random() < 0.5 ? 2 : null,
        minW,
        demandW: minW + Math.floor(random() * 40_000),
        priority: Math.floor(random() * 3),
        sessionEnergyWh: Math.floor(random() * 10_000),
      });
    });
    const siteBudgetW = Math.floor(random() * 80_000);
    const { allocatedW, paused } = allocate({ siteBudgetW, groupBudgetsW, connectors, fixed: [] });
    expect(sum(allocatedW.values())).toBeLessThanOrEqual(siteBudgetW);
    for (const groupId of [1, 2]) {
      const members = connectors.filter((entry) => entry.groupId === groupId);
      expect(sum(members.map((entry) => allocatedW.get(entry.key)!))).toBeLessThanOrEqual(groupBudgetsW.get(groupId)!);
    }
    for (const entry of connectors) {
      const watts = allocatedW.get(entry.key)!;
      expect(Number.isInteger(watts)).toBe(true);
      if (paused.has(entry.key)) expect(watts).toBe(0);
      else expect(watts === 0 || (watts >= entry.minW && watts <= entry.demandW)).toBe(true);
    }
  }
});
