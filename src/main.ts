import { createApp, type App } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { NewerDatabaseError } from './db';
import { removePidFile, writePidFile } from './ops/pid-file';

/** CONTRACT: SIGTERM → graceful stop, exit 0 within 10 s. */
const SHUTDOWN_DEADLINE_MS = 9000;

/** Starts the appliance in the foreground (what `npm start` and the systemd unit run). */
export async function startAppliance(config?: Config): Promise<App> {
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
  let app: App;
  try {
    app = await createApp(resolved);
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
    app.services.logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      app.services.logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.services.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return app;
}

if (require.main === module) {
  startAppliance().catch((error: unknown) => {
    process.stderr.write(`chargeyard: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
