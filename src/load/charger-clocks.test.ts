import { ChargerClocks } from './charger-clocks';

const NOW = Date.parse('2026-12-01T10:00:00Z');

test('a charger whose stamps arrive behind the appliance is that far behind; one ahead or unknown is not behind', () => {
  const clocks = new ChargerClocks();
  expect(clocks.behindMs('A', NOW)).toBe(0);
  clocks.record('A', NOW - 240_000, NOW);
  clocks.record('B', NOW + 30_000, NOW);
  expect(clocks.behindMs('A', NOW)).toBe(240_000);
  expect(clocks.behindMs('B', NOW)).toBe(0);
});

test('a message that arrives late only looks further behind: the least behind reading of the last minutes counts', () => {
  const clocks = new ChargerClocks();
  clocks.record('A', NOW - 2000, NOW);
  // A reading replayed an hour late after an outage.
  clocks.record('A', NOW - 3_600_000, NOW + 1000);
  expect(clocks.behindMs('A', NOW + 1000)).toBe(2000);
  // Five minutes on, only newer readings count: the clock may have been set meanwhile.
  clocks.record('A', NOW + 300_000 - 500, NOW + 300_000);
  expect(clocks.behindMs('A', NOW + 300_000)).toBe(500);
  clocks.forget('A');
  expect(clocks.behindMs('A', NOW + 300_000)).toBe(0);
});

test('a backlog of queued readings after an outage cannot push out the live one: the charger does not look hours behind', () => {
  const clocks = new ChargerClocks();
  const now = Date.parse('2026-12-06T12:00:00Z');
  clocks.record('CP-1', now - 20_000, now);
  // Forty MeterValues measured during a three-hour outage, all arriving after the live reading.
  for (let i = 0; i < 40; i++) clocks.record('CP-1', now - 3 * 3_600_000 + i * 60_000, now + 1000 + i);
  expect(clocks.behindMs('CP-1', now + 2000)).toBe(20_000);
  // Minutes later, only readings of the window count.
  expect(clocks.behindMs('CP-1', now + 10 * 60_000)).toBe(0);
});
