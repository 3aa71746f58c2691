import { buildLoadSite, SITE_PROFILE_INTERVAL_MS, startLoadTestApp, type LoadSite, type ManualClock, type SiteChargerSpec, type TestApp } from '../testing';

/**
 * Six simulated chargers that obey the profiles they receive, behind a 50 kW limit, against the
 * real appliance. Time is a manual clock: each step lets 10 s of simulated time pass, the chargers
 * report MeterValues and load management recomputes, so nothing depends on the machine's speed.
 */
const LIMIT_W = 50_000;
const STEP_MS = 10_000;
const START = Date.parse('2026-12-01T04:30:00Z');

/** What a 0.1 A step can cost per connector when a watt allocation is sent in amperes. */
const AMPERE_ROUNDING_W = 69;

let t: TestApp;
let clock: ManualClock;

beforeEach(async () => {
  ({ t, clock } = await startLoadTestApp(START, STEP_MS));
  for (const tag of ['TAG-A', 'TAG-B', 'TAG-C', 'TAG-D', 'TAG-E', 'TAG-F']) expect((await t.api('POST', '/cards', { uid: tag, kind: 'personal' })).status).toBe(201);
  expect((await t.api('PUT', '/load', { limitW: LIMIT_W })).status).toBe(200);
});

afterEach(async () => {
  await t.close();
});

function sixChargers(v201: readonly string[]): SiteChargerSpec[] {
  const version = (id: string) => (v201.includes(id) ? ('2.0.1' as const) : ('1.6' as const));
  return [
    { id: 'A', version: version('A') },
    { id: 'B', version: version('B'), rateUnits: ['A'] },
    { id: 'C', version: version('C'), rateUnits: ['A'], phases: 1, maxW: 7360 },
    { id: 'D', version: version('D'), rateUnits: ['W'] },
    { id: 'E', version: version('E'), maxW: 11_000 },
    { id: 'F', version: version('F'), rateUnits: ['A'] },
  ];
}

/** Limits in force on the chargers, summed over the charging connectors. */
function limitsInForceW(site: LoadSite): number {
  return site.chargers.reduce((sum, charger) => sum + (charger.transactionId(1) !== undefined ? charger.limitW(1) : 0), 0);
}

async function expectWithinLimit(site: LoadSite): Promise<void> {
  expect(site.meter.maxW()).toBeLessThanOrEqual(LIMIT_W);
  expect(limitsInForceW(site)).toBeLessThanOrEqual(LIMIT_W);
  const load = await t.api('GET', '/load');
  expect(load.status).toBe(200);
  expect(load.body.allocatedW).toBeLessThanOrEqual(LIMIT_W);
  expect(load.body.connectors.reduce((sum: number, connector: { allocatedW: number }) => sum + connector.allocatedW, 0)).toBe(load.body.allocatedW);
}

/** Every TxProfile for one transaction came at least the interval after the one before. */
function expectProfilesRateLimited(site: LoadSite): void {
  for (const charger of site.chargers) {
    const byTransaction = new Map<string, number[]>();
    for (const profile of charger.profiles.filter((entry) => entry.purpose === 'TxProfile')) {
      byTransaction.set(profile.transactionId!, [...(byTransaction.get(profile.transactionId!) ?? []), profile.atMs]);
    }
    for (const times of byTransaction.values()) {
      for (let index = 1; index < times.length; index++) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(SITE_PROFILE_INTERVAL_MS);
    }
  }
}

