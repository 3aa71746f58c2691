import { buildLoadSite, LOAD_TEST_ACTOR, startLoadTestApp, WebClient, type ManualClock, type TestApp, testActor } from '../testing';

/** Safe by default, units, priorities and the API, with obedient simulated chargers on a manual clock. */
const START = Date.parse('2026-12-01T04:30:00Z');
const STEP_MS = 10_000;

let t: TestApp;
let clock: ManualClock;

beforeEach(async () => {
  ({ t, clock } = await startLoadTestApp(START, STEP_MS));
  for (const tag of ['T1', 'T2', 'T3', 'T4']) await t.api('POST', '/cards', { uid: tag, kind: 'personal' });
});

afterEach(async () => {
  await t.close();
});

/** Two chargers, A and B, each with a car that wants 22 kW (cards T1 and T2), just after both started. */
async function twoCarsStarted(versions: readonly ['1.6' | '2.0.1', '1.6' | '2.0.1'] = ['1.6', '1.6']) {
  const site = await buildLoadSite(t, clock, [
    { id: 'A', version: versions[0] },
    { id: 'B', version: versions[1] },
  ]);
  await site.charger('A').startSession(1, 'T1', 22_080);
  await site.charger('B').startSession(1, 'T2', 22_080);
  await site.settle();
  return site;
}

/** Two 1.6 chargers with their cars a few steps after both started. */
async function twoCarsCharging(limitW: number) {
  await t.api('PUT', '/load', { limitW });
  const site = await twoCarsStarted();
  for (let index = 0; index < 3; index++) await site.step(STEP_MS);
  return site;
}

