import fs from 'node:fs';
import path from 'node:path';
import { buildLoadSite, startLoadTestApp, type LoadSite } from '../src/testing';
import { loadChartSvg, type ConnectorSeries } from '../src/web/load-chart';
import { ROOT, writeReadmeSection } from './readme';

/**
 * `npm run load:hour`: one simulated hour of a site with six chargers (OCPP 1.6 and 2.0.1, three-
 * and single-phase, chargers that take W and ones that take only A) behind a 50 kW limit, with a
 * peak window at 40 kW for its last quarter. Cars arrive, taper as their batteries fill and leave;
 * the chargers obey the profiles they receive. Writes bench/load-hour.svg (allocation and draw per
 * connector under the limit) and the figures into README.md between the load-hour markers.
 */
const LIMIT_W = 50_000;
const PEAK_LIMIT_W = 40_000;
const STEP_MS = 10_000;
const HOUR_MS = 3_600_000;
const TIME_ZONE = 'Asia/Kolkata';
// 08:00 in Asia/Kolkata; the peak window is 08:45–09:00 local.
const START_MS = Date.parse('2026-12-01T02:30:00Z');
const PEAK_FROM_MS = START_MS + 45 * 60_000;

interface Car {
  chargerId: string;
  arriveMin: number;
  leaveMin: number;
  /** What the car takes at most, and from which minute it tapers to its final draw. */
  maxW: number;
  taperFromMin: number;
  finalW: number;
}

const CARS: Car[] = [
  { chargerId: 'A', arriveMin: 0, leaveMin: 60, maxW: 22_080, taperFromMin: 40, finalW: 6000 },
  { chargerId: 'B', arriveMin: 2, leaveMin: 34, maxW: 11_000, taperFromMin: 20, finalW: 2000 },
  { chargerId: 'C', arriveMin: 5, leaveMin: 60, maxW: 7360, taperFromMin: 90, finalW: 7360 },
  { chargerId: 'D', arriveMin: 8, leaveMin: 52, maxW: 22_080, taperFromMin: 30, finalW: 3500 },
  { chargerId: 'E', arriveMin: 12, leaveMin: 60, maxW: 11_000, taperFromMin: 90, finalW: 11_000 },
  { chargerId: 'F', arriveMin: 15, leaveMin: 60, maxW: 22_080, taperFromMin: 90, finalW: 22_080 },
  { chargerId: 'B', arriveMin: 38, leaveMin: 60, maxW: 22_080, taperFromMin: 90, finalW: 22_080 },
];

/** A battery filling up: full demand, then a linear fall over ten minutes to its final draw. */
function demandW(car: Car, minute: number): number {
  if (minute < car.taperFromMin) return car.maxW;
  const fraction = Math.min(1, (minute - car.taperFromMin) / 10);
  return Math.round(car.maxW + (car.finalW - car.maxW) * fraction);
}

