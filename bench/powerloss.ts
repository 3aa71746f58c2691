import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLazyFs, runPowerLossTest } from '../src/testing/powerloss';

/**
 * `npm run powerloss -- [--cuts N] [--main path/to/dist/src/main.js] [--seed S]`: the power-loss
 * test of `npm test` with more cuts, or against another build (say, the write path of an older
 * commit), printing what was acknowledged and lost. Needs root and FUSE, like the test.
 */
function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const lazyfs = findLazyFs();
  if (!lazyfs.available) {
    process.stderr.write(`powerloss: cannot run here: ${lazyfs.reason}\n`);
    process.exit(2);
  }
  const mainScript = path.resolve(argument('main') ?? path.join(__dirname, '..', 'src', 'main.js'));
  const cuts = Number(argument('cuts') ?? 20);
  const seed = argument('seed') === undefined ? undefined : Number(argument('seed'));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-powerloss-'));
  const startedMs = Date.now();
  try {
    const report = await runPowerLossTest({
      binary: lazyfs.binary,
      mainScript,
      workDir,
      cuts,
      seed,
      log: (line) => process.stdout.write(`${((Date.now() - startedMs) / 1000).toFixed(1)}s ${line}\n`),
    });
    process.stdout.write(`${JSON.stringify({ mainScript, ...report, seconds: Math.round((Date.now() - startedMs) / 1000) }, null, 2)}\n`);
    if (report.problems.length > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