describe('GET and PUT /api/v1/load (CONTRACT)', () => {
  test('off by default; PUT sets limit and margin, GET answers exactly the contract fields, the change is audited with its token', async () => {
    expect((await t.api('GET', '/load')).body).toEqual({ limitW: null, marginW: 0, allocatedW: 0, drawW: 0, connectors: [] });
    const put = await t.api('PUT', '/load', { limitW: 50_000, marginW: 2000 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ limitW: 50_000, marginW: 2000, allocatedW: 0, drawW: 0, connectors: [] });
    // marginW omitted keeps the margin; null turns load management off.
    expect((await t.api('PUT', '/load', { limitW: 60_000 })).body).toMatchObject({ limitW: 60_000, marginW: 2000 });
    expect((await t.api('PUT', '/load', { limitW: null })).body).toMatchObject({ limitW: null });
    const entries = t.app.services.staff.audit.list({ action: 'load.limits' }, 10);
    expect(entries).toHaveLength(3);
    expect(entries[2]).toMatchObject({ actorName: 'env-token:CSMS_API_TOKEN', objectType: 'load' });
    expect(JSON.parse(entries[2]!.afterJson!)).toEqual({ limitW: 50_000, marginW: 2000 });
  });

  test('bad bodies are 400 and change nothing; a viewer token is 403', async () => {
    await t.api('PUT', '/load', { limitW: 50_000, marginW: 1000 });
    for (const body of [{}, { limitW: -1 }, { limitW: 0 }, { limitW: 1.5 }, { limitW: '50000' }, { limitW: 50_000, marginW: 50_000 }, { limitW: 50_000, extra: 1 }, { limitW: 1e12 }, [50_000]]) {
      const response = await t.api('PUT', '/load', body);
      expect([JSON.stringify(body), response.status, response.body.error.code]).toEqual([JSON.stringify(body), 400, 'invalid_request']);
    }
    expect((await t.api('GET', '/load')).body).toMatchObject({ limitW: 50_000, marginW: 1000 });
    const token = await t.app.services.tokens.create('watcher', 'viewer', testActor('test'));
    expect((await t.api('PUT', '/load', { limitW: 1000 }, { token: token.token })).status).toBe(403);
    expect((await t.api('GET', '/load', undefined, { token: token.token })).status).toBe(200);
    expect((await t.api('GET', '/load', undefined, { token: null })).status).toBe(401);
  });

  test('with a margin the profiles of the charging connectors sum to at most limitW − marginW; each connector has exactly the contract fields', async () => {
    await t.api('PUT', '/load', { limitW: 30_000, marginW: 4000 });
    const site = await twoCarsStarted(['1.6', '2.0.1']);
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);
    const profilesW = site.charger('A').limitW(1) + site.charger('B').limitW(1);
    expect(profilesW).toBeLessThanOrEqual(26_000);
    // Both cars want more than their share, so the budget is used (up to the ampere rounding).
    expect(profilesW).toBeGreaterThan(25_800);
    expect(site.meter.maxW()).toBeLessThanOrEqual(26_000);
    const load = (await t.api('GET', '/load')).body;
    expect(load).toMatchObject({ limitW: 30_000, marginW: 4000 });
    expect(load.allocatedW).toBeLessThanOrEqual(26_000);
    expect(load.connectors.map((connector: { chargerId: string }) => connector.chargerId).sort()).toEqual(['A', 'B']);
    for (const connector of load.connectors) expect(Object.keys(connector).sort()).toEqual(['allocatedW', 'chargerId', 'connectorId', 'drawW', 'maxW']);
  });

  test('maxPowerW on PATCH /chargers/{id} sets the maximum load management uses, audited; bad values are 400', async () => {
    await t.api('POST', '/chargers', { id: 'CP-1' });
    const patched = await t.api('PATCH', '/chargers/CP-1', { maxPowerW: 7400, name: 'Bay 1' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 'CP-1', name: 'Bay 1', maxPowerW: 7400 });
    expect((await t.api('GET', '/chargers/CP-1')).body.maxPowerW).toBe(7400);
    for (const maxPowerW of [0, -5, 1.5, '7400', 2_000_000]) expect((await t.api('PATCH', '/chargers/CP-1', { maxPowerW })).status).toBe(400);
    expect((await t.api('PATCH', '/chargers/CP-1', { maxPowerW: 11_000, unknown: true })).status).toBe(400);
    expect((await t.api('GET', '/chargers/CP-1')).body.maxPowerW).toBe(7400);
    expect((await t.api('PATCH', '/chargers/NOPE', { maxPowerW: 7400 })).status).toBe(404);
    expect((await t.api('PATCH', '/chargers/CP-1', { maxPowerW: null })).body.maxPowerW).toBeNull();
    expect(t.app.services.staff.audit.list({ action: 'load.charger' }, 10)).toHaveLength(2);
  });
});

