import { SimulatedCharger } from '../src/testing/charger-simulator';
import { V16_SCRIPT, V201_SCRIPT, type VersionScript } from '../src/testing/version-scripts';

/**
 * A mixed site: N OCPP 1.6 and N OCPP 2.0.1 simulated chargers on the same endpoint, each
 * booting and then charging sessions with meter values, all at once. Every charger waits for
 * each answer before its next CALL (OCPP-J), so the figure is round trips the appliance served.
 * The site must admit the chargers (registered, or `unknownChargerPolicy: accept`).
 */
interface MixedSiteOptions {
  /** ws://HOST:PORT/ocpp/ */
  ocppUrl: string;
  chargersPerVersion: number;
  sessionsPerCharger?: number;
  meterValuesPerSession?: number;
  /** The idTag each charger charges with (cards the caller registered beforehand, if any). */
  idTagOf?: (chargerId: string) => string;
  /** Prefix of the charger identities, so several runs on one site do not collide. */
  idPrefix?: string;
  /** Chargers connecting at once. */
  connectParallel?: number;
}

interface MixedSiteResult {
  chargers: { '1.6': number; '2.0.1': number };
  sessionsCompleted: number;
  roundTrips: number;
  errors: number;
  elapsedMs: number;
  roundTripsPerS: number;
}

const DEFAULT_SESSIONS_PER_CHARGER = 1;
const DEFAULT_METER_VALUES_PER_SESSION = 10;
const DEFAULT_CONNECT_PARALLEL = 100;
const WH_PER_METER_VALUE = 250;

export async function runMixedSite(options: MixedSiteOptions): Promise<MixedSiteResult> {
  const sessionsPerCharger = options.sessionsPerCharger ?? DEFAULT_SESSIONS_PER_CHARGER;
  const meterValuesPerSession = options.meterValuesPerSession ?? DEFAULT_METER_VALUES_PER_SESSION;
  const idTagOf = options.idTagOf ?? ((chargerId: string) => `TAG-${chargerId}`);
  const prefix = options.idPrefix ?? 'MIX';
  const plan: { id: string; script: VersionScript }[] = [];
  for (let index = 0; index < options.chargersPerVersion; index++) {
    plan.push({ id: `${prefix}-16-${index}`, script: V16_SCRIPT }, { id: `${prefix}-201-${index}`, script: V201_SCRIPT });
  }

  const chargers: { charger: SimulatedCharger; script: VersionScript }[] = [];
  const parallel = options.connectParallel ?? DEFAULT_CONNECT_PARALLEL;
  for (let start = 0; start < plan.length; start += parallel) {
    const batch = plan.slice(start, start + parallel);
    chargers.push(
      ...(await Promise.all(
        batch.map(async ({ id, script }) => ({
          charger: await new SimulatedCharger({ url: options.ocppUrl, id, protocols: script.protocols, callTimeoutMs: 60_000 }).connect(),
          script,
        })),
      )),
    );
  }

  let roundTrips = 0;
  let errors = 0;
  let sessionsCompleted = 0;
  const startedMs = Date.now();
  await Promise.all(
    chargers.map(async ({ charger, script }) => {
      try {
        await charger.boot();
        roundTrips++;
        for (let session = 0; session < sessionsPerCharger; session++) {
          const meterStartWh = session * (meterValuesPerSession + 1) * WH_PER_METER_VALUE;
          const started = await script.start(charger, { connectorId: 1, idTag: idTagOf(charger.id), meterStartWh });
          roundTrips++;
          const target = { connectorId: 1, transactionId: started.transactionId };
          for (let sample = 1; sample <= meterValuesPerSession; sample++) {
            await script.meter(charger, target, meterStartWh + sample * WH_PER_METER_VALUE);
            roundTrips++;
          }
          await script.stop(charger, target, { meterStopWh: meterStartWh + (meterValuesPerSession + 1) * WH_PER_METER_VALUE, idTag: idTagOf(charger.id) });
          roundTrips++;
          sessionsCompleted++;
        }
      } catch {
        errors++;
      }
    }),
  );
  const elapsedMs = Date.now() - startedMs;
  await Promise.all(chargers.map(({ charger }) => charger.close().catch(() => undefined)));
  return {
    chargers: { '1.6': options.chargersPerVersion, '2.0.1': options.chargersPerVersion },
    sessionsCompleted,
    roundTrips,
    errors,
    elapsedMs,
    roundTripsPerS: elapsedMs > 0 ? (roundTrips * 1000) / elapsedMs : 0,
  };
}
