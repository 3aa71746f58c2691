import { createApp, type App, type AppOptions } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { NewerDatabaseError } from './db';
import { removePidFile, writePidFile } from './ops/pid-file';
import type { RestartRequest } from './services';

/** CONTRACT: SIGTERM → graceful stop, exit 0 within 10 s. */
const SHUTDOWN_DEADLINE_MS = 9000;

/** Time for the answer that asked for a restart to reach the browser before the server closes. */
const RESTART_GRACE_MS = 300;

/** The appliance that can close and reopen itself in-process (a restore from the admin UI). */
export interface RestartableApp {
  /** The app open now; a different object after each restart. */
  current(): App;
  /** Resolves once no restart is under way (tests wait on it). */
  settled(): Promise<void>;
  /** Closes for good, after a restart under way has finished. */
  close(): Promise<void>;
}

/**
 * Opens the app and keeps it open across restarts it asks for: close gracefully (chargers get
 * 1001 and reconnect), run the request's step while nothing holds the database, then open a new
 * app on the same port (the bound one, so CSMS_PORT=0 keeps its address). `onFatal` is called when
 * the app cannot be opened again; main exits then so systemd starts it afresh.
 */
export async function createRestartableApp(config: Config, options: AppOptions = {}, onFatal?: (error: unknown) => void): Promise<RestartableApp> {
  let restarting: Promise<void> | undefined;
  let closed = false;
  const open = (port: number) => createApp({ ...config, port }, { ...options, onRestartRequest });
  let app = await open(config.port);

  async function restart(request: RestartRequest): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, RESTART_GRACE_MS));
    const old = app;
    const log = old.services.logger;
    log.info({ reason: request.reason }, 'restarting in-process');
    await old.close();
    let failure: unknown;
    try {
      await request.whileStopped();
    } catch (error) {
      failure = error;
      log.error({ err: error, reason: request.reason }, 'the step between close and reopen failed; reopening unchanged');
    }
    app = await open(old.port);
    await request.afterRestart?.(app.services, failure).catch((error: unknown) => log.error({ err: error }, 'after-restart step failed'));
  }

  function onRestartRequest(request: RestartRequest): boolean {
    if (restarting || closed) return false;
    restarting = restart(request)
      .catch((error: unknown) => {
        app.services.logger.fatal({ err: error }, 'could not reopen the appliance after a restart');
        onFatal?.(error);
      })
      .finally(() => {
        restarting = undefined;
      });
    return true;
  }

  return {
    current: () => app,
    settled: async () => {
      while (restarting) await restarting;
    },
    async close() {
      closed = true;
      while (restarting) await restarting;
      await app.close();
    },
  };
}

/** Starts the appliance in the foreground (what `npm start` and the systemd unit run). */
export async function startAppliance(config?: Config): Promise<RestartableApp> {
  let resolved: Config;
  try {
    resolved = config ?? loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chargeyard: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Whatever else the appliance writes (the pid file, exports, the space probe) is its own too,
  // also when no systemd unit set UMask=0077; the database and backups set their modes anyway.
  process.umask(0o077);
  // The pid file tells the CLI (restore) that this data directory is in use, and stops a second
  // appliance from opening the same database.
  try {
    writePidFile(resolved.dataDir);
  } catch (error) {
    process.stderr.write(`chargeyard: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const dataDir = resolved.dataDir;
  process.on('exit', () => removePidFile(dataDir));
  let appliance: RestartableApp;
  try {
    appliance = await createRestartableApp(resolved, {}, () => process.exit(1));
  } catch (error) {
    if (error instanceof NewerDatabaseError) {
      process.stderr.write(`chargeyard: ${error.message}\n`);
      process.exit(3);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(`chargeyard: cannot listen on ${resolved.host}:${resolved.port} (${code}); set CSMS_PORT\n`);
      process.exit(2);
    }
    throw error;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const app = appliance.current();
    app.services.logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      app.services.logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    appliance.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.services.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return appliance;
}

if (require.main === module) {
  startAppliance().catch((error: unknown) => {
    process.stderr.write(`chargeyard: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