describe('safe by default', () => {
  test('a charger that rejects profiles is counted at its maximum and flagged; the others share the rest', async () => {
    await t.api('PUT', '/load', { limitW: 40_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'OLD', version: '1.6', rejectsProfiles: true, maxW: 11_000 },
      { id: 'A', version: '1.6' },
      { id: 'B', version: '1.6' },
    ]);
    await site.charger('OLD').startSession(1, 'T1', 11_000);
    await site.charger('A').startSession(1, 'T2', 22_080);
    await site.charger('B').startSession(1, 'T3', 22_080);
    await site.settle();
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);
    const load = (await t.api('GET', '/load')).body;
    const old = load.connectors.find((connector: { chargerId: string }) => connector.chargerId === 'OLD');
    expect(old).toMatchObject({ maxW: 11_000, allocatedW: 11_000 });
    expect(site.charger('A').limitW(1) + site.charger('B').limitW(1)).toBeLessThanOrEqual(29_000);
    expect(site.charger('A').limitW(1)).toBeGreaterThan(14_000);
    expect(site.meter.maxW()).toBeLessThanOrEqual(40_000);
    expect(t.app.services.load.view().connectors.find((connector) => connector.chargerId === 'OLD')!.flags).toContain('rejects_profiles');
    expect((await t.api('GET', '/load')).body.allocatedW).toBeLessThanOrEqual(40_000);
  });

  test('a charger that draws more than its profile allows raises the alert on the load page and the dashboard', async () => {
    await t.api('PUT', '/load', { limitW: 20_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'BROKEN', version: '1.6', ignoresProfiles: true },
      { id: 'A', version: '1.6' },
    ]);
    await site.charger('A').startSession(1, 'T1', 22_080);
    await site.charger('BROKEN').startSession(1, 'T2', 22_080);
    await site.settle();
    await site.step(STEP_MS);
    const view = t.app.services.load.view();
    expect(view.overLimit).toBe(true);
    expect(view.drawW).toBeGreaterThan(20_000);
    expect(view.connectors.find((connector) => connector.chargerId === 'BROKEN')!.flags).toContain('above_limit');
    await t.app.services.staff.users.create({ userName: 'watch', role: 'viewer', password: 'correct horse battery' }, testActor('test'));
    const viewer = new WebClient(t.baseUrl);
    await viewer.submit('/login', '/login', { userName: 'watch', password: 'correct horse battery' });
    expect((await viewer.get('/fragments/load')).text).toContain('data-testid="load-over-limit"');
    const dashboard = await viewer.get('/fragments/dashboard');
    expect(dashboard.text).toMatch(/The site draws [\d.]+ kW, above its limit of 20 kW\./);
    expect(dashboard.text).toContain('href="/load"');
    // The car at the broken charger leaves: the draw is back under the limit and the alert goes.
    await site.charger('BROKEN').stopSession(1);
    await site.settle();
    await site.step(STEP_MS);
    expect(t.app.services.load.view().overLimit).toBe(false);
    expect((await viewer.get('/fragments/dashboard')).text).not.toContain('above its limit');
  });

  test('a charger that goes offline keeps being counted at the limit it has; the others do not take its share', async () => {
    const site = await twoCarsCharging(30_000);
    const offlineLimitW = site.charger('A').limitW(1);
    await site.charger('A').charger.close();
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);
    const view = t.app.services.load.view();
    expect(view.connectors.find((connector) => connector.chargerId === 'A')).toMatchObject({ allocatedW: offlineLimitW, flags: ['offline'] });
    expect(site.charger('B').limitW(1) + offlineLimitW).toBeLessThanOrEqual(30_000);
  });

  test('every charger gets a default of 0 W for 8 minutes of each transaction (the 7 minutes after which a TxProfile falls back and a minute of clock skew), then its fallback share, in the unit it takes', async () => {
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'AMPS', version: '1.6', rateUnits: ['A'], phases: 1 },
      { id: 'WATTS', version: '1.6', rateUnits: ['W'] },
      { id: 'NEW', version: '2.0.1', rateUnits: ['A'] },
    ]);
    // The last default each has: 30 kW shared by three connectors, capped by the charger's maximum.
    const lastDefault = (id: string) => site.charger(id).profiles.filter((profile) => profile.purpose === 'TxDefaultProfile').at(-1)!.call.payload;
    expect(lastDefault('AMPS')).toEqual({
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 1800,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [
            { startPeriod: 0, limit: 0, numberPhases: 1 },
            { startPeriod: 480, limit: 32, numberPhases: 1 },
          ],
        },
      },
    });
    expect(lastDefault('WATTS').csChargingProfiles.chargingSchedule).toEqual({
      chargingRateUnit: 'W',
      chargingSchedulePeriod: [
        { startPeriod: 0, limit: 0 },
        { startPeriod: 480, limit: 10_000 },
      ],
    });
    expect(lastDefault('NEW')).toMatchObject({
      evseId: 0,
      chargingProfile: {
        id: 1800,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingSchedule: [
          {
            id: 1,
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [
              { startPeriod: 0, limit: 0, numberPhases: 3 },
              { startPeriod: 480, limit: 14.4, numberPhases: 3 },
            ],
          },
        ],
      },
    });
    // A session's TxProfile names its transaction, in A per phase for the single-phase charger.
    await site.charger('AMPS').startSession(1, 'T1', 7360);
    await site.settle();
    const txProfile = site.charger('AMPS').profiles.find((profile) => profile.purpose === 'TxProfile')!.call.payload;
    expect(txProfile).toMatchObject({
      connectorId: 1,
      csChargingProfiles: { chargingProfileId: 1801, transactionId: Number(site.charger('AMPS').transactionId(1)), chargingProfilePurpose: 'TxProfile', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32, numberPhases: 1 }] } },
    });
  });

  test('a TxProfile above the fallback share is Absolute from the allowed clock skew before it was sent and falls to the share 7 minutes after it was sent (1.6 and 2.0.1); a charger that rejects Absolute gets Relative ones at most its share, flagged', async () => {
    await t.api('PUT', '/load', { limitW: 40_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'OLD', version: '1.6', rateUnits: ['W'] },
      { id: 'NEW', version: '2.0.1', rateUnits: ['W'] },
      { id: 'PLAIN', version: '1.6', rateUnits: ['W'], rejectsAbsolute: true },
      { id: 'IDLE', version: '1.6' },
    ]);
    // 40 kW by four connectors: a share of 10 kW each. PLAIN keeps to it, the others take 15 kW.
    await site.charger('PLAIN').startSession(1, 'T3', 22_080);
    await site.charger('OLD').startSession(1, 'T1', 22_080);
    await site.charger('NEW').startSession(1, 'T2', 22_080);
    await site.settle();
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);
    const lastTxProfile = (id: string) => site.charger(id).profiles.filter((profile) => profile.purpose === 'TxProfile').at(-1)!;
    const old = lastTxProfile('OLD');
    expect(old.call.payload.csChargingProfiles).toMatchObject({
      chargingProfileKind: 'Absolute',
      chargingSchedule: {
        startSchedule: new Date(old.atMs - 60_000).toISOString(),
        chargingRateUnit: 'W',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 15_000 },
          { startPeriod: 480, limit: 10_000 },
        ],
      },
    });
    const fresh = lastTxProfile('NEW');
    expect(fresh.call.payload.chargingProfile).toMatchObject({
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      transactionId: site.charger('NEW').transactionId(1),
      chargingSchedule: [{ startSchedule: new Date(fresh.atMs - 60_000).toISOString(), chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 15_000 }, { startPeriod: 480, limit: 10_000 }] }],
    });
    const plain = lastTxProfile('PLAIN');
    expect(plain.call.payload.csChargingProfiles).toMatchObject({ chargingProfileKind: 'Relative', chargingSchedule: { chargingSchedulePeriod: [{ startPeriod: 0, limit: 10_000 }] } });
    expect(plain.call.payload.csChargingProfiles.chargingSchedule.startSchedule).toBeUndefined();
    expect(site.charger('PLAIN').drawW(1)).toBe(10_000);
    expect(t.app.services.load.view().connectors.find((connector) => connector.chargerId === 'PLAIN')!.flags).toContain('fallback_only');
    // Left alone for 8 minutes (the appliance away), each is at its share at most.
    site.pass(8 * 60_000);
    expect(site.chargers.map((charger) => charger.drawW(1))).toEqual([10_000, 10_000, 10_000, 0]);
    expect(site.meter.maxW()).toBeLessThanOrEqual(40_000);
  });

  test('when the shares shrink (a charger added), the running TxProfiles are sent again with the new share as their fallback', async () => {
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'A', version: '1.6', rateUnits: ['W'] },
      { id: 'B', version: '1.6', rateUnits: ['W'] },
      { id: 'C', version: '1.6', rateUnits: ['W'] },
    ]);
    await site.charger('A').startSession(1, 'T1', 22_080);
    await site.charger('B').startSession(1, 'T2', 22_080);
    await site.settle();
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);
    const fallbackW = (id: string) => site.charger(id).profiles.filter((profile) => profile.purpose === 'TxProfile').at(-1)!.laterW;
    expect([fallbackW('A'), fallbackW('B')]).toEqual([10_000, 10_000]);
    // A fourth charger: 7.5 kW each while the appliance is away.
    const added = await t.api('POST', '/chargers', { id: 'D' });
    expect(added.status).toBe(201);
    const d = await t.charger('D');
    await d.boot();
    await d.status(1, 'Available');
    await site.settle();
    for (let index = 0; index < 2; index++) await site.step(STEP_MS);
    expect([fallbackW('A'), fallbackW('B')]).toEqual([7500, 7500]);
    expect(site.charger('A').limitW(1) + site.charger('B').limitW(1)).toBeGreaterThan(29_000);
  });

  test('a connector a charger reports for the first time shrinks every fallback share; statuses of known connectors change none', async () => {
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'ONE', version: '1.6', rateUnits: ['W'] },
      { id: 'TWO', version: '1.6', rateUnits: ['W'] },
    ]);
    const defaults = (id: string) => site.charger(id).profiles.filter((profile) => profile.purpose === 'TxDefaultProfile');
    expect([defaults('ONE').at(-1)!.laterW, defaults('TWO').at(-1)!.laterW]).toEqual([15_000, 15_000]);
    const sent = defaults('ONE').length + defaults('TWO').length;
    for (const status of ['Preparing', 'Available', 'Preparing', 'Available']) await site.charger('TWO').charger.status(1, status);
    await site.settle();
    expect(defaults('ONE').length + defaults('TWO').length).toBe(sent);
    // TWO's second connector: 30 kW is now shared by three.
    await site.charger('TWO').charger.status(2, 'Available');
    await site.settle();
    expect([defaults('ONE').at(-1)!.laterW, defaults('TWO').at(-1)!.laterW]).toEqual([10_000, 10_000]);

    // A stranger waiting for approval takes no share; once accepted it does (30 kW by four).
    const stranger = await t.charger('STRANGER');
    await stranger.boot();
    await stranger.status(1, 'Available');
    await site.settle();
    expect([defaults('ONE').at(-1)!.laterW, defaults('TWO').at(-1)!.laterW]).toEqual([10_000, 10_000]);
    expect((await t.api('PATCH', '/chargers/STRANGER', { registration: 'accepted' })).status).toBe(200);
    await site.settle();
    expect([defaults('ONE').at(-1)!.laterW, defaults('TWO').at(-1)!.laterW]).toEqual([7500, 7500]);
  });

  test('after the appliance restarts, the limits the chargers keep are counted and nothing is resent until something changes', async () => {
    await twoCarsCharging(30_000);
    const before = (await t.api('GET', '/load')).body;
    expect(before.allocatedW).toBe(30_000);

    t = await t.restart();
    // The chargers are away (the restart closed them) and keep their profiles: they are counted.
    const after = (await t.api('GET', '/load')).body;
    expect(after.allocatedW).toBe(30_000);
    expect(after.connectors.map((connector: { allocatedW: number }) => connector.allocatedW)).toEqual(before.connectors.map((connector: { allocatedW: number }) => connector.allocatedW));
    for (const id of ['A', 'B']) {
      const charger = await t.charger(id);
      const sent: string[] = [];
      charger.handle('SetChargingProfile', (call) => {
        sent.push(call.payload.csChargingProfiles.chargingProfilePurpose);
        return { status: 'Accepted' };
      });
      await t.app.services.load.tick();
      expect(sent).toEqual([]);
    }
    clock.advance(STEP_MS);
    await t.app.services.load.tick();
    expect((await t.api('GET', '/load')).body).toMatchObject({ allocatedW: 30_000 });
  });

  test('a site without a limit sends no profile at all; a charger that was away when load management was turned off is cleared when it comes back', async () => {
    const site = await buildLoadSite(t, clock, [{ id: 'A', version: '1.6' }]);
    await site.charger('A').startSession(1, 'T1', 22_080);
    await site.settle();
    await site.step(STEP_MS);
    expect(site.charger('A').profiles).toEqual([]);
    expect(site.charger('A').drawW(1)).toBe(22_080);

    await t.api('PUT', '/load', { limitW: 30_000 });
    await site.settle();
    expect(site.charger('A').profiles.map((profile) => profile.purpose).sort()).toEqual(['TxDefaultProfile', 'TxProfile']);
    // Away while staff turn it off, then back without a boot (a network drop): cleared at once.
    await site.charger('A').charger.close();
    await t.api('PUT', '/load', { limitW: null });
    await t.app.services.load.settle();
    expect(t.app.services.load.repository.profiles()).toHaveLength(2);
    const back = await t.charger('A');
    await t.app.services.load.settle();
    expect(back.received.filter((call) => call.action === 'ClearChargingProfile').map((call) => call.payload)).toEqual([{ id: 1800 }, { id: 1801 }]);
    expect(t.app.services.load.repository.profiles()).toEqual([]);
  });

  test('while the appliance is away, sessions that start still charge: 0 W for 8 minutes, then the fallback share, all within the limit', async () => {
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'A', version: '1.6' },
      { id: 'B', version: '1.6', rateUnits: ['A'] },
      { id: 'C', version: '2.0.1' },
    ]);
    for (const charger of site.chargers) await charger.charger.close();
    for (const charger of site.chargers) charger.startOffline(1, 22_080);
    clock.advance(470_000);
    site.meter.sample();
    expect(site.meter.maxW()).toBe(0);
    clock.advance(10_000);
    // 10 kW each (in amperes for B and for C, which did not say it takes W: 14.4 A × 3 × 230 V);
    // together within the 30 kW limit.
    expect(site.chargers.map((charger) => charger.drawW(1))).toEqual([10_000, 9936, 9936]);
    expect(site.meter.sample()).toBeLessThanOrEqual(30_000);
  });

  test('a charger that takes its default but rejects TxProfiles still charges at its fallback share, counted at its maximum', async () => {
    await t.api('PUT', '/load', { limitW: 40_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'ODD', version: '1.6', rejectsTxProfiles: true },
      { id: 'A', version: '1.6' },
    ]);
    await site.charger('ODD').startSession(1, 'T1', 22_080);
    await site.charger('A').startSession(1, 'T2', 22_080);
    await site.settle();
    for (let index = 0; index < 49; index++) await site.step(STEP_MS);
    expect(site.charger('ODD').drawW(1)).toBe(20_000);
    const odd = t.app.services.load.view().connectors.find((connector) => connector.chargerId === 'ODD')!;
    expect(odd).toMatchObject({ allocatedW: 22_080 });
    expect(odd.flags).toContain('rejects_profiles');
    expect(site.charger('A').limitW(1)).toBeLessThanOrEqual(40_000 - 22_080);
    expect(site.meter.maxW()).toBeLessThanOrEqual(40_000);
  });

  test('turning load management off removes the profiles the appliance set', async () => {
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [{ id: 'A', version: '1.6' }]);
    await site.charger('A').startSession(1, 'T1', 22_080);
    await site.settle();
    expect(site.charger('A').limitW(1)).toBe(22_080);
    const cleared = site.charger('A').charger.waitForCall('ClearChargingProfile');
    await t.api('PUT', '/load', { limitW: null });
    await t.app.services.load.settle();
    expect((await cleared).payload).toEqual({ id: 1800 });
    expect(t.app.services.load.repository.profiles()).toEqual([]);
  });
});

