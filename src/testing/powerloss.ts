import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { spawnAppliance, TEST_API_TOKEN, type ApplianceProcess } from './app';
import { SimulatedCharger } from './charger-simulator';
import { PowerCutDisk } from './lazyfs';
import { seededRandom } from './seeded-random';

export { findLazyFs } from './lazyfs';

/**
 * A real power-loss test of the appliance: its data directory lives on LazyFS, a FUSE file
 * system that keeps every write in its own cache until the file is fsynced and drops the rest on
 * command, which is what a power cut does to the page cache (../.ci/powerloss, vendored from the
 * shared harness). The appliance runs as the compiled process, is killed at a random moment while
 * chargers and a cashier are busy, the power is cut, the disk remounted, the appliance started
 * again, and everything it answered must be in its database.
 */

export interface PowerLossOptions {
  binary: string;
  /** The compiled appliance to run (dist/src/main.js of this or another build). */
  mainScript: string;
  /** A folder for the mount; it must not contain a comma or quote. */
  workDir: string;
  cuts: number;
  chargers?: number;
  /** Seed of the random kill moments and meter steps (the report names it for a rerun). */
  seed?: number;
  log?: (line: string) => void;
}

export interface Tally {
  starts: number;
  meterValues: number;
  stops: number;
  topups: number;
  /** Authorize answers Accepted on a card whose only money was a top-up not yet answered. */
  authorizedOnFreshTopup: number;
}

export interface PowerLossReport {
  seed: number;
  cuts: number;
  /** Acknowledged before a cut (every cut counted), and how many of those were missing after it. */
  acknowledged: Tally;
  lost: Tally;
  /** Writes answered after the last cut (checked once more at the end). */
  problems: string[];
  /** Ledger check and integrity after every restart. */
  ledgerChecks: number;
}

interface PendingMessage {
  action: 'StartTransaction' | 'MeterValues' | 'StopTransaction';
  payload: Record<string, unknown>;
}

interface ChargerModel {
  id: string;
  idTag: string;
  meterWh: number;
  transactionId: number | undefined;
  meterValuesSent: number;
  /** Sent, not answered: sent again after the reboot, as a charger's offline queue does. */
  unanswered: PendingMessage | undefined;
}

interface Acknowledged {
  starts: { chargerId: string; transactionId: number }[];
  meterValues: { chargerId: string; transactionId: number; registerWh: number }[];
  stops: { chargerId: string; transactionId: number; meterStopWh: number }[];
  topups: { key: string; uid: string; amount: number; topupId: number }[];
  authorizedOnFreshTopup: { uid: string; key: string }[];
}

const METER_VALUES_PER_SESSION = 6;
/** Each round kills the appliance at a random moment after at least this many answers. */
const ANSWERS_BEFORE_KILL = 30;

