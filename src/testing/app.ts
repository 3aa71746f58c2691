import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp, type App, type AppOptions } from '../app';
import type { Config } from '../config';
import { SimulatedCharger, type SimulatorOptions } from './charger-simulator';

export const TEST_API_TOKEN = 'test-admin-token-0123456789abcdef';

export function makeTempDir(prefix = 'chargeyard-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    apiToken: TEST_API_TOKEN,
    adminPassword: undefined,
    logLevel: 'silent',
    tls: undefined,
    ...overrides,
  };
}

export interface TestApp {
  app: App;
  dataDir: string;
  baseUrl: string;
  ocppUrl: string;
  /** fetch against /api/v1 with the admin token (pass `token: null` for none). */
  api(method: string, apiPath: string, body?: unknown, init?: { token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  charger(id: string, options?: Partial<SimulatorOptions>): Promise<SimulatedCharger>;
  /** Registers (accepted) and connects a charger and boots it. */
  acceptedCharger(id: string, options?: Partial<SimulatorOptions>): Promise<SimulatedCharger>;
  /** Closes the app gracefully and starts a new one on the same data directory. */
  restart(): Promise<TestApp>;
  close(): Promise<void>;
}

/** Starts the real appliance in-process on port 0 with a fresh SQLite file in a temp dir. */
export async function startTestApp(options: { dataDir?: string; config?: Partial<Config>; app?: AppOptions } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? makeTempDir();
  const app = await createApp(testConfig(dataDir, options.config), { logger: pino({ level: 'silent' }), ...options.app });
  const baseUrl = app.uiUrl.replace(/\/$/, '').replace('localhost', '127.0.0.1');
  const ocppUrl = app.ocppUrl.replace('localhost', '127.0.0.1');
  const chargers: SimulatedCharger[] = [];
  const testApp: TestApp = {
    app,
    dataDir,
    baseUrl,
    ocppUrl,
    async api(method, apiPath, body, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.token === undefined ? TEST_API_TOKEN : init.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${baseUrl}/api/v1${apiPath}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async charger(id, simulatorOptions = {}) {
      const charger = await new SimulatedCharger({ url: ocppUrl, id, ...simulatorOptions }).connect();
      chargers.push(charger);
      return charger;
    },
    async acceptedCharger(id, simulatorOptions = {}) {
      const registered = await testApp.api('POST', '/chargers', { id, ...(simulatorOptions.password ? { password: simulatorOptions.password } : {}) });
      if (registered.status !== 201) throw new Error(`could not register ${id}: ${JSON.stringify(registered.body)}`);
      const charger = await testApp.charger(id, simulatorOptions);
      await charger.boot();
      return charger;
    },
    async restart() {
      await testApp.close();
      return startTestApp({ ...options, dataDir });
    },
    async close() {
      await Promise.all(chargers.map((charger) => charger.close().catch(() => undefined)));
      await app.close();
    },
  };
  return testApp;
}

/** The compiled appliance (dist/src/main.js) as a child process, for signal and crash tests. */
export interface ApplianceProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  ocppUrl: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function compiledMain(): string {
  return path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
}

/** Runs the compiled appliance (or `mainScript` of another build) as its own process. */
export async function spawnAppliance(dataDir: string, env: Record<string, string> = {}, mainScript = compiledMain()): Promise<ApplianceProcess> {
  const child = spawn(process.execPath, [mainScript], {
    env: { PATH: process.env.PATH ?? '', CSMS_PORT: '0', CSMS_HOST: '127.0.0.1', CSMS_DATA_DIR: dataDir, CSMS_API_TOKEN: TEST_API_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    // A cold start takes about a second; on a busy shared machine, after a power cut's WAL recovery,
    // it has taken 20 s. A child that never starts is killed, not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`appliance did not start within 90 s:\n${output}`));
    }, 90_000);
    const check = () => {
      for (const line of output.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { port?: number };
        if (typeof entry.port === 'number') {
          clearTimeout(timer);
          return resolve(entry.port);
        }
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`appliance exited:\n${output}`));
    });
  });
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    ocppUrl: `ws://127.0.0.1:${port}/ocpp/`,
    stdout: () => output,
    exited,
  };
}