describe('raises wait for every lowering to be accepted', () => {
  /** Resolves once `done` holds (checked every few ms), or after `timeoutMs` whatever it says. */
  async function until(done: () => boolean, timeoutMs: number): Promise<void> {
    const giveUpAtMs = Date.now() + timeoutMs;
    while (!done() && Date.now() < giveUpAtMs) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** The appliance again with a short answer timeout, so an unanswered profile fails within the test. */
  async function restartWithShortProfileTimeout(): Promise<void> {
    await t.close();
    ({ t, clock } = await startLoadTestApp(START, STEP_MS, { profileTimeoutMs: 500 }));
    for (const tag of ['T1', 'T2']) await t.api('POST', '/cards', { uid: tag, kind: 'personal' });
  }

  test('a charger whose new default went unanswered starts a session while another is slow to lower: its first share goes only after the lowering, and the site stays within the limit', async () => {
    await restartWithShortProfileTimeout();
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'B', version: '1.6' },
      { id: 'D', version: '1.6' },
    ]);
    const b = site.charger('B');
    const d = site.charger('D');
    await b.startSession(1, 'T1', 22_080);
    await site.settle();
    expect(b.limitW(1)).toBe(22_080);

    // D leaves its next default unanswered (its 0 W period from before stays). B applies and
    // answers a lowering only once D has a TxProfile (or after 2 s): without the ordering D's
    // first share would come on top of B's 22 kW.
    const dHasTxProfile = () => d.profiles.some((profile) => profile.purpose === 'TxProfile');
    d.holdProfiles((call) => (call.payload.csChargingProfiles.chargingProfilePurpose === 'TxDefaultProfile' ? 'no-answer' : undefined));
    b.holdProfiles((call) => (call.payload.csChargingProfiles.chargingProfilePurpose === 'TxProfile' ? until(dHasTxProfile, 2000) : undefined));
    const sentToD = d.charger.received.length;
    // The margin changes every fallback share: the defaults are sent again.
    await t.api('PUT', '/load', { limitW: 30_000, marginW: 2000 });
    const resent = await d.charger.waitForCall('SetChargingProfile', 10_000, sentToD);
    expect(resent.payload.csChargingProfiles.chargingProfilePurpose).toBe('TxDefaultProfile');
    await d.startSession(1, 'T2', 22_080);
    await site.settle();
    for (let index = 0; index < 3; index++) await site.step(STEP_MS);

    // At no moment did what the chargers may draw add up to more than the limit less the margin.
    expect(site.meter.maxW()).toBeLessThanOrEqual(28_000);
    expect(d.limitW(1)).toBeGreaterThanOrEqual(4140);
    expect(b.limitW(1) + d.limitW(1)).toBeLessThanOrEqual(28_000);
  });
  test('a charger that never answers its TxProfiles is counted at what its default allows once the first period is over, so it cannot draw on top of the others', async () => {
    await restartWithShortProfileTimeout();
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'B', version: '1.6' },
      { id: 'X', version: '1.6' },
    ]);
    // B has priority: 22 kW for it, the rest (7.9 kW) for X, whose TxProfiles go unanswered.
    await t.app.services.load.settings.setCharger('B', { priority: 5 }, LOAD_TEST_ACTOR, () => true);
    site.charger('X').holdProfiles((call) => (call.payload.csChargingProfiles.chargingProfilePurpose === 'TxProfile' ? 'no-answer' : undefined));
    await site.charger('B').startSession(1, 'T1', 22_080);
    await site.charger('X').startSession(1, 'T2', 22_080);
    await site.settle();
    // X runs on its default: 0 W for 8 minutes, then its fallback share of 15 kW.
    for (let index = 0; index < 52; index++) await site.step(STEP_MS);
    expect(site.charger('X').drawW(1)).toBe(15_000);
    expect(site.meter.maxW()).toBeLessThanOrEqual(30_000);
    expect(site.charger('B').limitW(1)).toBeLessThanOrEqual(15_000);
  });
});