function answeredCount(acknowledged: Acknowledged): number {
  return acknowledged.starts.length + acknowledged.meterValues.length + acknowledged.stops.length + acknowledged.topups.length;
}
const CASHIER_UID = (index: number) => `PLCARD${String(index).padStart(3, '0')}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(appliance: ApplianceProcess, method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${appliance.baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => undefined)) as Record<string, any> | undefined };
}

/**
 * Runs `cuts` rounds of: start the appliance on the LazyFS mount, drive chargers (StartTransaction,
 * MeterValues, StopTransaction with prepaid cards, so stops post money) and a cashier (keyed
 * top-ups) and an Authorize loop, SIGKILL the appliance at a random moment, cut the power,
 * remount, start it again and check every acknowledged write, the ledger and the file.
 */
export async function runPowerLossTest(options: PowerLossOptions): Promise<PowerLossReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed).next;
  const log = options.log ?? (() => undefined);
  const disk = new PowerCutDisk(options.binary, path.join(options.workDir, 'data'));
  const chargers: ChargerModel[] = Array.from({ length: options.chargers ?? 8 }, (_, index) => ({
    id: `PL-CP${index}`,
    idTag: CASHIER_UID(index),
    meterWh: 1000,
    transactionId: undefined,
    meterValuesSent: 0,
    unanswered: undefined,
  }));
  const acknowledged: Acknowledged = { starts: [], meterValues: [], stops: [], topups: [], authorizedOnFreshTopup: [] };
  const report: PowerLossReport = {
    seed,
    cuts: 0,
    acknowledged: { starts: 0, meterValues: 0, stops: 0, topups: 0, authorizedOnFreshTopup: 0 },
    lost: { starts: 0, meterValues: 0, stops: 0, topups: 0, authorizedOnFreshTopup: 0 },
    problems: [],
    ledgerChecks: 0,
  };
  const unansweredTopups = new Map<string, { uid: string; amount: number }>();
  let topupSequence = 0;

  disk.mount();
  let appliance: ApplianceProcess | undefined;
  try {
    appliance = await spawnAppliance(disk.mountDir, { CSMS_LOG_LEVEL: 'warn' }, options.mainScript);
    log('started');
    await setUp(appliance, chargers.length);
    log('set up');
    for (let round = 1; round <= options.cuts; round++) {
      const running = { value: true };
      const live = appliance;
      const freshUid = `PLFRESH${round}`;
      const traffic = [
        ...chargers.map((charger) => driveCharger(live, charger, running, random, acknowledged)),
        driveCashier(live, running, random, acknowledged, unansweredTopups, () => `pl-${seed}-${++topupSequence}`),
        driveFreshCardAuthorize(live, running, freshUid, `pl-${seed}-fresh-${round}`, acknowledged, unansweredTopups),
      ];
      // The kill lands at a random moment once traffic flows, however fast this machine is.
      const trafficStartedMs = Date.now();
      const answeredBefore = answeredCount(acknowledged);
      while (answeredCount(acknowledged) - answeredBefore < ANSWERS_BEFORE_KILL && Date.now() - trafficStartedMs < 10_000) await sleep(20);
      await sleep(random() * 1000);
      log(`round ${round}: killing after ${Date.now() - trafficStartedMs} ms and ${answeredCount(acknowledged) - answeredBefore} answers`);
      // 1. the appliance dies (a power cut stops it first), 2. unsynced writes vanish, 3. reboot.
      live.child.kill('SIGKILL');
      await live.exited;
      running.value = false;
      await Promise.all(traffic);
      disk.cut();
      disk.remount();
      report.cuts++;
      log(`round ${round}: cut and remounted`);
      appliance = await spawnAppliance(disk.mountDir, { CSMS_LOG_LEVEL: 'warn' }, options.mainScript);
      log(`round ${round}: restarted`);
      await verify(appliance, disk.mountDir, acknowledged, report);
      log(
        `cut ${round}: acknowledged so far ${acknowledged.starts.length} starts, ${acknowledged.meterValues.length} meter values, ` +
          `${acknowledged.stops.length} stops, ${acknowledged.topups.length} top-ups; lost ${JSON.stringify(report.lost)}`,
      );
    }
  } finally {
    if (appliance && appliance.child.exitCode === null && appliance.child.signalCode === null) {
      appliance.child.kill('SIGTERM');
      await appliance.exited;
    }
    // A failure to clean up is reported, never thrown over the error that ended the run.
    try {
      disk.destroy();
    } catch (error) {
      log(`could not remove ${disk.mountDir}: ${(error as Error).message}`);
    }
  }
  report.acknowledged = {
    starts: acknowledged.starts.length,
    meterValues: acknowledged.meterValues.length,
    stops: acknowledged.stops.length,
    topups: acknowledged.topups.length,
    authorizedOnFreshTopup: acknowledged.authorizedOnFreshTopup.length,
  };
  return report;
}

async function setUp(appliance: ApplianceProcess, chargerCount: number): Promise<void> {
  const expectOk = (what: string, status: number) => {
    if (status >= 300) throw new Error(`power-loss setup: ${what} answered ${status}`);
  };
  expectOk('settings', (await api(appliance, 'PATCH', '/settings', { unknownChargerPolicy: 'accept', currency: 'INR' })).status);
  expectOk('tariff', (await api(appliance, 'PUT', '/tariffs/default', { energyPricePerKwh: 1500, sessionFee: 100, timePricePerHour: 0 })).status);
  for (let index = 0; index < chargerCount; index++) {
    expectOk('card', (await api(appliance, 'POST', '/cards', { uid: CASHIER_UID(index), kind: 'prepaid' })).status);
    const topup = await api(appliance, 'POST', `/cards/${CASHIER_UID(index)}/topups`, { amount: 10_000_000, method: 'cash' }, { 'Idempotency-Key': `pl-setup-${index}` });
    expectOk('first top-up', topup.status);
  }
}

function nextMessage(charger: ChargerModel, random: () => number): PendingMessage {
  const timestamp = new Date().toISOString();
  if (charger.transactionId === undefined) {
    return { action: 'StartTransaction', payload: { connectorId: 1, idTag: charger.idTag, meterStart: charger.meterWh, timestamp } };
  }
  if (charger.meterValuesSent < METER_VALUES_PER_SESSION) {
    charger.meterWh += 1 + Math.floor(random() * 500);
    return {
      action: 'MeterValues',
      payload: {
        connectorId: 1,
        transactionId: charger.transactionId,
        meterValue: [
          {
            timestamp,
            sampledValue: [
              { value: String(charger.meterWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
              { value: '7200', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
            ],
          },
        ],
      },
    };
  }
  return { action: 'StopTransaction', payload: { transactionId: charger.transactionId, meterStop: charger.meterWh, timestamp, reason: 'Local' } };
}

/** One charger, each CALL after the answer to the previous one; an unanswered CALL is sent again after the reboot. */
async function driveCharger(
  appliance: ApplianceProcess,
  charger: ChargerModel,
  running: { value: boolean },
  random: () => number,
  acknowledged: Acknowledged,
): Promise<void> {
  let connection: SimulatedCharger;
  try {
    connection = await new SimulatedCharger({ url: appliance.ocppUrl, id: charger.id, callTimeoutMs: 20_000 }).connect();
    await connection.boot();
  } catch {
    return;
  }
  while (running.value) {
    const message = charger.unanswered ?? nextMessage(charger, random);
    charger.unanswered = message;
    let answer: Record<string, any>;
    try {
      answer = await connection.call(message.action, message.payload);
    } catch {
      break; // killed: the message stays unanswered
    }
    charger.unanswered = undefined;
    const payload = message.payload;
    if (message.action === 'StartTransaction') {
      charger.transactionId = answer.transactionId as number;
      charger.meterValuesSent = 0;
      acknowledged.starts.push({ chargerId: charger.id, transactionId: charger.transactionId });
    } else if (message.action === 'MeterValues') {
      charger.meterValuesSent++;
      const registerWh = Number((payload.meterValue as { sampledValue: { value: string }[] }[])[0]!.sampledValue[0]!.value);
      acknowledged.meterValues.push({ chargerId: charger.id, transactionId: payload.transactionId as number, registerWh });
    } else {
      acknowledged.stops.push({ chargerId: charger.id, transactionId: payload.transactionId as number, meterStopWh: payload.meterStop as number });
      charger.transactionId = undefined;
    }
  }
  connection.ws.terminate();
}

/** A cashier topping up cards with an Idempotency-Key; a request without an answer is retried with its key after the reboot. */
async function driveCashier(
  appliance: ApplianceProcess,
  running: { value: boolean },
  random: () => number,
  acknowledged: Acknowledged,
  unanswered: Map<string, { uid: string; amount: number }>,
  nextKey: () => string,
): Promise<void> {
  const retries = [...unanswered.entries()].filter(([key]) => !key.includes('-fresh-'));
  while (running.value) {
    const retry = retries.shift();
    const [key, topup] = retry ?? [nextKey(), { uid: CASHIER_UID(Math.floor(random() * 4)), amount: 100 + Math.floor(random() * 900) }];
    unanswered.set(key, topup);
    try {
      const answer = await api(appliance, 'POST', `/cards/${topup.uid}/topups`, { amount: topup.amount, method: 'cash' }, { 'Idempotency-Key': key });
      if (answer.status !== 201) break;
      unanswered.delete(key);
      acknowledged.topups.push({ key, uid: topup.uid, amount: topup.amount, topupId: answer.body!.topupId as number });
    } catch {
      break;
    }
  }
}

/**
 * A card with no money is topped up while a charger keeps asking Authorize for it. An Accepted
 * answer can only come from the top-up, so once Accepted was answered the top-up must survive
 * the cut even if its own answer never arrived: no answer may rest on a write not yet durable.
 */
async function driveFreshCardAuthorize(
  appliance: ApplianceProcess,
  running: { value: boolean },
  uid: string,
  key: string,
  acknowledged: Acknowledged,
  unanswered: Map<string, { uid: string; amount: number }>,
): Promise<void> {
  let connection: SimulatedCharger;
  try {
    if ((await api(appliance, 'POST', '/cards', { uid, kind: 'prepaid' })).status !== 201) return;
    connection = await new SimulatedCharger({ url: appliance.ocppUrl, id: `PL-AUTH-${uid}`, callTimeoutMs: 20_000 }).connect();
    await connection.boot();
  } catch {
    return;
  }
  const topup = { uid, amount: 5000 };
  unanswered.set(key, topup);
  void api(appliance, 'POST', `/cards/${uid}/topups`, { amount: topup.amount, method: 'cash' }, { 'Idempotency-Key': key }).then(
    (answer) => {
      if (answer.status !== 201) return;
      unanswered.delete(key);
      acknowledged.topups.push({ key, uid, amount: topup.amount, topupId: answer.body!.topupId as number });
    },
    () => undefined,
  );
  while (running.value) {
    try {
      const answer = await connection.authorize(uid);
      if ((answer.idTagInfo as { status: string }).status === 'Accepted') {
        acknowledged.authorizedOnFreshTopup.push({ uid, key });
        break;
      }
    } catch {
      break;
    }
  }
  connection.ws.terminate();
}

async function verify(appliance: ApplianceProcess, mountDir: string, acknowledged: Acknowledged, report: PowerLossReport): Promise<void> {
  const sqlite = new BetterSqlite3(path.join(mountDir, 'chargeyard.db'), { readonly: true, fileMustExist: true });
  try {
    const integrity = sqlite.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') report.problems.push(`after cut ${report.cuts}: quick_check says ${String(integrity)}`);
    const session = sqlite.prepare<[string, string], { status: string; meter_stop_wh: number | null }>(
      'SELECT status, meter_stop_wh FROM sessions WHERE charger_id = ? AND transaction_id = ?',
    );
    const meterValue = sqlite.prepare<[string, string, number], { n: number }>(
      'SELECT count(*) AS n FROM meter_values WHERE charger_id = ? AND transaction_id = ? AND energy_register_wh = ?',
    );
    const topup = sqlite.prepare<[number], { amount_minor: number }>('SELECT amount_minor FROM topups WHERE id = ?');
    const topupOfCard = sqlite.prepare<[string], { n: number }>('SELECT count(*) AS n FROM topups WHERE card_uid = ?');
    const lost: Tally = { starts: 0, meterValues: 0, stops: 0, topups: 0, authorizedOnFreshTopup: 0 };
    for (const start of acknowledged.starts) {
      if (!session.get(start.chargerId, String(start.transactionId))) lost.starts++;
    }
    for (const value of acknowledged.meterValues) {
      if ((meterValue.get(value.chargerId, String(value.transactionId), value.registerWh)?.n ?? 0) === 0) lost.meterValues++;
    }
    for (const stop of acknowledged.stops) {
      const row = session.get(stop.chargerId, String(stop.transactionId));
      if (!row || row.status !== 'completed' || row.meter_stop_wh !== stop.meterStopWh) lost.stops++;
    }
    for (const entry of acknowledged.topups) {
      if (topup.get(entry.topupId)?.amount_minor !== entry.amount) lost.topups++;
    }
    for (const entry of acknowledged.authorizedOnFreshTopup) {
      if ((topupOfCard.get(entry.uid)?.n ?? 0) === 0) lost.authorizedOnFreshTopup++;
    }
    // Counted per cut: a write lost once stays lost, so only what this cut newly lost is added.
    for (const kind of Object.keys(lost) as (keyof Tally)[]) {
      const before = report.lost[kind];
      if (lost[kind] > before) report.problems.push(`after cut ${report.cuts}: ${lost[kind] - before} acknowledged ${kind} missing`);
      report.lost[kind] = Math.max(before, lost[kind]);
    }
  } finally {
    sqlite.close();
  }
  const check = await api(appliance, 'GET', '/ledger/check');
  report.ledgerChecks++;
  if (check.status !== 200 || check.body?.ok !== true) {
    report.problems.push(`after cut ${report.cuts}: ledger check ${check.status} ${JSON.stringify(check.body)}`);
  }
  // The keys survive with their money: the same request again gets the first answer.
  for (const entry of acknowledged.topups.slice(-20)) {
    const replay = await api(appliance, 'POST', `/cards/${entry.uid}/topups`, { amount: entry.amount, method: 'cash' }, { 'Idempotency-Key': entry.key });
    if (replay.status !== 201 || replay.body?.topupId !== entry.topupId) {
      report.problems.push(`after cut ${report.cuts}: replaying top-up key ${entry.key} answered ${replay.status} ${JSON.stringify(replay.body)}`);
    }
  }
}
