import { runFaultSimulation } from './testing/fault-simulation';

/**
 * The short run of the seeded fault simulation (issue 14; `npm run bench` runs a long one).
 * `FAULT_SIM_SEED=<seed> npx jest src/fault-simulation.test.ts` replays a failed run.
 */
const SEED = Number(process.env.FAULT_SIM_SEED ?? 20261205);
const STEPS = Number(process.env.FAULT_SIM_STEPS ?? 400);

test(`seeded fault simulation (seed ${SEED}, ${STEPS} steps): every invariant holds after every step`, async () => {
  const report = await runFaultSimulation({ seed: SEED, steps: STEPS, chargers: 24, restartEvery: 150 });
  process.stdout.write(`fault simulation: ${JSON.stringify(report)}\n`);
  // Every kind of fault was injected, and checked.
  for (const kind of [
    'lost answer, CALL sent again',
    'reconnect',
    'reboot mid-session',
    'session forgotten by the charger',
    'clock reset to 1970',
    'clock years ahead',
    'meter went backwards',
    'offline (queue delivered late)',
    'message queued offline',
    'top-up answer lost, sent again with its key',
    'appliance restarted',
    'StopTransaction after staff closed the session',
  ]) {
    expect([kind, report.faults[kind] ?? 0]).toEqual([kind, expect.any(Number)]);
    expect(report.faults[kind]).toBeGreaterThan(0);
  }
  expect(report.sessionsEnded).toBe(report.sessionsStarted);
  expect(report.invariantsChecked).toBeGreaterThan(STEPS * 50);
}, 300_000);
