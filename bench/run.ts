import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedLoop, openConnections, percentile, request, type LoadConnection } from './load';
import { runMixedSite } from './mixed';
import { runMoneyBench } from './money';

/**
 * `npm run bench`: the appliance (compiled, its own process) against simulated chargers from
 * this process, beside a bare `ws` echo server as the ceiling. Prints a table and writes it into
 * README.md between the bench markers.
 */
const TOKEN = 'bench-admin-token-0123456789abcdef';
const CHARGERS = Number(process.env.BENCH_CHARGERS ?? 1000);
const IDLE_CHARGERS = Number(process.env.BENCH_IDLE_CHARGERS ?? 5000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const ROOT = path.resolve(__dirname, '..', '..');

interface Row {
  figure: string;
  value: string;
  ratio: string;
  target: string;
}

function startProcess(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { port?: number };
        if (typeof entry.port === 'number') return resolve({ child, port: entry.port });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output}`)));
  });
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function api(baseUrl: string, method: string, apiPath: string, body?: unknown) {
  const response = await fetch(`${baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const heartbeatFrame = (_connection: LoadConnection, sequence: number) => `[2,"h${sequence}","Heartbeat",{}]`;

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chargeyard-bench-'));

  // Ceiling: bare ws echo.
  const echo = await startProcess(path.join(__dirname, 'echo-server.js'), {});
  const echoConnections = await openConnections(`ws://127.0.0.1:${echo.port}/ocpp/`, ids('E', CHARGERS));
  const ceiling = await closedLoop(echoConnections, heartbeatFrame, DURATION_MS);
  const ceilingPerS = (ceiling.roundTrips * 1000) / ceiling.elapsedMs;
  for (const connection of echoConnections) connection.ws.terminate();
  echo.child.kill('SIGTERM');

  const appliance = await startProcess(path.join(ROOT, 'dist', 'src', 'main.js'), {
    CSMS_PORT: '0',
    CSMS_HOST: '127.0.0.1',
    CSMS_DATA_DIR: dataDir,
    CSMS_API_TOKEN: TOKEN,
    CSMS_LOG_LEVEL: 'warn',
  });
  const baseUrl = `http://127.0.0.1:${appliance.port}`;
  const ocppUrl = `ws://127.0.0.1:${appliance.port}/ocpp/`;
  await api(baseUrl, 'PATCH', '/settings', { unknownChargerPolicy: 'accept' });
  const baselineRss = rssBytes(appliance.child.pid!);

  // Memory first, in a fresh process: many connected (booted, idle) chargers.
  const idle = await openConnections(ocppUrl, ids('IDLE', IDLE_CHARGERS));
  for (const connection of idle) await request(connection, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'I' }]));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rss = rssBytes(appliance.child.pid!);
  rows.push({ figure: 'connected chargers (memory)', value: fmt(idle.length), ratio: '', target: '5,000' });
  rows.push({ figure: `appliance RSS with ${fmt(idle.length)} connected chargers (MiB)`, value: (rss / 2 ** 20).toFixed(1), ratio: '', target: '≤ 200' });
  rows.push({ figure: 'RSS per connected charger (KiB, above the idle process)', value: ((rss - baselineRss) / idle.length / 1024).toFixed(1), ratio: '', target: '' });
  for (const connection of idle) connection.ws.terminate();
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const connections = await openConnections(ocppUrl, ids('CP', CHARGERS));
  for (const connection of connections) {
    await request(connection, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B1' }]));
  }
  rows.push({ figure: 'connected chargers (sessions load)', value: String(connections.length), ratio: '', target: '1,000' });

  const heartbeats = await closedLoop(connections, heartbeatFrame, DURATION_MS);
  const heartbeatPerS = (heartbeats.roundTrips * 1000) / heartbeats.elapsedMs;
  rows.push({ figure: 'bare ws echo round trips/s (ceiling)', value: fmt(ceilingPerS), ratio: '1.00', target: '' });
  rows.push({ figure: `validated Heartbeat round trips/s, ${CHARGERS} chargers`, value: fmt(heartbeatPerS), ratio: ratio(heartbeatPerS, ceilingPerS), target: '≥ 0.70 of ceiling' });

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
    `[2,"m${sequence}"${meterHead.get(connection.id)}${new Date().toISOString()}","sampledValue":[{"value":"${sequence * 10}","measurand":"Energy.Active.Import.Register","unit":"Wh","context":"Sample.Periodic"},{"value":"7200","measurand":"Power.Active.Import","unit":"W","context":"Sample.Periodic"},{"value":"31.2","measurand":"Current.Import","unit":"A","phase":"L1","context":"Sample.Periodic"}]}]}]`;
  const meter = await closedLoop(connections, meterFrame, DURATION_MS);
  const meterPerS = (meter.roundTrips * 1000) / meter.elapsedMs;
  rows.push({ figure: 'MeterValues committed + acknowledged/s (3 sampled values each, synchronous=FULL)', value: fmt(meterPerS), ratio: ratio(meterPerS, ceilingPerS), target: '≥ 20,000' });

  // Latency of Authorize and StartTransaction from probe chargers while the 1,000 send MeterValues every second.
  const probes = await openConnections(ocppUrl, ids('PROBE', 20));
  for (const probe of probes) await request(probe, JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'P' }]));
  await registerCards(baseUrl, ids('P', 2000));
  let background = true;
  let backgroundSequence = 0;
  const backgroundLoops = connections.map(async (connection) => {
    // Real chargers' meter intervals are not in step: each starts at a random point of the second.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
    while (background) {
      const sentMs = Date.now();
      await request(connection, meterFrame(connection, ++backgroundSequence));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - sentMs))));
    }
  });
  const authorizeMs: number[] = [];
  const startMs: number[] = [];
  let tag = 0;
  const probeUntil = Date.now() + DURATION_MS;
  await Promise.all(
    probes.map(async (probe) => {
      while (Date.now() < probeUntil) {
        const idTag = `P${++tag}`;
        let t0 = process.hrtime.bigint();
        await request(probe, JSON.stringify([2, 'a', 'Authorize', { idTag }]));
        authorizeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        t0 = process.hrtime.bigint();
        const started = await request(probe, JSON.stringify([2, 's', 'StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date().toISOString() }]));
        startMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const transactionId = (started[2] as { transactionId: number }).transactionId;
        await request(probe, JSON.stringify([2, 'x', 'StopTransaction', { transactionId, meterStop: 10, timestamp: new Date().toISOString() }]));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }),
  );
  background = false;
  await Promise.all(backgroundLoops);
  authorizeMs.sort((a, b) => a - b);
  startMs.sort((a, b) => a - b);
  rows.push({ figure: `Authorize latency p50 / p99 (ms), ${CHARGERS} chargers in sessions`, value: `${authorizeMs.length ? percentile(authorizeMs, 0.5).toFixed(2) : '-'} / ${percentile(authorizeMs, 0.99).toFixed(2)}`, ratio: '', target: 'p99 < 5' });
  rows.push({ figure: `StartTransaction latency p50 / p99 (ms), ${CHARGERS} chargers in sessions`, value: `${percentile(startMs, 0.5).toFixed(2)} / ${percentile(startMs, 0.99).toFixed(2)}`, ratio: '', target: 'p99 < 5' });

  for (const connection of [...connections, ...probes]) connection.ws.terminate();

  // A mixed site: 1.6 and 2.0.1 chargers side by side, booting and charging with meter values.
  const mixedPerVersion = Number(process.env.BENCH_MIXED_PER_VERSION ?? 250);
  const mixedTags = Array.from({ length: mixedPerVersion }, (_, i) => [`TAG-MIX-16-${i}`, `TAG-MIX-201-${i}`]).flat();
  await registerCards(baseUrl, mixedTags);
  const mixed = await runMixedSite({ ocppUrl, chargersPerVersion: mixedPerVersion, sessionsPerCharger: 2 });
  rows.push({
    figure: `mixed site: ${mixed.chargers['1.6']} OCPP 1.6 + ${mixed.chargers['2.0.1']} OCPP 2.0.1 chargers, round trips/s (${mixed.sessionsCompleted} sessions, ${mixed.errors} errors)`,
    value: fmt(mixed.roundTripsPerS),
    ratio: ratio(mixed.roundTripsPerS, ceilingPerS),
    target: '',
  });
  appliance.child.kill('SIGTERM');
  await new Promise((resolve) => appliance.child.once('exit', resolve));

  rows.push(...moneyRows(await runMoneyBench()));

  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n`);
  writeReadme(table);
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

function writeReadme(table: string): void {
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (!text.includes(start) || !text.includes(end)) return;
  fs.writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
