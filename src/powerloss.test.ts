import fs from 'node:fs';
import { compiledMain, makeTempDir } from './testing';
import { findLazyFs, runPowerLossTest } from './testing/powerloss';
import { requirement, testRequiring } from './testing/requires';

/**
 * CONTRACT "Nothing committed is lost on SIGKILL or power loss", proven with real power cuts
 * (LazyFS, see src/testing/powerloss.ts) against the compiled appliance. Needs root and FUSE; where
 * they are missing the test is skipped and says why (src/testing/requires.ts; under .ci/run a
 * missing one fails). `npm run powerloss -- --cuts 50` runs more.
 */
const CUTS = Number(process.env.POWERLOSS_CUTS ?? 5);
const lazyfs = findLazyFs();

// The binary path is known only where LazyFS is there; the test below runs only then.
const binary = lazyfs.available ? lazyfs.binary : '';
testRequiring(
  requirement('LazyFS', lazyfs.available, lazyfs.available ? '' : lazyfs.reason),
  `after ${CUTS} power cuts at random moments every answered OCPP message and acknowledged top-up is in the database and the ledger sums to zero`,
  async () => {
    if (!fs.existsSync(compiledMain())) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
    const report = await runPowerLossTest({ binary, mainScript: compiledMain(), workDir: makeTempDir('chargeyard-powerloss-'), cuts: CUTS });
    expect(report.problems).toEqual([]);
    expect(report.cuts).toBe(CUTS);
    expect(report.ledgerChecks).toBe(CUTS);
    expect(report.lost).toEqual({ starts: 0, meterValues: 0, stops: 0, topups: 0, authorizedOnFreshTopup: 0 });
    // The test proves something only if the appliance answered plenty before the cuts.
    expect(report.acknowledged.meterValues).toBeGreaterThan(CUTS * 10);
    expect(report.acknowledged.stops).toBeGreaterThan(0);
    expect(report.acknowledged.topups).toBeGreaterThan(CUTS);
  },
  15 * 60_000,
);
