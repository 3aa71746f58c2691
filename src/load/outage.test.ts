import { buildLoadSite, startLoadTestApp, type LoadSite, type ManualClock, type SiteChargerSpec, type TestApp } from '../testing';

/**
 * The appliance away: sessions running at high allocations, the appliance stops (its sockets
 * close as in a crash; the chargers keep their profiles), cars start on other connectors
 * meanwhile, the appliance comes back. Obedient simulated chargers (each draws the lesser of its
 * car's demand and the limit in force by its own clock, the site meter sampling at every change
 * and every period start) against the real appliance on a manual clock.
 */
const LIMIT_W = 50_000;
const MARGIN_W = 2000;
const BUDGET_W = LIMIT_W - MARGIN_W;
const STEP_MS = 10_000;
const START = Date.parse('2026-12-01T04:30:00Z');
const TAGS = ['T-A1', 'T-B1', 'T-C1', 'T-A2', 'T-D1', 'T-E1', 'T-F1'];

let t: TestApp;
let clock: ManualClock;

beforeEach(async () => {
  ({ t, clock } = await startLoadTestApp(START, STEP_MS));
  for (const uid of TAGS) expect((await t.api('POST', '/cards', { uid, kind: 'personal' })).status).toBe(201);
  expect((await t.api('PUT', '/load', { limitW: LIMIT_W, marginW: MARGIN_W })).status).toBe(200);
});

afterEach(async () => {
  await t.close();
});

/**
 * Six chargers, A with two connectors (seven in all: a fallback share of 48 kW / 7 each). B's
 * clock is 40 s ahead of the appliance's, C's 4 minutes behind (beyond the minute allowed: the
 * appliance sees it in the timestamps and starts C's schedules that much earlier), F's 50 s
 * behind.
 */
function sixChargers(v201: readonly string[]): SiteChargerSpec[] {
  const version = (id: string) => (v201.includes(id) ? ('2.0.1' as const) : ('1.6' as const));
  return [
    { id: 'A', version: version('A'), connectors: 2 },
    { id: 'B', version: version('B'), rateUnits: ['A'], clockOffsetMs: 40_000 },
    { id: 'C', version: version('C'), clockOffsetMs: -4 * 60_000 },
    { id: 'D', version: version('D'), rateUnits: ['W'] },
    { id: 'E', version: version('E'), rateUnits: ['A'] },
    { id: 'F', version: version('F'), clockOffsetMs: -50_000 },
  ];
}

const RUNNING = [
  ['A', 1, 'T-A1'],
  ['B', 1, 'T-B1'],
  ['C', 1, 'T-C1'],
] as const;
/** Cars that arrive while the appliance is away: connector, tag and when (ms into the outage). */
const ARRIVING = [
  ['D', 1, 'T-D1', 0],
  ['E', 1, 'T-E1', 30_000],
  ['A', 2, 'T-A2', 180_000],
  ['F', 1, 'T-F1', 400_000],
] as const;

function txProfiles(site: LoadSite): number {
  return site.chargers.reduce((sum, charger) => sum + charger.profiles.filter((profile) => profile.purpose === 'TxProfile').length, 0);
}

