import { sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from './app';
import { CallErrorReply, SimulatedCharger } from './charger-simulator';
import { seededRandom } from './seeded-random';

/**
 * A seeded randomized simulation of a site with faulty chargers (issue 14): dozens of simulated
 * chargers over real WebSockets against the real appliance and SQLite file, with lost answers and
 * retries, reconnects, reboots mid-session (some forgetting their session, which staff then close),
 * clocks off by years, meters that go backwards, offline queues delivered hours late, duplicate
 * top-ups and the appliance restarted. After every step the invariants are checked against the
 * database. A failure names the seed and the step; the same seed replays the same run of steps.
 * `npm test` runs a short one, `npm run bench` a long one.
 */

export interface FaultSimulationOptions {
  seed: number;
  steps: number;
  chargers: number;
  /** The appliance is restarted (closed and opened again on its data folder) every this many steps. */
  restartEvery: number;
  /** Progress for long runs (the benchmark prints it). */
  onProgress?: (step: number, report: FaultSimulationReport) => void;
}

export interface FaultSimulationReport {
  seed: number;
  steps: number;
  chargers: number;
  /** Faults injected, by kind. */
  faults: Record<string, number>;
  faultsInjected: number;
  /** Invariants evaluated (each invariant on each object it covers, after every step). */
  invariantsChecked: number;
  sessionsStarted: number;
  sessionsEnded: number;
  topups: number;
  restarts: number;
}

const TARIFF = { energyPricePerKwh: 1500, sessionFee: 25, timePricePerHour: 60, bands: [{ start: '18:00', end: '22:00', energyPricePerKwh: 2100 }] };
const MAX_ENERGY_PRICE_PER_KWH = 2100;
const TOPUP_MINOR = 5_000_000;
const HOUR_MS = 3_600_000;
const YEAR_MS = 365.25 * 24 * HOUR_MS;

interface ModelSession {
  chargerId: string;
  transactionId: number;
  uid: string;
  /** Real time the start was answered, and the charger's start time when it can be true. */
  answeredAtMs: number;
  trustedStartMs: number | undefined;
  ended: boolean;
}

interface ModelCharger {
  id: string;
  sim: SimulatedCharger | undefined;
  /** Off the network: what it does is queued and delivered when it comes back. */
  offline: boolean;
  queue: (() => Promise<void>)[];
  /** How far its clock is off (years after a power cut, or right). */
  clockOffsetMs: number;
  /** Charger time runs from here while offline (the queue is delivered hours late). */
  offlineClockMs: number | undefined;
  meterWh: number;
  active: { transactionId: number | undefined; uid: string; startWh: number } | undefined;
}

class InvariantBroken extends Error {}

export async function runFaultSimulation(options: FaultSimulationOptions): Promise<FaultSimulationReport> {
  const random = seededRandom(options.seed);
  const report: FaultSimulationReport = {
    seed: options.seed,
    steps: 0,
    chargers: options.chargers,
    faults: {},
    faultsInjected: 0,
    invariantsChecked: 0,
    sessionsStarted: 0,
    sessionsEnded: 0,
    topups: 0,
    restarts: 0,
  };
  const fault = (kind: string) => {
    report.faults[kind] = (report.faults[kind] ?? 0) + 1;
    report.faultsInjected++;
  };
  let t: TestApp = await startTestApp();
  const chargers: ModelCharger[] = [];
  const sessions = new Map<string, ModelSession>();
  const key = (chargerId: string, transactionId: number) => `${chargerId}/${transactionId}`;
  /** Acknowledged top-ups per card. */
  const toppedUp = new Map<string, number>();
  /** Cards busy on the appliance (an active session, also one its charger forgot). */
  const busyCards = new Set<string>();
  /** Sessions whose charger forgot them after a reboot: only staff can end them. */
  const forgotten: ModelSession[] = [];
  /** Sessions staff closed, for a late StopTransaction from the charger. */
  const closedByStaff: ModelSession[] = [];
  const uids: string[] = [];
  let topupKeys = 0;

  const must = (condition: boolean, message: () => string) => {
    report.invariantsChecked++;
    if (!condition) throw new InvariantBroken(message());
  };

  try {
    await t.api('PATCH', '/settings', { currency: 'INR', timeZone: 'Asia/Kolkata' });
    await t.api('PUT', '/tariffs/default', TARIFF);
    for (let i = 0; i < options.chargers; i++) {
      const id = `SIM-${String(i).padStart(3, '0')}`;
      must((await t.api('POST', '/chargers', { id })).status === 201, () => `could not register ${id}`);
      chargers.push({ id, sim: undefined, offline: false, queue: [], clockOffsetMs: 0, offlineClockMs: undefined, meterWh: random.int(0, 1_000_000), active: undefined });
    }
    // Two cards per charger: some are busy in forgotten sessions at any time.
    for (let i = 0; i < options.chargers * 2; i++) {
      const uid = `SIMCARD${String(i).padStart(4, '0')}`;
      await t.api('POST', '/cards', { uid, kind: 'prepaid' });
      await topUp(uid, TOPUP_MINOR, `seed-${options.seed}-initial-${uid}`);
      uids.push(uid);
    }

    for (let step = 1; step <= options.steps; step++) {
      report.steps = step;
      try {
        await runStep();
        if (step % options.restartEvery === 0) await restart();
        checkInvariants();
      } catch (error) {
        const cause = error instanceof Error ? error.message : String(error);
        throw new Error(`fault simulation failed at step ${step} (replay with seed ${options.seed}): ${cause}`, { cause: error });
      }
      options.onProgress?.(step, report);
    }
    // Everything still open ends: every charger comes back and stops, staff close the forgotten.
    for (const charger of chargers) {
      if (charger.offline) await comeBack(charger);
      if (charger.active) await stop(charger);
    }
    for (const session of forgotten.splice(0)) await staffClose(session);
    checkInvariants();
    must([...sessions.values()].every((session) => session.ended), () => 'a session is still open at the end');
    return report;
  } finally {
    await Promise.all(chargers.map((charger) => charger.sim?.close().catch(() => undefined)));
    await t.close();
  }

  // ---- the charger's clock and connection --------------------------------------------------

  function chargerTime(charger: ModelCharger): string {
    if (charger.offlineClockMs !== undefined) {
      // Time passes offline in minutes; the queue is delivered with these stamps later.
      charger.offlineClockMs += random.int(1, 20) * 60_000;
      return new Date(charger.offlineClockMs + charger.clockOffsetMs).toISOString();
    }
    return new Date(Date.now() + charger.clockOffsetMs).toISOString();
  }

  function trustedMs(iso: string, arrivedMs: number): number | undefined {
    const ms = Date.parse(iso);
    return ms >= Date.parse('2020-01-01T00:00:00Z') && ms <= arrivedMs + 5 * 60_000 ? ms : undefined;
  }

  async function connected(charger: ModelCharger): Promise<SimulatedCharger> {
    if (charger.sim && charger.sim.ws.readyState === charger.sim.ws.OPEN) return charger.sim;
    const sim = await new SimulatedCharger({ url: t.ocppUrl, id: charger.id, callTimeoutMs: 30_000 }).connect();
    charger.sim = sim;
    must((await sim.boot()).status === 'Accepted', () => `${charger.id} was not accepted at boot`);
    return sim;
  }

  /** A CALL whose answer may be lost: then the charger sends it again, as a real one does. */
  async function callWithRetry<T>(charger: ModelCharger, send: (sim: SimulatedCharger) => Promise<T>): Promise<T> {
    const sim = await connected(charger);
    const first = await send(sim);
    if (!random.chance(0.12)) return first;
    fault('lost answer, CALL sent again');
    const again = await send(sim);
    return again;
  }

  // ---- steps -------------------------------------------------------------------------------

  async function runStep(): Promise<void> {
    const charger = random.pick(chargers);
    const roll = random.next();
    if (charger.offline) {
      if (roll < 0.35) return comeBack(charger);
      // Offline, the charger goes on charging; what it would have sent waits in its queue.
      if (!charger.active) return start(charger);
      return roll < 0.7 ? meter(charger) : stop(charger);
    }
    if (roll < 0.05) return topUpSomeone();
    if (roll < 0.09) return reconnect(charger);
    if (roll < 0.13) return goOffline(charger);
    if (roll < 0.17) return jumpClock(charger);
    if (roll < 0.2 && forgotten.length > 0) return staffClose(forgotten.splice(random.int(0, forgotten.length - 1), 1)[0]!);
    if (roll < 0.22 && closedByStaff.length > 0) return lateStopAfterClose(random.pick(closedByStaff));
    if (!charger.active) return start(charger);
    if (roll < 0.26) return reboot(charger);
    if (roll < 0.62) return meter(charger);
    return stop(charger);
  }

  /** Sends now, or (offline) later in the order the charger did things. */
  async function sendOrQueue(charger: ModelCharger, send: () => Promise<void>): Promise<void> {
    if (!charger.offline) return send();
    charger.queue.push(send);
    fault('message queued offline');
  }

  async function start(charger: ModelCharger): Promise<void> {
    const free = uids.filter((uid) => !busyCards.has(uid));
    if (free.length === 0) return;
    const uid = random.pick(free);
    busyCards.add(uid);
    const active = { transactionId: undefined as number | undefined, uid, startWh: charger.meterWh };
    charger.active = active;
    const timestamp = chargerTime(charger);
    await sendOrQueue(charger, async () => {
      const first = await callWithRetry(charger, (sim) => sim.startTransaction(1, uid, active.startWh, timestamp));
      const arrivedMs = Date.now();
      must(first.idTagInfo.status === 'Accepted', () => `${charger.id}: start for ${uid} answered ${first.idTagInfo.status}`);
      must(!sessions.has(key(charger.id, first.transactionId)), () => `${charger.id}: transaction ${first.transactionId} answered to two starts`);
      sessions.set(key(charger.id, first.transactionId), {
        chargerId: charger.id,
        transactionId: first.transactionId,
        uid,
        answeredAtMs: arrivedMs,
        trustedStartMs: trustedMs(timestamp, arrivedMs),
        ended: false,
      });
      active.transactionId = first.transactionId;
      report.sessionsStarted++;
    });
  }

  async function meter(charger: ModelCharger): Promise<void> {
    const active = charger.active!;
    let reading: number;
    if (random.chance(0.1)) {
      fault('meter went backwards');
      reading = Math.max(0, charger.meterWh - random.int(1, 50_000));
    } else {
      charger.meterWh += random.int(0, 4000);
      reading = charger.meterWh;
    }
    const timestamp = chargerTime(charger);
    // Queued behind its start when that is queued too: the id is known by the time it is sent.
    await sendOrQueue(charger, async () => {
      await callWithRetry(charger, (sim) => sim.meterValues(1, active.transactionId!, reading, timestamp));
    });
  }

  async function stop(charger: ModelCharger): Promise<void> {
    const active = charger.active!;
    charger.meterWh += random.int(0, 3000);
    const meterStop = charger.meterWh;
    const timestamp = chargerTime(charger);
    charger.active = undefined;
    await sendOrQueue(charger, async () => {
      const transactionId = active.transactionId!;
      await callWithRetry(charger, (sim) => sim.stopTransaction(transactionId, meterStop, { idTag: active.uid }, timestamp));
      sessions.get(key(charger.id, transactionId))!.ended = true;
      busyCards.delete(active.uid);
      report.sessionsEnded++;
    });
  }

  async function reconnect(charger: ModelCharger): Promise<void> {
    fault('reconnect');
    await charger.sim?.close();
    await connected(charger);
  }

  async function reboot(charger: ModelCharger): Promise<void> {
    fault('reboot mid-session');
    // Power gone: no close frame, the appliance notices the socket drop.
    charger.sim?.ws.terminate();
    charger.sim = undefined;
    const active = charger.active!;
    if (active.transactionId !== undefined && random.chance(0.4)) {
      // Its memory is gone: the session stays open on the appliance until staff close it.
      fault('session forgotten by the charger');
      forgotten.push(sessions.get(key(charger.id, active.transactionId))!);
      charger.active = undefined;
    }
    await connected(charger);
  }

  async function goOffline(charger: ModelCharger): Promise<void> {
    fault('offline (queue delivered late)');
    await charger.sim?.close();
    charger.sim = undefined;
    charger.offline = true;
    // What it does offline carries stamps from hours ago by the time it is delivered.
    charger.offlineClockMs = Date.now() - random.int(2, 48) * HOUR_MS;
  }

  async function comeBack(charger: ModelCharger): Promise<void> {
    charger.offline = false;
    charger.offlineClockMs = undefined;
    for (const action of charger.queue.splice(0)) await action();
  }

  async function jumpClock(charger: ModelCharger): Promise<void> {
    const choice = random.int(0, 2);
    if (choice === 0) {
      fault('clock reset to 1970');
      charger.clockOffsetMs = -(Date.now() - random.int(0, 86_400) * 1000);
    } else if (choice === 1) {
      fault('clock years ahead');
      charger.clockOffsetMs = random.int(1, 30) * YEAR_MS;
    } else charger.clockOffsetMs = 0;
  }

  async function staffClose(session: ModelSession): Promise<void> {
    const row = sessionRow(session);
    const closed = await t.api('POST', `/sessions/${row.id}/close`, { reason: 'charger forgot it after a reboot' });
    must(closed.status === 200, () => `close of session ${row.id} answered ${closed.status} ${JSON.stringify(closed.body)}`);
    session.ended = true;
    busyCards.delete(session.uid);
    closedByStaff.push(session);
    report.sessionsEnded++;
  }

  async function lateStopAfterClose(session: ModelSession): Promise<void> {
    fault('StopTransaction after staff closed the session');
    const charger = chargers.find((each) => each.id === session.chargerId)!;
    if (charger.offline) return;
    const sim = await connected(charger);
    const answer = await sim.stopTransaction(session.transactionId, charger.meterWh + 100_000, { idTag: session.uid }, chargerTime(charger)).catch((error: unknown) => error);
    must(!(answer instanceof CallErrorReply), () => `late stop of ${session.chargerId}/${session.transactionId} answered ${String(answer)}`);
  }

  async function topUpSomeone(): Promise<void> {
    const uid = random.pick(uids);
    const amount = random.int(1, 500_000);
    const idempotencyKey = `seed-${options.seed}-topup-${topupKeys++}`;
    await topUp(uid, amount, idempotencyKey);
    if (random.chance(0.3)) {
      fault('top-up answer lost, sent again with its key');
      const again = await t.api('POST', `/cards/${uid}/topups`, { amount, method: 'cash' }, { headers: { 'Idempotency-Key': idempotencyKey } });
      must(again.status === 201, () => `replayed top-up answered ${again.status}`);
    }
  }

  async function topUp(uid: string, amount: number, idempotencyKey: string): Promise<void> {
    const answer = await t.api('POST', `/cards/${uid}/topups`, { amount, method: 'cash' }, { headers: { 'Idempotency-Key': idempotencyKey } });
    must(answer.status === 201, () => `top-up of ${uid} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    toppedUp.set(uid, (toppedUp.get(uid) ?? 0) + amount);
    report.topups++;
  }

  async function restart(): Promise<void> {
    fault('appliance restarted');
    report.restarts++;
    for (const charger of chargers) {
      await charger.sim?.close().catch(() => undefined);
      charger.sim = undefined;
    }
    t = await t.restart();
  }

  // ---- invariants --------------------------------------------------------------------------

  function sessionRow(session: ModelSession) {
    return t.app.services.db.orm.get<{ id: number }>(
      sql`SELECT id FROM sessions WHERE charger_id = ${session.chargerId} AND transaction_id = ${String(session.transactionId)}`,
    );
  }

  function checkInvariants(): void {
    const { db, ledger, drivers } = t.app.services;
    const rows = db.orm.all<{ id: number; chargerId: string; transactionId: string; status: string; cardUid: string; costMinor: number | null; energyWh: number | null }>(sql`
      SELECT id, charger_id AS chargerId, transaction_id AS transactionId, status, card_uid AS cardUid, cost_minor AS costMinor, energy_wh AS energyWh FROM sessions`);
    const charges = new Map(
      db.orm
        .all<{ reference: string; transfers: number; amountMinor: number }>(sql`
          SELECT reference, count(*) AS transfers, sum(amount_minor) AS amountMinor FROM ledger_transfers
          WHERE reference LIKE 'session:%' AND kind IN ('posted', 'post_pending') GROUP BY reference`)
        .map((row) => [row.reference, row]),
    );
    // Each answered StartTransaction is exactly one session, and there is no other.
    must(rows.length === sessions.size, () => `${rows.length} sessions on the appliance, ${sessions.size} starts answered`);
    const byKey = new Map(rows.map((row) => [`${row.chargerId}/${row.transactionId}`, row]));
    const spentByCard = new Map<string, number>();
    const nowMs = Date.now();
    for (const [sessionKey, session] of sessions) {
      const row = byKey.get(sessionKey);
      must(row !== undefined, () => `answered start ${sessionKey} has no session`);
      // Nothing acknowledged is missing: an answered stop (or staff close) ended it.
      must(!session.ended || row!.status === 'completed', () => `session ${sessionKey} was ended but is ${row!.status}`);
      must(session.ended || row!.status === 'active', () => `session ${sessionKey} ended without a stop`);
      const charge = charges.get(`session:${row!.id}`);
      if (row!.status === 'completed') {
        const cost = row!.costMinor ?? 0;
        // Billed exactly once, for what the session row says.
        must(cost === 0 ? charge === undefined : charge?.transfers === 1 && charge.amountMinor === cost, () => `session ${sessionKey} cost ${cost} but charged ${JSON.stringify(charge)}`);
        // Never billed for time the charger's clock made up: at most the time it really ran.
        const since = Math.min(session.trustedStartMs ?? session.answeredAtMs, session.answeredAtMs);
        const maxTimeMinor = Math.ceil((TARIFF.timePricePerHour * (nowMs - since + 60_000)) / HOUR_MS);
        const maxEnergyMinor = Math.ceil(((row!.energyWh ?? 0) * MAX_ENERGY_PRICE_PER_KWH) / 1000);
        must(cost <= TARIFF.sessionFee + maxEnergyMinor + maxTimeMinor + 1, () => `session ${sessionKey} cost ${cost}, more than it could`);
        spentByCard.set(session.uid, (spentByCard.get(session.uid) ?? 0) + cost);
      } else must(charge === undefined, () => `active session ${sessionKey} was charged`);
    }
    // Each card's balance is its top-ups less its sessions' costs.
    for (const uid of uids) {
      const accountId = drivers.cardByUid(uid)?.accountId;
      must(accountId !== null && accountId !== undefined, () => `card ${uid} has no account`);
      const balance = ledger.balance(accountId!).balanceMinor;
      const expected = (toppedUp.get(uid) ?? 0) - (spentByCard.get(uid) ?? 0);
      must(balance === expected, () => `card ${uid}: balance ${balance}, top-ups less costs ${expected}`);
    }
    // The ledger sums to zero and every cached balance matches its entries.
    const check = ledger.check();
    must(check.problems.length === 0 && check.totalMinor === 0, () => `ledger: ${check.problems.join('; ')} total ${check.totalMinor}`);
  }
}
