import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { closedLoop, openConnections, percentile, request, type LoadConnection } from './load';
import { runMixedSite } from './mixed';
import type { WriterStats } from './lean-writer';
import { startProcess } from './process';
import { runMoneyBench } from './money';
import { ROOT, writeReadmeSection } from './readme';
import { runFaultSimulation } from '../src/testing/fault-simulation';

/**
 * `npm run bench`: the appliance (compiled, its own process) against simulated chargers from
 * this process, beside a bare `ws` echo server as the ceiling. Prints a table and writes it into
 * README.md between the bench markers.
 */
const TOKEN = 'bench-admin-token-0123456789abcdef';
const CHARGERS = Number(process.env.BENCH_CHARGERS ?? 1000);
const IDLE_CHARGERS = Number(process.env.BENCH_IDLE_CHARGERS ?? 5000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const MEMORY_RUNS = Number(process.env.BENCH_MEMORY_RUNS ?? 3);

interface Row {
  figure: string;
  value: string;
  ratio: string;
  target: string;
}

/** Extra node flags for the appliance only, e.g. `BENCH_APPLIANCE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`. */
const APPLIANCE_NODE_ARGS = (process.env.BENCH_APPLIANCE_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** A fresh appliance on an empty data folder: its RSS idle, then with IDLE_CHARGERS booted chargers connected. */
async function measureMemory(applianceMain: string, env: Record<string, string>): Promise<{ rss: number; perChargerKiB: number; chargers: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-bench-memory-'));
  const appliance = await startProcess(applianceMain, { ...env, CSMS_DATA_DIR: dataDir }, APPLIANCE_NODE_ARGS);
  try {
    await api(`http://127.0.0.1:${appliance.port}`, 'PATCH', '/settings', { unknownChargerPolicy: 'accept' });
    const baselineRss = rssBytes(appliance.child.pid!);
    const idle = await openConnections(`ws://127.0.0.1:${appliance.port}/ocpp/`, ids('IDLE', IDLE_CHARGERS));
    for (const connection of idle) await request(connection, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'I' }]));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rss = rssBytes(appliance.child.pid!);
    for (const connection of idle) connection.ws.terminate();
    return { rss, perChargerKiB: (rss - baselineRss) / idle.length / 1024, chargers: idle.length };
  } finally {
    appliance.child.kill('SIGTERM');
    await new Promise((resolve) => appliance.child.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** CPU time the process has used, user + system (ms): what a figure costs, whatever else runs on the box. */
function cpuMs(pid: number, mainThreadOnly = false): number {
  const fields = fs.readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function api(baseUrl: string, method: string, apiPath: string, body?: unknown) {
  const response = await fetch(`${baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
}

const heartbeatFrame = (_connection: LoadConnection, sequence: number) => `[2,"h${sequence}","Heartbeat",{}]`;

/** Which parts run (`BENCH_PARTS=meter,latency`); all by default. */
const ALL_PARTS = 'coldstart,memory,heartbeat,meter,latency,mixed,money,faults';
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS).split(','));
/** The long fault simulation (issue 14); `FAULT_SIM_SEED` replays a failed run. */
const FAULT_SIM_STEPS = Number(process.env.FAULT_SIM_STEPS ?? 5000);
const FAULT_SIM_SEED = Number(process.env.FAULT_SIM_SEED ?? Date.now() % 2 ** 31);

/**
 * A closed loop against the server process `pid`, with what that process spent on it: CPU per
 * answered message (µs, user + system), all its threads and its main thread. Steady whatever
 * else the box runs (the rate is not): 1e6 / this is the rate one idle core would give.
 */
async function closedLoopWithCpu(pid: number, connections: LoadConnection[], makeFrame: (connection: LoadConnection, sequence: number) => string, durationMs: number) {
  const cpuBeforeMs = cpuMs(pid);
  const mainBeforeMs = cpuMs(pid, true);
  const generatorBefore = process.cpuUsage();
  const result = await closedLoop(connections, makeFrame, durationMs);
  const generator = process.cpuUsage(generatorBefore);
  return {
    perS: (result.roundTrips * 1000) / result.elapsedMs,
    roundTrips: result.roundTrips,
    errors: result.errors,
    cpuPerMessageUs: ((cpuMs(pid) - cpuBeforeMs) * 1000) / result.roundTrips,
    mainPerMessageUs: ((cpuMs(pid, true) - mainBeforeMs) * 1000) / result.roundTrips,
    /** This process (the load generator) per round trip: on this box it shares the two cores with the server. */
    generatorPerMessageUs: (generator.user + generator.system) / result.roundTrips,
  };
}

/**
 * The lean ingestion ceiling (lean-server.ts), its SQLite writer on the main thread or in a
 * worker thread: a fresh process and database, CHARGERS connections named like the appliance's
 * chargers (so each sends its own charger's frames), a closed loop, then a check that every
 * answered MeterValues left its row in the database.
 */
async function measureLean(writer: 'main' | 'worker', makeFrame: (connection: LoadConnection, sequence: number) => string, durationMs: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-bench-lean-'));
  const databaseFile = path.join(dir, 'lean.db');
  const statsFile = path.join(dir, 'stats.json');
  const lean = await startProcess(path.join(__dirname, 'lean-server.js'), { LEAN_DATABASE_FILE: databaseFile, LEAN_WRITER: writer, LEAN_STATS_FILE: statsFile });
  try {
    const leanConnections = await openConnections(`ws://127.0.0.1:${lean.port}/ocpp/`, ids('CP', CHARGERS));
    const result = await closedLoopWithCpu(lean.child.pid!, leanConnections, makeFrame, durationMs);
    for (const connection of leanConnections) connection.ws.terminate();
    const exited = new Promise((resolve) => lean.child.once('exit', resolve));
    lean.child.kill('SIGTERM');
    await exited;
    const database = new BetterSqlite3(databaseFile, { readonly: true });
    const stored = (database.prepare('SELECT count(*) AS count FROM meter_values').get() as { count: number }).count;
    database.close();
    if (stored < result.roundTrips) throw new Error(`lean server (${writer} writer) answered ${result.roundTrips} MeterValues but stored ${stored}`);
    return { ...result, writer: JSON.parse(fs.readFileSync(statsFile, 'utf8')) as WriterStats };
  } finally {
    if (lean.child.exitCode === null && lean.child.signalCode === null) lean.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function cpuRow(figure: string, loop: { cpuPerMessageUs: number; mainPerMessageUs: number }, target = ''): Row {
  return { figure, value: `${loop.cpuPerMessageUs.toFixed(0)} / ${loop.mainPerMessageUs.toFixed(0)}`, ratio: '', target };
}

/** Round trips per second of a closed loop over `connections`. */
async function closedLoopRate(connections: LoadConnection[], makeFrame: (connection: LoadConnection, sequence: number) => string, durationMs: number) {
  const result = await closedLoop(connections, makeFrame, durationMs);
  return { perS: (result.roundTrips * 1000) / result.elapsedMs, errors: result.errors };
}

/**
 * Latency of request/answer pairs from `probes` while `background` connections each send one
 * MeterValues a second, spread over the second like real chargers. `pairs` sends the probe's
 * messages and records their latencies.
 */
async function latencyUnderLoad(
  background: LoadConnection[],
  backgroundFrame: (connection: LoadConnection, sequence: number) => string,
  probes: LoadConnection[],
  durationMs: number,
  pairs: (probe: LoadConnection) => Promise<void>,
): Promise<void> {
  let running = true;
  let sequence = 0;
  const loops = background.map(async (connection) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
    while (running) {
      const sentMs = Date.now();
      await request(connection, backgroundFrame(connection, ++sequence));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - sentMs))));
    }
  });
  const until = Date.now() + durationMs;
  await Promise.all(
    probes.map(async (probe) => {
      while (Date.now() < until) {
        await pairs(probe);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }),
  );
  running = false;
  await Promise.all(loops);
}

function timed(samples: number[], run: () => Promise<unknown>): Promise<unknown> {
  const startedNs = process.hrtime.bigint();
  return run().then((answer) => {
    samples.push(Number(process.hrtime.bigint() - startedNs) / 1e6);
    return answer;
  });
}

function p50p99(samples: number[]): string {
  samples.sort((a, b) => a - b);
  return `${percentile(samples, 0.5).toFixed(2)} / ${percentile(samples, 0.99).toFixed(2)}`;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-bench-'));
  const applianceEnv = { CSMS_PORT: '0', CSMS_HOST: '127.0.0.1', CSMS_DATA_DIR: dataDir, CSMS_API_TOKEN: TOKEN, CSMS_LOG_LEVEL: 'warn' };
  const applianceMain = path.join(ROOT, 'dist', 'src', 'main.js');

  // The ceiling: a bare ws echo server, measured right beside each figure (this machine is shared).
  const echo = await startProcess(path.join(__dirname, 'echo-server.js'), {});
  const echoConnections = await openConnections(`ws://127.0.0.1:${echo.port}/ocpp/`, ids('E', CHARGERS));
  const ceilingRate = async (frame = heartbeatFrame) => (await closedLoopRate(echoConnections, frame, DURATION_MS / 2)).perS;
  // The durable ceiling: the same echo, but each frame is answered only once an fdatasync covering it returned.
  const durableDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-bench-durable-echo-'));
  const durableEcho = await startProcess(path.join(__dirname, 'echo-server.js'), { ECHO_DURABLE_FILE: path.join(durableDir, 'frames') });
  const durableConnections = await openConnections(`ws://127.0.0.1:${durableEcho.port}/ocpp/`, ids('D', CHARGERS));

  let startedMs = performance.now();
  let appliance = await startProcess(applianceMain, applianceEnv, APPLIANCE_NODE_ARGS);
  const coldStartFreshMs = performance.now() - startedMs;
  const baseUrl = `http://127.0.0.1:${appliance.port}`;
  const ocppUrl = `ws://127.0.0.1:${appliance.port}/ocpp/`;
  await api(baseUrl, 'PATCH', '/settings', { unknownChargerPolicy: 'accept' });

  if (PARTS.has('memory')) {
    // Memory first, each time in a fresh process with an empty data folder: many connected
    // (booted, idle) chargers. An idle appliance's own RSS differs by several MiB from one start to
    // the next (how much of the young generation startup happened to touch), about 1 KiB per
    // charger at 5,000, so the figure is the median of MEMORY_RUNS starts, every run shown.
    const runs: { rss: number; perChargerKiB: number; chargers: number }[] = [];
    for (let run = 0; run < MEMORY_RUNS; run++) runs.push(await measureMemory(applianceMain, applianceEnv));
    runs.sort((a, b) => a.perChargerKiB - b.perChargerKiB);
    const median = runs[Math.floor(runs.length / 2)]!;
    const all = runs.map((run) => run.perChargerKiB.toFixed(1)).join(', ');
    rows.push({ figure: 'connected chargers (memory)', value: fmt(median.chargers), ratio: '', target: '5,000' });
    rows.push({ figure: `appliance RSS with ${fmt(median.chargers)} connected chargers (MiB; the median run)`, value: (median.rss / 2 ** 20).toFixed(1), ratio: '', target: '< 200' });
    rows.push({ figure: `RSS per connected charger (KiB, above the idle process; median of ${runs.length} fresh starts: ${all})`, value: median.perChargerKiB.toFixed(1), ratio: '', target: '12' });
  }

  const connections = await openConnections(ocppUrl, ids('CP', CHARGERS));
  for (const connection of connections) {
    await request(connection, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B1' }]));
  }
  rows.push({ figure: 'connected chargers (sessions load)', value: fmt(connections.length), ratio: '', target: '1,000' });

  if (PARTS.has('heartbeat')) {
    const ceiling = await ceilingRate();
    const heartbeats = await closedLoopRate(connections, heartbeatFrame, DURATION_MS);
    rows.push({ figure: `bare ws echo round trips/s, ${CHARGERS} connections (ceiling, measured just before)`, value: fmt(ceiling), ratio: '1.00', target: '' });
    rows.push({ figure: `validated Heartbeat round trips/s, ${CHARGERS} chargers`, value: fmt(heartbeats.perS), ratio: ratio(heartbeats.perS, ceiling), target: '≥ 0.80 of ceiling' });
  }

  // Sessions: every charger starts one transaction with a card, then sends MeterValues in a closed loop.
  await registerCards(baseUrl, connections.map((connection) => `T${connection.id}`));
  const transactions = new Map<string, number>();
  for (const connection of connections) {
    const reply = await request(
      connection,
      JSON.stringify([2, 's', 'StartTransaction', { connectorId: 1, idTag: `T${connection.id}`, meterStart: 0, timestamp: new Date().toISOString() }]),
    );
    transactions.set(connection.id, (reply[2] as { transactionId: number }).transactionId);
  }
  // Frames are assembled from prebuilt pieces so the load generator spends its CPU sparingly.
  const meterHead = new Map([...transactions].map(([id, transactionId]) => [id, `,"MeterValues",{"connectorId":1,"transactionId":${transactionId},"meterValue":[{"timestamp":"`]));
  const meterFrame = (connection: LoadConnection, sequence: number) =>
    `[2,"m${sequence}"${meterHead.get(connection.id) ?? meterHead.values().next().value}${new Date().toISOString()}","sampledValue":[{"value":"${sequence * 10}","measurand":"Energy.Active.Import.Register","unit":"Wh","context":"Sample.Periodic"},{"value":"7200","measurand":"Power.Active.Import","unit":"W","context":"Sample.Periodic"},{"value":"31.2","measurand":"Current.Import","unit":"A","phase":"L1","context":"Sample.Periodic"}]}]}]`;

  if (PARTS.has('meter')) {
    const bare = await closedLoopWithCpu(echo.child.pid!, echoConnections, meterFrame, DURATION_MS / 2);
    const ceiling = bare.perS;
    const durableCeiling = (await closedLoopRate(durableConnections, meterFrame, DURATION_MS / 2)).perS;
    // The best a Node + SQLite design could do with the real work of each message (lean-server.ts).
    const leanMain = await measureLean('main', meterFrame, DURATION_MS / 2);
    const leanWorker = await measureLean('worker', meterFrame, DURATION_MS / 2);
    const meter = await closedLoopWithCpu(appliance.child.pid!, connections, meterFrame, DURATION_MS);
    rows.push({ figure: `bare ws echo round trips/s, ${CHARGERS} connections, MeterValues frames (ceiling, measured just before)`, value: fmt(ceiling), ratio: '1.00', target: '' });
    rows.push({
      figure: `bare ws echo answering each frame once on disk (one writev per turn, up to two fdatasyncs at a time), round trips/s, same frames (durable ceiling)`,
      value: fmt(durableCeiling),
      ratio: ratio(durableCeiling, ceiling),
      target: '',
    });
    const leanRun = ({ writer }: { writer: WriterStats }) =>
      `${fmt(writer.rowsStored / writer.commits)} rows a commit, WAL ≤ ${(writer.largestWalBytes / 2 ** 20).toFixed(0)} MiB, ${writer.holds} checkpoint holds (longest ${fmt(writer.longestHoldMs)} ms)`;
    const leanWork = "parse, the project's schema validation, 1 meter_values row + 1 sessions UPDATE, one transaction per turn, answered after a WAL fdatasync";
    rows.push({
      figure: `lean ingestion (Node + SQLite ceiling), writer on the main thread: ${leanWork}; round trips/s, same frames (${leanRun(leanMain)})${leanMain.errors ? ` (${leanMain.errors} errors)` : ''}`,
      value: fmt(leanMain.perS),
      ratio: ratio(leanMain.perS, ceiling),
      target: '',
    });
    rows.push({
      figure: `lean ingestion, writer in a worker thread (the main thread parses, validates and answers; one postMessage a turn): the same work, round trips/s (${leanRun(leanWorker)})${leanWorker.errors ? ` (${leanWorker.errors} errors)` : ''}`,
      value: fmt(leanWorker.perS),
      ratio: ratio(leanWorker.perS, ceiling),
      target: '',
    });
    rows.push({
      figure: `MeterValues on disk (fdatasync) and answered/s, ${CHARGERS} chargers, 3 sampled values each${meter.errors ? ` (${meter.errors} errors)` : ''}`,
      value: fmt(meter.perS),
      ratio: ratio(meter.perS, ceiling),
      target: '≥ 30,000',
    });
    // Steady whatever else the box runs (the rates above are not): 1e6 / this is the rate one idle core would give.
    rows.push(cpuRow('appliance CPU per MeterValues answered (µs, user + system): all threads / main thread', meter, '≤ 33 (one core at 30,000/s)'));
    rows.push(cpuRow('bare ws echo CPU per round trip, MeterValues frames (µs, user + system): all threads / main thread (the socket work alone)', bare));
    rows.push(cpuRow('lean ingestion CPU per MeterValues answered (µs, user + system): all threads / main thread, writer on the main thread', leanMain));
    rows.push(cpuRow('lean ingestion CPU per MeterValues answered (µs, user + system): all threads / main thread, writer in a worker thread', leanWorker));
    rows.push({
      // 2 cores / 30,000/s = 67 µs per message for server and load generator together.
      figure: 'load generator CPU per round trip (µs, user + system, the bench process; during the bare echo / the appliance loops): it shares the two cores with every server measured',
      value: `${bare.generatorPerMessageUs.toFixed(0)} / ${meter.generatorPerMessageUs.toFixed(0)}`,
      ratio: '',
      target: '',
    });
  }

  if (PARTS.has('latency')) {
    // Latency of Authorize and StartTransaction from probe chargers while the 1,000 send MeterValues every second.
    const probes = await openConnections(ocppUrl, ids('PROBE', 20));
    for (const probe of probes) await request(probe, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'P' }]));
    await registerCards(baseUrl, ids('P', 3000));
    const echoProbes = await openConnections(`ws://127.0.0.1:${echo.port}/ocpp/`, ids('EP', 20));
    const echoMs: number[] = [];
    await latencyUnderLoad(echoConnections, meterFrame, echoProbes, DURATION_MS / 2, async (probe) => {
      await timed(echoMs, () => request(probe, JSON.stringify([2, 'a', 'Authorize', { idTag: 'P1' }])));
    });
    const durableProbes = await openConnections(`ws://127.0.0.1:${durableEcho.port}/ocpp/`, ids('DP', 20));
    const durableMs: number[] = [];
    await latencyUnderLoad(durableConnections, meterFrame, durableProbes, DURATION_MS / 2, async (probe) => {
      await timed(durableMs, () => request(probe, JSON.stringify([2, 's', 'StartTransaction', { connectorId: 1, idTag: 'P1', meterStart: 0, timestamp: new Date().toISOString() }])));
    });
    const authorizeMs: number[] = [];
    const startMs: number[] = [];
    let tag = 0;
    await latencyUnderLoad(connections, meterFrame, probes, DURATION_MS, async (probe) => {
      const idTag = `P${String(++tag % 3000).padStart(5, '0')}`; // registered by registerCards (ids pads)
      await timed(authorizeMs, () => request(probe, JSON.stringify([2, 'a', 'Authorize', { idTag }])));
      const started = (await timed(startMs, () =>
        request(probe, JSON.stringify([2, 's', 'StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date().toISOString() }])),
      )) as unknown[];
      const transactionId = (started[2] as { transactionId: number }).transactionId;
      await request(probe, JSON.stringify([2, 'x', 'StopTransaction', { transactionId, meterStop: 10, timestamp: new Date().toISOString() }]));
    });
    rows.push({ figure: `bare ws echo latency p50 / p99 (ms), same background (ceiling)`, value: p50p99(echoMs), ratio: '', target: '' });
    rows.push({ figure: `bare ws echo answering once on disk, latency p50 / p99 (ms), same background (durable ceiling)`, value: p50p99(durableMs), ratio: '', target: '' });
    rows.push({ figure: `Authorize latency p50 / p99 (ms), ${CHARGERS} chargers in sessions sending MeterValues`, value: p50p99(authorizeMs), ratio: '', target: 'p99 < 2 (floor 5)' });
    rows.push({ figure: `StartTransaction (on disk) latency p50 / p99 (ms), same load`, value: p50p99(startMs), ratio: '', target: 'p99 < 2 (floor 5)' });
    for (const probe of [...probes, ...echoProbes, ...durableProbes]) probe.ws.terminate();
  }
  for (const connection of connections) connection.ws.terminate();

  if (PARTS.has('mixed')) {
    // A mixed site: 1.6 and 2.0.1 chargers side by side, booting and charging with meter values.
    const ceiling = await ceilingRate();
    const mixedPerVersion = Number(process.env.BENCH_MIXED_PER_VERSION ?? 250);
    const mixedTags = Array.from({ length: mixedPerVersion }, (_, i) => [`TAG-MIX-16-${i}`, `TAG-MIX-201-${i}`]).flat();
    await registerCards(baseUrl, mixedTags);
    const mixed = await runMixedSite({ ocppUrl, chargersPerVersion: mixedPerVersion, sessionsPerCharger: 2 });
    rows.push({
      figure: `mixed site: ${mixed.chargers['1.6']} OCPP 1.6 + ${mixed.chargers['2.0.1']} OCPP 2.0.1 chargers, round trips/s (${mixed.sessionsCompleted} sessions, ${mixed.errors} errors; simulator-bound)`,
      value: fmt(mixed.roundTripsPerS),
      ratio: ratio(mixed.roundTripsPerS, ceiling),
      target: '',
    });
  }
  for (const connection of [...echoConnections, ...durableConnections]) connection.ws.terminate();
  echo.child.kill('SIGTERM');
  durableEcho.child.kill('SIGTERM');
  fs.rmSync(durableDir, { recursive: true, force: true });

  appliance.child.kill('SIGTERM');
  await new Promise((resolve) => appliance.child.once('exit', resolve));
  if (PARTS.has('coldstart')) {
    // Cold start on the database the run above filled: process start to listening (migrations
    // checked, WAL recovered), then the first answered API request.
    const databaseMiB = fs.statSync(path.join(dataDir, 'chargeyard.db')).size / 2 ** 20;
    startedMs = performance.now();
    appliance = await startProcess(applianceMain, applianceEnv);
    const listeningMs = performance.now() - startedMs;
    await api(`http://127.0.0.1:${appliance.port}`, 'GET', '/health');
    const answeringMs = performance.now() - startedMs;
    rows.push({ figure: 'cold start, empty data folder: process start to listening (ms)', value: fmt(coldStartFreshMs), ratio: '', target: '< 1,500' });
    rows.push({
      figure: `cold start, this run's database (${databaseMiB.toFixed(0)} MiB): to listening / to first API answer (ms)`,
      value: `${fmt(listeningMs)} / ${fmt(answeringMs)}`,
      ratio: '',
      target: '< 1,500',
    });
    appliance.child.kill('SIGTERM');
    await new Promise((resolve) => appliance.child.once('exit', resolve));
  }

  if (PARTS.has('money')) rows.push(...moneyRows(await runMoneyBench()));
  if (PARTS.has('faults')) {
    const startedMs = performance.now();
    const report = await runFaultSimulation({
      seed: FAULT_SIM_SEED,
      steps: FAULT_SIM_STEPS,
      chargers: 60,
      restartEvery: 500,
      onProgress: (step) => {
        if (step % 500 === 0) process.stderr.write(`fault simulation (seed ${FAULT_SIM_SEED}): step ${step} of ${FAULT_SIM_STEPS}\n`);
      },
    });
    const seconds = (performance.now() - startedMs) / 1000;
    rows.push({ figure: `fault simulation, seed ${report.seed}, ${report.chargers} chargers: steps / faults injected / invariants checked`, value: `${fmt(report.steps)} / ${fmt(report.faultsInjected)} / ${fmt(report.invariantsChecked)}`, ratio: '', target: 'no invariant broken' });
    rows.push({ figure: 'fault simulation: sessions started / ended, top-ups, restarts, seconds', value: `${fmt(report.sessionsStarted)} / ${fmt(report.sessionsEnded)}, ${fmt(report.topups)}, ${report.restarts}, ${seconds.toFixed(0)}`, ratio: '', target: '' });
  }

  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n`);
  if (PARTS.size === ALL_PARTS.split(',').length) writeReadmeSection('bench', table);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

function moneyRows(figures: Record<string, number | string>): Row[] {
  return Object.entries(figures).map(([figure, value]) => ({ figure, value: typeof value === 'number' ? fmt(value) : value, ratio: '', target: '' }));
}

async function registerCards(baseUrl: string, uids: string[]): Promise<void> {
  // With the drivers domain present, idTags must be registered cards; personal cards move no money.
  const probe = await api(baseUrl, 'GET', '/cards?limit=1');
  if (probe.status !== 200) return;
  for (let i = 0; i < uids.length; i += 50) {
    await Promise.all(uids.slice(i, i + 50).map((uid) => api(baseUrl, 'POST', '/cards', { uid, kind: 'personal' })));
  }
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ratio(value: number, ceiling: number): string {
  return (value / ceiling).toFixed(2);
}

function renderTable(rows: Row[]): string {
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${os.cpus().length} cores, Node ${process.version}), load generator on the same box.\n\n| figure | value | ratio to bare ws | target |\n|---|---|---|---|`;
  return `${header}\n${rows.map((row) => `| ${row.figure} | ${row.value} | ${row.ratio} | ${row.target} |`).join('\n')}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
