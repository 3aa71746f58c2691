import fs from 'node:fs';
import { compiledMain, makeTempDir, SimulatedCharger, spawnAppliance, TEST_API_TOKEN } from './testing';

/**
 * These tests run the compiled appliance (dist/, built by `npm test` before jest) as a real
 * process, to check what only a process can show: signals, crashes and the start line.
 */
const api = (baseUrl: string, method: string, apiPath: string, body?: unknown) =>
  fetch(`${baseUrl}/api/v1${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (response) => ({ status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, any> }));

beforeAll(() => {
  if (!fs.existsSync(compiledMain())) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
});

describe('the appliance process', () => {
  test('the start line names uiUrl, ocppUrl and the bound port', async () => {
    const appliance = await spawnAppliance(makeTempDir());
    try {
      const line = appliance
        .stdout()
        .split('\n')
        .find((text) => text.includes('"uiUrl"'));
      const entry = JSON.parse(line!) as { uiUrl: string; ocppUrl: string; port: number };
      expect(entry.port).toBe(appliance.port);
      expect(entry.uiUrl).toBe(`http://127.0.0.1:${appliance.port}/`);
      expect(entry.ocppUrl).toBe(`ws://127.0.0.1:${appliance.port}/ocpp/`);
      // No staff user yet: the log gives the setup code another machine needs (and only the log does).
      const setupLine = () => appliance.stdout().split('\n').find((text) => text.includes('"setupCode"'));
      for (let waitedMs = 0; !setupLine() && waitedMs < 10_000; waitedMs += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const setup = setupLine();
      expect(JSON.parse(setup!)).toMatchObject({ setupUrl: `http://127.0.0.1:${appliance.port}/setup`, setupCode: expect.stringMatching(/^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){2}$/) });
    } finally {
      appliance.child.kill('SIGKILL');
      await appliance.exited;
    }
  });

  test('SIGTERM closes chargers with 1001 and exits 0 within 10 s', async () => {
    const appliance = await spawnAppliance(makeTempDir());
    await api(appliance.baseUrl, 'POST', '/chargers', { id: 'CP-TERM' });
    const charger = await new SimulatedCharger({ url: appliance.ocppUrl, id: 'CP-TERM' }).connect();
    await charger.boot();
    const closed = charger.waitClosed(10_000);
    const startedMs = Date.now();
    appliance.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    const exit = await appliance.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - startedMs).toBeLessThan(10_000);
  });

  test('after SIGKILL nothing acknowledged to a charger or an API client is lost', async () => {
    const dataDir = makeTempDir();
    const first = await spawnAppliance(dataDir);
    expect((await api(first.baseUrl, 'POST', '/chargers', { id: 'CP-KILL', name: 'Bay 9' })).status).toBe(201);
    const charger = await new SimulatedCharger({ url: first.ocppUrl, id: 'CP-KILL' }).connect();
    await charger.boot();
    const transactionIds: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = await charger.startTransaction(1, `TAG-${i}`, i * 100, new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString());
      await charger.meterValues(1, start.transactionId, i * 100 + 50);
      if (i % 2 === 0) await charger.stopTransaction(start.transactionId, i * 100 + 80);
      transactionIds.push(start.transactionId);
    }
    await charger.status(1, 'Faulted', 'GroundFailure');
    // Kill at once: no graceful close, no flush.
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawnAppliance(dataDir);
    try {
      const chargerView = await api(second.baseUrl, 'GET', '/chargers/CP-KILL');
      expect(chargerView.body).toMatchObject({ name: 'Bay 9', registration: 'accepted', connected: false });
      expect(chargerView.body.connectors[0]).toMatchObject({ status: 'Faulted', errorCode: 'GroundFailure', stale: true });
      const sessions = await api(second.baseUrl, 'GET', '/sessions?chargerId=CP-KILL&limit=100');
      expect(sessions.body.items).toHaveLength(20);
      expect(sessions.body.items.map((session: { transactionId: number }) => session.transactionId).sort((a: number, b: number) => a - b)).toEqual(transactionIds);
      expect(sessions.body.items.filter((session: { status: string }) => session.status === 'completed')).toHaveLength(10);
      const detail = await api(second.baseUrl, 'GET', `/sessions/${transactionIds[19]}`);
      expect(detail.body.meterValues).toHaveLength(1);
      expect(detail.body.energyWh).toBe(50);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });

  test('an invalid setting stops the start with one line naming the variable', async () => {
    const appliance = spawnAppliance(makeTempDir(), { CSMS_PORT: 'eighty' });
    await expect(appliance).rejects.toThrow(/CSMS_PORT/);
    const error = await appliance.catch((failure: Error) => failure.message);
    const lines = String(error).split('\n').filter((line) => line.includes('CSMS_'));
    expect(lines).toHaveLength(1);
  });
});