async function outage(v201: readonly string[]): Promise<void> {
  const site = await buildLoadSite(t, clock, sixChargers(v201));
  // A reports its second connector: seven connectors share the budget when the appliance is away.
  const a = site.charger('A').charger;
  for (const connectorId of [1, 2]) await (a.isV201 ? a.statusNotification201(connectorId, 'Available') : a.status(connectorId, 'Available'));
  await site.settle();
  const shareW = Math.floor(BUDGET_W / 7);
  expect(site.charger('D').profiles.filter((profile) => profile.purpose === 'TxDefaultProfile').at(-1)!.laterW).toBe(shareW);
  for (const [id, connectorId, tag] of RUNNING) await site.charger(id).startSession(connectorId, tag, 22_080, site.charger(id).chargerTimeIso());
  await site.settle();
  for (let index = 0; index < 6; index++) await site.step(STEP_MS);
  // Three cars share 48 kW: 16 kW each, twice their fallback share.
  for (const [id, connectorId] of RUNNING) expect(site.charger(id).drawW(connectorId)).toBeGreaterThan(15_800);

  // Twenty minutes of steady charging: the TxProfiles are renewed before they fall back, so no
  // draw ever dips to the share (the meter samples every period start), at about one profile
  // per session every five minutes and a half.
  const steadyFromMs = clock.nowMs();
  const profilesBefore = txProfiles(site);
  for (let index = 0; index < 120; index++) await site.step(STEP_MS);
  const steadyToMs = clock.nowMs();
  const perSessionPerMinute = (txProfiles(site) - profilesBefore) / RUNNING.length / 20;
  expect(perSessionPerMinute).toBeGreaterThan(0.1);
  expect(perSessionPerMinute).toBeLessThanOrEqual(0.2);
  const steady = site.meter.samples.filter((sample) => sample.atMs >= steadyFromMs && sample.atMs <= steadyToMs);
  expect(Math.min(...steady.map((sample) => sample.totalW))).toBeGreaterThan(BUDGET_W - 500);
  expect(site.meter.maxW()).toBeLessThanOrEqual(BUDGET_W);

  // The appliance stops: its sockets close, the chargers keep what they have.
  await t.close();
  const awayFromMs = clock.nowMs();
  let passedMs = 0;
  for (const [id, connectorId, , atMs] of ARRIVING) {
    site.pass(atMs - passedMs);
    passedMs = atMs;
    site.charger(id).startOffline(connectorId, 22_080);
  }
  site.pass(15 * 60_000 - passedMs);
  site.meter.sample();
  // At every moment of the outage the chargers together drew at most the limit less the margin,
  const away = site.meter.samples.filter((sample) => sample.atMs >= awayFromMs);
  expect(away.length).toBeGreaterThan(10);
  expect(site.meter.maxW(awayFromMs)).toBeLessThanOrEqual(BUDGET_W);
  // and once every TxProfile fell back, each connector is at its share and every car charges.
  for (const [id, connectorId] of [...RUNNING, ...ARRIVING]) {
    expect(site.charger(id).drawW(connectorId)).toBeGreaterThan(shareW - 100);
    expect(site.charger(id).drawW(connectorId)).toBeLessThanOrEqual(shareW);
  }

  // The appliance is back: the chargers reconnect and report the sessions they started. Until
  // the queued starts are in, it raises no one into the shares those sessions may draw; then
  // it counts all seven (each at its share, the budget used up) and keeps them within it.
  ({ t } = await startLoadTestApp(START, STEP_MS, {}, { dataDir: t.dataDir, clock }));
  const backFromMs = clock.nowMs();
  await site.reconnect(t);
  for (const [id, connectorId, tag] of ARRIVING) await site.charger(id).sendQueuedStart(connectorId, tag);
  await site.settle();
  for (let index = 0; index < 6; index++) await site.step(STEP_MS);
  expect(t.app.services.load.view().connectors).toHaveLength(RUNNING.length + ARRIVING.length);
  expect(limitsInForceW(site)).toBeGreaterThan(BUDGET_W - 7 * 69);
  // Two cars leave: the appliance resends, the five left share the whole budget.
  const profilesBeforeLeaving = txProfiles(site);
  for (const id of ['E', 'F']) await site.charger(id).stopSession(1);
  await site.settle();
  for (let index = 0; index < 6; index++) await site.step(STEP_MS);
  expect(txProfiles(site)).toBeGreaterThanOrEqual(profilesBeforeLeaving + 5);
  const staying = [...RUNNING, ...ARRIVING].filter(([id]) => id !== 'E' && id !== 'F');
  expect(staying.reduce((sum, [id, connectorId]) => sum + site.charger(id).limitW(connectorId), 0)).toBeGreaterThan(BUDGET_W - 5 * 69);
  for (const [id, connectorId] of staying) expect(site.charger(id).drawW(connectorId)).toBeGreaterThan(9000);
  // The TxProfiles it sent after its return are renewed too: eight more minutes without a dip.
  const renewedFromMs = clock.nowMs();
  for (let index = 0; index < 48; index++) await site.step(STEP_MS);
  const renewed = site.meter.samples.filter((sample) => sample.atMs >= renewedFromMs);
  expect(Math.min(...renewed.map((sample) => sample.totalW))).toBeGreaterThan(BUDGET_W - 5 * 69 - 500);
  expect(site.meter.maxW(backFromMs)).toBeLessThanOrEqual(BUDGET_W);
}

/** What the charging connectors' limits in force add up to. */
function limitsInForceW(site: LoadSite): number {
  return [...RUNNING, ...ARRIVING].reduce((sum, [id, connectorId]) => sum + (site.charger(id).transactionId(connectorId) !== undefined ? site.charger(id).limitW(connectorId) : 0), 0);
}

test('six 1.6 chargers behind 50 kW: renewals keep the allocations while the appliance runs; while it is away the draw stays within limit − margin as cars start; back, it recomputes and resends', async () => {
  await outage([]);
});

test('the same with 2.0.1 chargers in the mix', async () => {
  await outage(['A', 'D']);
});
