import type { LoadTimings } from '../load';
import { startTestApp, type TestApp } from './app';
import { ManualClock, ObedientCharger, SiteMeter, type ObedientChargerOptions } from './load-simulator';

/**
 * A simulated site for load management: obedient chargers of both OCPP versions against a real
 * appliance whose load management runs on a clock the caller moves. Shared by the tests and the
 * script that draws the README's simulated hour.
 */
export interface SiteChargerSpec extends Omit<ObedientChargerOptions, 'clock'> {
  id: string;
  version: '1.6' | '2.0.1';
}

export interface LoadSite {
  clock: ManualClock;
  chargers: ObedientCharger[];
  meter: SiteMeter;
  charger(id: string): ObedientCharger;
  /** Lets `ms` of simulated time pass: cars charge, chargers report, the appliance recomputes. */
  step(ms: number): Promise<void>;
  /**
   * Lets `ms` of simulated time pass on the chargers alone (the appliance may be away): the site
   * meter samples at every period of a schedule that begins meanwhile, where draws change with
   * no message.
   */
  pass(ms: number): void;
  /** Waits until load management has sent and heard back everything it wanted to. */
  settle(): Promise<void>;
  /**
   * The appliance is back (`t` started on the same data directory and clock): every charger
   * connects to it again without a boot, keeping the profiles it has.
   */
  reconnect(t: TestApp): Promise<void>;
}

export const LOAD_TEST_ACTOR = { userId: null, name: 'test' };

/** A profile per connector at most this often in the simulated sites (the appliance's default). */
export const SITE_PROFILE_INTERVAL_MS = 10_000;

/**
 * A real appliance whose load management runs on a clock the caller moves, from `startMs`, with
 * one scheduled recompute per `stepMs`: nothing depends on the machine's speed (`timings` changes
 * others, e.g. a short profile timeout for a charger that never answers).
 */
export async function startLoadTestApp(
  startMs: number,
  stepMs: number,
  timings: Partial<LoadTimings> = {},
  resume?: { dataDir: string; clock: ManualClock },
): Promise<{ t: TestApp; clock: ManualClock }> {
  const clock = resume?.clock ?? new ManualClock(startMs);
  const t = await startTestApp({
    ...(resume ? { dataDir: resume.dataDir } : {}),
    app: { load: { clock, timings: { profileIntervalMs: SITE_PROFILE_INTERVAL_MS, recomputeIntervalMs: stepMs, ...timings } } },
  });
  return { t, clock };
}

/** Registers and boots the chargers (handlers ready before the boot, as profiles follow it at once). */
export async function buildLoadSite(t: TestApp, clock: ManualClock, specs: readonly SiteChargerSpec[]): Promise<LoadSite> {
  let { load } = t.app.services;
  const chargers: ObedientCharger[] = [];
  for (const spec of specs) {
    const registered = await t.api('POST', '/chargers', { id: spec.id });
    if (registered.status !== 201) throw new Error(`could not register ${spec.id}: ${JSON.stringify(registered.body)}`);
    if (spec.maxW !== undefined) await t.api('PATCH', `/chargers/${encodeURIComponent(spec.id)}`, { maxPowerW: spec.maxW });
    if (spec.phases === 1) await load.settings.setCharger(spec.id, { phases: 1 }, LOAD_TEST_ACTOR, () => true);
    const simulator = await t.charger(spec.id, { protocols: [spec.version === '2.0.1' ? 'ocpp2.0.1' : 'ocpp1.6'] });
    const charger = new ObedientCharger(simulator, { ...spec, clock });
    await simulator.boot();
    chargers.push(charger);
  }
  const meter = new SiteMeter(chargers, clock);
  const site: LoadSite = {
    clock,
    chargers,
    meter,
    charger(id) {
      const found = chargers.find((charger) => charger.id === id);
      if (!found) throw new Error(`no charger ${id}`);
      return found;
    },
    pass(ms) {
      const endMs = clock.nowMs() + ms;
      for (;;) {
        const starts = chargers.map((charger) => charger.nextPeriodStartMs(clock.nowMs())).filter((atMs): atMs is number => atMs !== undefined && atMs <= endMs);
        const toMs = starts.length > 0 ? Math.min(...starts) : endMs;
        for (const charger of chargers) charger.advance(toMs - clock.nowMs());
        clock.ms = toMs;
        if (toMs === endMs) break;
        meter.sample();
      }
    },
    async step(ms) {
      site.pass(ms);
      for (const charger of chargers.filter((entry) => entry.connected)) {
        for (let connectorId = 1; connectorId <= charger.connectorCount; connectorId++) {
          if (charger.transactionId(connectorId) !== undefined) await charger.sendMeterValues(connectorId);
        }
      }
      await load.tick();
      meter.sample();
    },
    async settle() {
      await load.settle();
      meter.sample();
    },
    async reconnect(restarted) {
      load = restarted.app.services.load;
      for (const charger of chargers) charger.attach(await restarted.charger(charger.id, { protocols: [charger.charger.protocol] }));
      await site.settle();
    },
  };
  await site.settle();
  return site;
}
