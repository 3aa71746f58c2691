import fs from 'node:fs';
import path from 'node:path';
import { chooseBrowser } from './browser';
import { makeTempDir } from './app';

/** Which browser the launcher picks; that each one really starts and renders is shown by the browser tests. */
describe('chooseBrowser', () => {
  let dir: string;
  let fakeChromium: string;
  beforeAll(() => {
    dir = makeTempDir('chargeyard-browser-choice-');
    fakeChromium = path.join(dir, 'chromium');
    fs.writeFileSync(fakeChromium, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'not-executable'), '');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('takes the system chromium found on PATH', () => {
    expect(chooseBrowser({ PATH: `/nonexistent${path.delimiter}${dir}` })).toMatchObject({ kind: 'system', executablePath: fakeChromium });
  });

  test('takes CHROMIUM_PATH before PATH, and refuses one that does not exist', () => {
    const other = path.join(dir, 'not-executable');
    expect(chooseBrowser({ PATH: dir, CHROMIUM_PATH: other })).toMatchObject({ kind: 'system', executablePath: other });
    expect(() => chooseBrowser({ PATH: dir, CHROMIUM_PATH: path.join(dir, 'missing') })).toThrow(/CHROMIUM_PATH/);
  });

  test('falls back to the packaged Chromium when the machine has none', () => {
    const choice = chooseBrowser({ PATH: `/nonexistent${path.delimiter}${path.join(dir, 'not-executable')}` });
    expect(choice.kind).toBe('packaged');
    expect(choice.description).toMatch(/^packaged Chromium \(@sparticuz\/chromium \d+\.\d+\.\d+\)$/);
  });

  test('CHARGEYARD_BROWSER=packaged ignores a system chromium; =system insists on one', () => {
    expect(chooseBrowser({ PATH: dir, CHARGEYARD_BROWSER: 'packaged' }).kind).toBe('packaged');
    expect(chooseBrowser({ PATH: dir, CHARGEYARD_BROWSER: 'system' })).toMatchObject({ kind: 'system', executablePath: fakeChromium });
    expect(() => chooseBrowser({ PATH: '', CHARGEYARD_BROWSER: 'system' })).toThrow(/no chromium on PATH/);
  });

  test('an unknown CHARGEYARD_BROWSER is an error, not a guess', () => {
    expect(() => chooseBrowser({ PATH: dir, CHARGEYARD_BROWSER: 'firefox' })).toThrow(/CHARGEYARD_BROWSER must be one of auto, system, packaged/);
  });
});