async function runScenario(site: LoadSite): Promise<void> {
  // Every charger has its default: 0 W until it gets a share, then (the appliance away) 50 kW
  // shared by the six connectors, capped by its maximum, in its unit.
  const fallbackW = new Map(site.chargers.map((charger) => [charger.id, charger.profiles.filter((profile) => profile.purpose === 'TxDefaultProfile').at(-1)]));
  expect([...fallbackW].map(([id, profile]) => [id, profile?.limitW, profile?.laterW])).toEqual([
    ['A', 0, 8333],
    ['B', 0, 8280],
    ['C', 0, 7360],
    ['D', 0, 8333],
    ['E', 0, 8333],
    ['F', 0, 8280],
  ]);

  // Sessions start in turn; each newcomer charges within one step and nobody exceeds the limit.
  for (const charger of site.chargers.slice(0, 4)) {
    await charger.startSession(1, `TAG-${charger.id}`, 22_080);
    await site.settle();
    await expectWithinLimit(site);
    await site.step(STEP_MS);
    await expectWithinLimit(site);
    expect(charger.drawW(1)).toBeGreaterThanOrEqual(1380);
  }
  // Two cars arrive in the same moment: the second one's share needs lowering a profile sent
  // just now, so it waits for the rate limit rather than going over the limit.
  for (const charger of site.chargers.slice(4)) {
    await charger.startSession(1, `TAG-${charger.id}`, 22_080);
    await site.settle();
    await expectWithinLimit(site);
  }
  await site.step(STEP_MS);
  await expectWithinLimit(site);
  for (const charger of site.chargers) expect(charger.drawW(1)).toBeGreaterThanOrEqual(1380);
  for (let index = 0; index < 6; index++) await site.step(STEP_MS);
  await expectWithinLimit(site);
  // All six want more than their share: the limit is used up to the ampere rounding.
  expect(limitsInForceW(site)).toBeGreaterThanOrEqual(LIMIT_W - 6 * AMPERE_ROUNDING_W);
  const capped = site.charger('C');
  expect(capped.limitW(1)).toBe(7360);

  // B's car tapers to 2 kW: within one recompute the power it leaves goes to the others.
  const before = new Map(site.chargers.map((charger) => [charger.id, charger.limitW(1)]));
  site.charger('B').setDemand(1, 2000);
  await site.step(STEP_MS);
  await site.step(STEP_MS);
  await expectWithinLimit(site);
  expect(site.charger('B').limitW(1)).toBeLessThan(before.get('B')! / 2);
  for (const id of ['A', 'D', 'F']) expect(site.charger(id).limitW(1)).toBeGreaterThan(before.get(id)!);
  expect(limitsInForceW(site)).toBeGreaterThanOrEqual(LIMIT_W - 6 * AMPERE_ROUNDING_W);

  // B's car wants power again: it draws at its limit, so it gets its share back.
  site.charger('B').setDemand(1, 22_080);
  for (let index = 0; index < 4; index++) await site.step(STEP_MS);
  await expectWithinLimit(site);
  expect(site.charger('B').limitW(1)).toBeGreaterThan(before.get('B')! - 1000);

  // Sessions end in turn; the others take over what they leave.
  for (const leaving of ['A', 'C', 'E']) {
    await site.charger(leaving).stopSession(1);
    await site.settle();
    await site.step(STEP_MS);
    await site.step(STEP_MS);
    await expectWithinLimit(site);
  }
  // Three left (B, D, F), each able to take 22 kW: they share the whole 50 kW.
  expect(limitsInForceW(site)).toBeGreaterThanOrEqual(LIMIT_W - 3 * AMPERE_ROUNDING_W);
  for (const id of ['B', 'D', 'F']) expect(site.charger(id).drawW(1)).toBeGreaterThan(16_000);

  expectProfilesRateLimited(site);
  expect(site.meter.samples.length).toBeGreaterThan(50);
  expect(site.meter.maxW()).toBeLessThanOrEqual(LIMIT_W);
}

test('six OCPP 1.6 chargers behind 50 kW: never above the limit, nobody starves, unused power moves on, profiles rate-limited', async () => {
  const site = await buildLoadSite(t, clock, sixChargers([]));
  await runScenario(site);
});

test('the same with OCPP 2.0.1 chargers in the mix', async () => {
  const site = await buildLoadSite(t, clock, sixChargers(['D', 'F']));
  expect(site.charger('D').charger.isV201).toBe(true);
  await runScenario(site);
  expect(site.charger('F').profiles.some((profile) => profile.purpose === 'TxProfile' && profile.call.payload.evseId === 1)).toBe(true);
});
