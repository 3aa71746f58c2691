import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { isAlive } from '../ops/pid-file';
import { findOnPath } from './find-program';

/**
 * The one Chromium launcher for browser tests and screenshots. It decides which browser runs:
 *
 * - `CHARGEYARD_BROWSER` unset (or `auto`): the system's Chromium when there is one
 *   (`CHROMIUM_PATH`, else `chromium` on PATH), otherwise the packaged one;
 * - `CHARGEYARD_BROWSER=system`: the system's Chromium, an error when there is none;
 * - `CHARGEYARD_BROWSER=packaged`: the packaged one even where a system Chromium exists
 *   (`.ci/run` proves the fresh-machine path this way).
 *
 * "Packaged" is the headless Chromium shipped inside the `@sparticuz/chromium` npm package
 * (brotli-compressed in the package itself, with the NSS libraries it links against and a font):
 * `npm install` brings it and nothing is downloaded at install or test time. It is unpacked once
 * per checkout into `node_modules/.cache/chargeyard-browser/`.
 *
 * Fonts: the UI is in Punjabi (Gurmukhi) and Hindi (Devanagari) too, which neither the packaged
 * browser nor a plain Debian has fonts for. Noto Sans Gurmukhi and Noto Sans Devanagari come as TTF
 * files from npm (the packaged browser's FreeType reads no WOFF) and a fontconfig file made here
 * hands them to whichever browser runs: alone with the package's own font for the packaged one, so
 * it renders the same on every machine; beside the system's fonts for the system one.
 */

export type BrowserKind = 'system' | 'packaged';

/** The packaged browser's program is known only once it is unpacked. `description` is for people. */
export type BrowserChoice = { kind: 'system'; executablePath: string; description: string } | { kind: 'packaged'; description: string };

const BROWSER_SETTINGS = ['auto', 'system', 'packaged'] as const;
const PACKAGED_CHROMIUM = '@sparticuz/chromium';
const FONT_PACKAGES = ['@expo-google-fonts/noto-sans-gurmukhi', '@expo-google-fonts/noto-sans-devanagari'];
/**
 * Flags for every browser: no sandbox (tests may run as root), no network besides the test server,
 * no GPU (there is none; software GL would only cost CPU time the tests share).
 */
const COMMON_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-gpu'];
/** The system browser's extra flag; the packaged one's own flags select its headless shell. */
const SYSTEM_ARGS = ['--headless'];
/**
 * The package's own flags are made for serverless functions. Left out here: the two that switch off
 * the same-origin policy and mixed-content blocking (the UI tests must see a browser as strict as
 * the one at a cashier's desk), and --single-process, which a function sandbox needs but which ends
 * the whole browser when a test closes its context.
 */
const LEFT_OUT_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

/** Which browser launchBrowser starts, from the environment alone (nothing is unpacked here). */
export function chooseBrowser(env: NodeJS.ProcessEnv = process.env): BrowserChoice {
  const setting = env.CHARGEYARD_BROWSER === undefined || env.CHARGEYARD_BROWSER === '' ? 'auto' : env.CHARGEYARD_BROWSER;
  if (!(BROWSER_SETTINGS as readonly string[]).includes(setting)) {
    throw new Error(`CHARGEYARD_BROWSER must be one of ${BROWSER_SETTINGS.join(', ')}, not "${setting}"`);
  }
  const packaged: BrowserChoice = { kind: 'packaged', description: `packaged Chromium (${PACKAGED_CHROMIUM} ${packagedChromiumPackage().version})` };
  if (setting === 'packaged') return packaged;
  if (env.CHROMIUM_PATH) {
    // An explicit path that is wrong is a mistake to report, not a reason to quietly use another browser.
    if (!fs.existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist`);
    return { kind: 'system', executablePath: env.CHROMIUM_PATH, description: `system Chromium (CHROMIUM_PATH=${env.CHROMIUM_PATH})` };
  }
  const onPath = findOnPath('chromium', env.PATH ?? '');
  if (onPath) return { kind: 'system', executablePath: onPath, description: `system Chromium (${onPath})` };
  if (setting === 'system') throw new Error('CHARGEYARD_BROWSER=system, but there is no chromium on PATH and no CHROMIUM_PATH');
  return packaged;
}

/** One headless browser per test file; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  const choice = chooseBrowser();
  if (choice.kind === 'system') {
    return chromium.launch({
      executablePath: choice.executablePath,
      headless: true,
      args: [...SYSTEM_ARGS, ...COMMON_ARGS],
      env: { ...process.env, FONTCONFIG_FILE: writeFontConfig('system', []) },
    });
  }
  const unpacked = await unpackPackagedChromium();
  const libraryPath = [unpacked.libraryDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  return chromium.launch({
    executablePath: unpacked.executablePath,
    headless: true,
    args: [...unpacked.args.filter((arg) => !LEFT_OUT_ARGS.has(arg)), ...COMMON_ARGS],
    env: {
      ...process.env,
      FONTCONFIG_FILE: writeFontConfig('packaged', [unpacked.fontDir]),
      // The package's NSS and expat come first, so the browser needs nothing from the system but libc.
      LD_LIBRARY_PATH: libraryPath,
    },
  });
}

function packageDir(name: string): string {
  // Resolve the main entry: a package's "exports" may hide its package.json.
  const entry = require.resolve(name);
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${entry}`);
    dir = parent;
  }
  return dir;
}