describe('limits over the day and priorities', () => {
  test('entering the peak window lowers every limit at once, before the window starts, whatever the rate limit', async () => {
    await t.api('PATCH', '/settings', { timeZone: 'UTC' });
    // Peak window 05:00–05:05 UTC at 20 kW; the cars start charging at 04:58.
    clock.ms = Date.parse('2026-12-01T04:58:00Z');
    await t.app.services.load.settings.setSite(
      { limitW: 40_000, marginW: 0, limitAmpsPerPhase: null, supply: { phases: 3, voltageV: 230 }, peakWindow: { fromMinute: 300, toMinute: 305, limitW: 20_000 } },
      { userId: null, name: 'test' },
    );
    const site = await twoCarsStarted(['1.6', '2.0.1']);
    // The first TxProfile (20 kW, sent at 04:58) falls to the 10 kW share when the window begins,
    // not 7 minutes later: left alone, A would keep 20 kW into it.
    const first = site.charger('A').profiles.find((profile) => profile.purpose === 'TxProfile' && profile.limitW > 10_000)!.call.payload.csChargingProfiles.chargingSchedule;
    expect(Date.parse(first.startSchedule) + first.chargingSchedulePeriod[1].startPeriod * 1000).toBe(Date.parse('2026-12-01T05:00:00Z'));
    expect(first.chargingSchedulePeriod[1].limit).toBe(10_000);
    while (clock.nowMs() < Date.parse('2026-12-01T05:03:00Z')) await site.step(STEP_MS);
    expect(site.meter.maxW(Date.parse('2026-12-01T05:00:00Z'))).toBeLessThanOrEqual(20_000);
    expect(site.charger('A').limitW(1) + site.charger('B').limitW(1)).toBeGreaterThan(19_000);
    while (clock.nowMs() < Date.parse('2026-12-01T05:07:00Z')) await site.step(STEP_MS);
    expect(site.charger('A').limitW(1) + site.charger('B').limitW(1)).toBeGreaterThan(39_000);
  });

  test('a driver with priority is served first; a feeder keeps its chargers within its own limit', async () => {
    const fleet = await t.api('POST', '/users', { name: 'Fleet', phone: '9814000001' });
    await t.api('PATCH', '/cards/T1', { userId: fleet.body.id });
    const actor = { userId: null, name: 'test' };
    await t.app.services.load.settings.setDriverPriority(fleet.body.id, 5, actor);
    const feeder = await t.app.services.load.settings.createGroup({ name: 'Feeder 2', limitW: 9000 }, actor);
    await t.api('PUT', '/load', { limitW: 30_000 });
    const site = await buildLoadSite(t, clock, [
      { id: 'A', version: '1.6' },
      { id: 'B', version: '1.6' },
      { id: 'C', version: '1.6' },
      { id: 'D', version: '1.6' },
    ]);
    for (const id of ['C', 'D']) await t.app.services.load.settings.setCharger(id, { groupId: feeder.id }, actor, () => true);
    await site.charger('B').startSession(1, 'T2', 22_080);
    await site.charger('C').startSession(1, 'T3', 22_080);
    await site.charger('D').startSession(1, 'T4', 22_080);
    await site.settle();
    await site.charger('A').startSession(1, 'T1', 22_080);
    await site.settle();
    for (let index = 0; index < 4; index++) await site.step(STEP_MS);
    // The fleet car takes what it can use; B gets at least its minimum; C and D share 9 kW.
    expect(site.charger('C').limitW(1) + site.charger('D').limitW(1)).toBeLessThanOrEqual(9000);
    expect(site.charger('C').limitW(1)).toBeGreaterThanOrEqual(4140);
    expect(site.charger('A').limitW(1)).toBeGreaterThanOrEqual(16_000);
    expect(site.charger('B').limitW(1)).toBeGreaterThanOrEqual(4140);
    expect(site.meter.maxW()).toBeLessThanOrEqual(30_000);
  });
});