async function simulateHour(): Promise<{ site: LoadSite; svg: string; figures: [string, string][] }> {
  const { t, clock } = await startLoadTestApp(START_MS, STEP_MS);
  try {
    await t.api('PATCH', '/settings', { timeZone: TIME_ZONE });
    for (const id of ['A', 'B', 'C', 'D', 'E', 'F']) await t.api('POST', '/cards', { uid: `CAR-${id}`, kind: 'personal' });
    await t.api('POST', '/cards', { uid: 'CAR-B2', kind: 'personal' });
    await t.app.services.load.settings.setSite(
      { limitW: LIMIT_W, marginW: 0, limitAmpsPerPhase: null, supply: { phases: 3, voltageV: 230 }, peakWindow: { fromMinute: 8 * 60 + 45, toMinute: 9 * 60, limitW: PEAK_LIMIT_W } },
      { userId: null, name: 'load-hour' },
    );
    const site = await buildLoadSite(t, clock, [
      { id: 'A', version: '1.6' },
      { id: 'B', version: '1.6', rateUnits: ['A'] },
      { id: 'C', version: '1.6', rateUnits: ['A'], phases: 1, maxW: 7360 },
      { id: 'D', version: '2.0.1', rateUnits: ['W'] },
      { id: 'E', version: '1.6', maxW: 11_000 },
      { id: 'F', version: '2.0.1', rateUnits: ['A'] },
    ]);
    const active = new Map<string, Car>();
    let maxSiteW = 0;
    for (let elapsedMs = 0; elapsedMs < HOUR_MS; elapsedMs += STEP_MS) {
      const minute = elapsedMs / 60_000;
      for (const car of CARS) {
        const charger = site.charger(car.chargerId);
        if (car.arriveMin === minute) {
          active.set(car.chargerId, car);
          await charger.startSession(1, car.arriveMin === 38 ? 'CAR-B2' : `CAR-${car.chargerId}`, demandW(car, minute));
          await site.settle();
        } else if (car.leaveMin === minute && active.get(car.chargerId) === car) {
          active.delete(car.chargerId);
          await charger.stopSession(1);
          await site.settle();
        }
      }
      for (const [chargerId, car] of active) site.charger(chargerId).setDemand(1, demandW(car, minute));
      await site.step(STEP_MS);
      maxSiteW = Math.max(maxSiteW, site.meter.maxW());
    }
    const repository = t.app.services.load.repository;
    const samples = repository.samplesBetween(new Date(START_MS).toISOString(), new Date(START_MS + HOUR_MS + 60_000).toISOString());
    const connectors: ConnectorSeries[] = site.chargers.map((charger) => {
      const own = samples.filter((sample) => sample.chargerId === charger.id);
      const version = charger.charger.isV201 ? '2.0.1' : '1.6';
      return {
        label: `${charger.id} (OCPP ${version}, ${charger.phases}-phase, ${charger.rateUnits.join('/')})`,
        allocated: own.map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.allocatedW })),
        drawn: own.map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.drawW })),
      };
    });
    const siteSamples = samples.filter((sample) => sample.chargerId === '');
    const svg = loadChartSvg({
      fromMs: START_MS,
      toMs: START_MS + HOUR_MS,
      timeZone: TIME_ZONE,
      limit: siteSamples.map((sample) => ({ atMs: Date.parse(sample.at), valueW: sample.limitW ?? 0 })),
      connectors,
      text: { allocated: 'Allocated per connector (charging profiles in force)', drawn: 'Drawn per connector (MeterValues)', limit: 'Site limit', title: 'A simulated hour' },
    });
    const txProfiles = site.chargers.flatMap((charger) => charger.profiles.filter((profile) => profile.purpose === 'TxProfile'));
    const sessions = CARS.length;
    const drawnWh = site.chargers.reduce((sum, charger) => sum + charger.energyWh(1), 0);
    const figures: [string, string][] = [
      ['site limit (kW)', `${LIMIT_W / 1000}, ${PEAK_LIMIT_W / 1000} in the peak window 08:45–09:00`],
      ['highest site draw at any change of any car or profile (kW)', (maxSiteW / 1000).toFixed(2)],
      ['highest site draw inside the peak window (kW)', (site.meter.maxW(PEAK_FROM_MS, START_MS + HOUR_MS) / 1000).toFixed(2)],
      ['draw samples checked (every profile applied, every car change, every period start)', String(site.meter.samples.length)],
      ['sessions / energy delivered in the hour (kWh)', `${sessions} / ${(drawnWh / 1000).toFixed(1)}`],
      ['TxProfiles sent / per session per minute (mean)', `${txProfiles.length} / ${(txProfiles.length / sessions / 60).toFixed(2)}`],
      ['of which renewals (the same limit again before it falls back to the share)', String(renewals(txProfiles))],
    ];
    return { site, svg, figures };
  } finally {
    await t.close();
  }
}

/** TxProfiles that repeat the limit of the one before for the same transaction (sent only so it does not fall back). */
function renewals(profiles: readonly { transactionId: string | undefined; limitW: number }[]): number {
  const lastW = new Map<string | undefined, number>();
  let count = 0;
  for (const profile of profiles) {
    if (lastW.get(profile.transactionId) === profile.limitW) count++;
    lastW.set(profile.transactionId, profile.limitW);
  }
  return count;
}

async function main(): Promise<void> {
  const { svg, figures } = await simulateHour();
  fs.writeFileSync(path.join(ROOT, 'bench', 'load-hour.svg'), `${svg}\n`);
  const table = ['| figure | value |', '|---|---|', ...figures.map(([figure, value]) => `| ${figure} | ${value} |`)].join('\n');
  console.log(table);
  writeReadmeSection('load-hour', table);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