function packagedChromiumPackage(): { dir: string; version: string; entry: string } {
  const dir = packageDir(PACKAGED_CHROMIUM);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version: manifest.version, entry: require.resolve(PACKAGED_CHROMIUM) };
}

/** node_modules/.cache/chargeyard-browser of the checkout this launcher's packages come from. */
function cacheRoot(): string {
  return path.resolve(packagedChromiumPackage().dir, '..', '..', '.cache', 'chargeyard-browser');
}

interface UnpackedChromium {
  executablePath: string;
  args: string[];
  libraryDir: string;
  fontDir: string;
}

/** What the unpack step records, relative to its folder (the folder is renamed once complete). */
interface UnpackRecord {
  executable: string;
  args: string[];
  libraryDir: string;
  fontDir: string;
}

/**
 * Runs in a child Node process: the package is an ES module that Jest's module system cannot load.
 * With TMPDIR pointed at the staging folder, the package's own executablePath() unpacks the binary
 * and its font there; its inflate() adds the NSS libraries, which it unpacks by itself only on
 * Amazon Linux. Graphics mode off: no SwiftShader software GL, which costs CPU and no test needs
 * (no WebGL). Called without a URL, the package downloads nothing.
 */
const UNPACK_SCRIPT = `
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const [entryUrl] = process.argv.slice(1);
const { default: Chromium, inflate } = await import(entryUrl);
Chromium.setGraphicsMode = false;
const binDir = path.join(path.dirname(fileURLToPath(entryUrl)), '..', 'bin');
const executable = await Chromium.executablePath();
const libraries = await inflate(path.join(binDir, 'al2023.tar.br'));
process.stdout.write(JSON.stringify({ executable, args: Chromium.args, libraryDir: path.join(libraries, 'lib'), fontDir: path.join(process.env.TMPDIR, 'fonts', 'fonts') }));
`;

/**
 * Unpacks the packaged browser once per checkout, package version and unpack script (~200 MB, a
 * few seconds).
 * Two Jest workers may start at the same moment: each unpacks into its own staging folder and
 * renames it into place; the loser removes its copy and uses the winner's.
 */
async function unpackPackagedChromium(): Promise<UnpackedChromium> {
  const { version, entry } = packagedChromiumPackage();
  const root = cacheRoot();
  const target = path.join(root, `chromium-${version}-${createHash('sha256').update(UNPACK_SCRIPT).digest('hex').slice(0, 8)}`);
  const recordFile = (dir: string) => path.join(dir, 'unpacked.json');
  const resolveRecord = (dir: string): UnpackedChromium => {
    const record = JSON.parse(fs.readFileSync(recordFile(dir), 'utf8')) as UnpackRecord;
    return {
      executablePath: path.join(dir, record.executable),
      args: record.args,
      libraryDir: path.join(dir, record.libraryDir),
      fontDir: path.join(dir, record.fontDir),
    };
  };
  if (fs.existsSync(recordFile(target))) return resolveRecord(target);

  fs.mkdirSync(root, { recursive: true });
  // Unpacks of other package versions or unpack scripts, and staging folders of runs killed while unpacking.
  for (const name of fs.readdirSync(root)) {
    const staging = /^chromium-.+\.partial-(\d+)$/.exec(name);
    const stale = staging ? !isAlive(Number(staging[1])) : name.startsWith('chromium-');
    if (stale) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', UNPACK_SCRIPT, pathToFileURL(entry).href], {
      env: { ...process.env, TMPDIR: staging },
      maxBuffer: 1024 * 1024,
    });
    const unpacked = JSON.parse(stdout) as UnpackRecord;
    const record: UnpackRecord = {
      executable: path.relative(staging, unpacked.executable),
      args: unpacked.args,
      libraryDir: path.relative(staging, unpacked.libraryDir),
      fontDir: path.relative(staging, unpacked.fontDir),
    };
    for (const dir of [record.libraryDir, record.fontDir]) {
      if (!fs.existsSync(path.join(staging, dir))) throw new Error(`${PACKAGED_CHROMIUM} ${version} unpacked no ${dir}`);
    }
    fs.writeFileSync(recordFile(staging), JSON.stringify(record));
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !fs.existsSync(recordFile(target))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return resolveRecord(target);
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The fontconfig file for one kind of browser, written only when its content changed (atomically:
 * two workers may write it at once). Returns its path, for FONTCONFIG_FILE.
 */
function writeFontConfig(kind: BrowserKind, extraFontDirs: string[]): string {
  const root = cacheRoot();
  const fontDirs = [...extraFontDirs, ...FONT_PACKAGES.map(packageDir)];
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
    `<!-- Written by src/testing/browser.ts for the ${kind} browser. -->`,
    '<fontconfig>',
    ...(kind === 'system' ? ['  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>'] : []),
    ...fontDirs.map((dir) => `  <dir>${xmlText(dir)}</dir>`),
    `  <cachedir>${xmlText(path.join(root, 'fontconfig-cache'))}</cachedir>`,
    '</fontconfig>',
    '',
  ];
  const content = lines.join('\n');
  const file = path.join(root, `fonts-${kind}.conf`);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return file;
  fs.mkdirSync(root, { recursive: true });
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
  return file;
}
