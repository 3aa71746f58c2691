import fs from 'node:fs';
import path from 'node:path';
import { ApiTokenService, TOKEN_ROLES, type TokenRole } from './access';
import { ConfigError, loadConfig, type Config } from './config';
import { Database, ensurePrivateDir, loadMigrations, migrationState, NewerDatabaseError, openSqlite } from './db';
import { Ledger } from './ledger';
import { backupFileName, backupsDir, BackupVerificationError, databaseFile, takeBackup } from './ops/backups';
import { applyEnvFile } from './ops/env-file';
import { runningAppliancePid, stopProcess } from './ops/pid-file';
import { takeDataDirOwnersRights, type DataDirOwner } from './ops/privileges';
import { ApplianceRunningError, closeBackup, openBackup, restoreDatabase, sqliteBackupSource } from './ops/restore';
import { SettingsService } from './settings';
import { AuditLog, StaffUserService } from './staff';
import { readVersion } from './version';

const USAGE = `Usage: chargeyard <command> [options]

Commands:
  start                          run the appliance in the foreground (what the service runs)
  backup [--to FILE]             online backup of the database (default: DATA_DIR/backups/)
  restore FILE [--stop]          replace the database with a backup; takes a safety backup first.
                                 Refuses while Chargeyard runs unless --stop is given.
  create-admin                   create staff user admin while no staff user exists (creates the
                                 database if needed; the password is read from standard input or
                                 asked for); with another staff user in place it changes nothing
  reset-password USER            set a new password for a staff user (asked for on the terminal,
                                 or read from the first line of standard input when piped)
  create-token NAME [--role R]   make a JSON API token (role admin, cashier or viewer; default admin)
  check                          integrity check, ledger check and migration state
  version                        print the version

Configuration comes from the CSMS_* environment variables (and CHARGEYARD_ENV_FILE, when set,
for the ones not set in the environment). Run as root (sudo), a command that opens the data
folder works with the rights of the folder's owner (the service's user), so a backup's --to FILE
must be where that user can write (a FILE to restore is opened with root's rights first).`;

/** Exit codes: 0 ok, 1 the operation failed, 2 wrong usage or configuration. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** Who the audit log names for changes made with this command line (root on the appliance). */
const CLI_ACTOR = { userId: null, name: 'cli' };

class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare flags; `valued` lists the options that take a value. */
function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inlineValue] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const value = inlineValue ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (flags.includes(name) && inlineValue === undefined) {
      options.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, options };
}

function expectPositional(parsed: ParsedArgs, count: number, what: string): void {
  if (parsed.positional.length !== count) throw new UsageError(`expected ${what}`);
}

type Out = (line: string) => void;

interface CliIo {
  out: Out;
  err: Out;
  env: NodeJS.ProcessEnv;
  /** Asks for a secret without echoing it (a terminal) or reads a line (a pipe). */
  readSecret(prompt: string): Promise<string>;
  /**
   * Run as root, takes on the data folder owner's rights before a command touches the folder
   * (ops/privileges.ts). Only the real command line has it: a test calling runCli in its own
   * process must keep its rights.
   */
  takeDataDirOwnersRights?(dataDir: string): DataDirOwner | undefined;
}

/**
 * The commands that open the data folder (help and version need no rights of anyone's); restore
 * gives up root's rights itself, once it has opened the backup.
 */
const DATA_DIR_COMMANDS = new Set(['start', 'backup', 'create-admin', 'reset-password', 'create-token', 'check']);

/** Runs one CLI command; returns the exit code (`start` resolves once the appliance is up). */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  let owner: DataDirOwner | undefined;
  const enterDataDir = () => {
    if (io.takeDataDirOwnersRights) owner = io.takeDataDirOwnersRights(config(io).dataDir);
  };
  try {
    if (io.env.CHARGEYARD_ENV_FILE) applyEnvFile(io.env.CHARGEYARD_ENV_FILE, io.env);
    if (command !== undefined && DATA_DIR_COMMANDS.has(command)) enterDataDir();
    switch (command) {
      case 'start':
        expectPositional(parseArgs(rest, [], []), 0, 'no arguments');
        return await start(io);
      case 'backup':
        return await backup(parseArgs(rest, ['to'], []), io);
      case 'restore':
        return await restore(parseArgs(rest, [], ['stop']), io, enterDataDir);
      case 'create-admin':
        expectPositional(parseArgs(rest, [], []), 0, 'no arguments');
        return await createAdmin(io);
      case 'reset-password':
        return await resetPassword(parseArgs(rest, [], []), io);
      case 'create-token':
        return await createToken(parseArgs(rest, ['role'], []), io);
      case 'check':
        expectPositional(parseArgs(rest, [], []), 0, 'no arguments');
        return check(io);
      case 'version':
      case '--version':
        io.out(`chargeyard ${readVersion()} (node ${process.version})`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT_USAGE : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`chargeyard: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      io.err(`chargeyard: invalid configuration: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof ApplianceRunningError || error instanceof BackupVerificationError || error instanceof NewerDatabaseError) {
      io.err(`chargeyard: ${error.message}`);
      return EXIT_FAILED;
    }
    io.err(`chargeyard: ${command ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
    if (owner && (error as NodeJS.ErrnoException).code === 'EACCES') {
      io.err(`chargeyard: run as root, this command works with the rights of the data folder's owner (uid ${owner.uid}), as the service does: that user must be able to read and write the files it names`);
      if (command === 'backup') io.err('chargeyard: to put a backup where only root may write, run "chargeyard backup" (into the backups folder) and copy the file from there');
    }
    return EXIT_FAILED;
  }
}

function defaultIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    readSecret,
    takeDataDirOwnersRights,
  };
}

let pipedLine: Promise<string> | undefined;

/** A secret from the terminal with echo off, or the first line of piped standard input. */
function readSecret(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    // Piped: one line serves every question (the "repeat it" too).
    pipedLine ??= new Promise((resolve, reject) => {
      let text = '';
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => (text += chunk));
      input.once('end', () => resolve(text.split(/\r?\n/)[0] ?? ''));
      input.once('error', reject);
    });
    return pipedLine;
  }
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let secret = '';
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new Error('cancelled'));
        if (character === '\u007f' || character === '\b') secret = secret.slice(0, -1);
        else secret += character;
      }
    };
    input.on('data', onData);
  });
}

function config(io: CliIo): Config {
  return loadConfig(io.env);
}

async function start(io: CliIo): Promise<number> {
  // Loaded here, not at the top: the other commands must not pay for the web stack.
  const { startAppliance } = await import('./main');
  await startAppliance(config(io));
  return 0;
}

function requireDatabase(dataDir: string): string {
  const file = databaseFile(dataDir);
  if (!fs.existsSync(file)) throw new Error(`there is no database at ${file} (is CSMS_DATA_DIR right?)`);
  return file;
}

/** Prints progress as whole percentages, each once, so a log stays readable. */
function progressPrinter(io: CliIo, label: string): (fraction: number) => void {
  let lastPercent = -1;
  return (fraction) => {
    const percent = Math.floor(fraction * 100);
    if (percent === lastPercent || (percent % 10 !== 0 && percent !== 100)) return;
    lastPercent = percent;
    io.out(`${label} ${percent}%`);
  };
}

async function backup(parsed: ParsedArgs, io: CliIo): Promise<number> {
  expectPositional(parsed, 0, 'no arguments besides --to FILE');
  const { dataDir } = config(io);
  const file = requireDatabase(dataDir);
  const to = parsed.options.get('to');
  const now = new Date();
  const destinationFile = typeof to === 'string' ? path.resolve(to) : path.join(backupsDir(dataDir), backupFileName('manual', now));
  const result = await takeBackup(sqliteBackupSource(file), dataDir, {
    kind: 'manual',
    now,
    destinationFile,
    onProgress: progressPrinter(io, 'backup'),
  });
  io.out(`backup written to ${result.file} (${result.sizeBytes} bytes, integrity check ok)`);
  return 0;
}

/** How long `restore --stop` waits for the appliance to finish its graceful stop. */
const STOP_WAIT_MS = 15_000;

async function restore(parsed: ParsedArgs, io: CliIo, enterDataDir: () => void): Promise<number> {
  expectPositional(parsed, 1, 'the backup FILE to restore');
  const { dataDir } = config(io);
  const file = path.resolve(parsed.positional[0]!);
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  // Opened with the rights the command was started with (a backup only root may read), and only
  // then the data folder's owner's rights are taken on for everything in the folder.
  const opened = openBackup(file);
  let stopped = false;
  let result: Awaited<ReturnType<typeof restoreDatabase>>;
  try {
    enterDataDir();
    const running = runningAppliancePid(dataDir);
    if (running !== undefined) {
      if (parsed.options.get('stop') !== true) throw new ApplianceRunningError(running);
      io.out(`stopping Chargeyard (pid ${running})...`);
      if (!(await stopProcess(running, STOP_WAIT_MS))) throw new Error(`Chargeyard (pid ${running}) did not stop within ${STOP_WAIT_MS / 1000} s`);
      stopped = true;
    }
    result = await restoreDatabase(dataDir, opened, (step) => io.out(step));
  } finally {
    closeBackup(opened);
  }
  if (result.safetyBackup) io.out(`the previous database was saved as ${result.safetyBackup.file}`);
  io.out(`restored ${file} into ${result.restoredFile}`);
  if (stopped) io.out('Chargeyard was stopped for the restore; start it again (systemctl start chargeyard).');
  return 0;
}

function openExisting(dataDir: string): Database {
  return Database.open(requireDatabase(dataDir));
}

/**
 * The first admin, made before the appliance first listens on the LAN (install.sh, with a
 * password it generated): the setup wizard is then never open to the first visitor. A site
 * that already has staff keeps them (exit 0, "kept"), so a rerun is harmless.
 */
async function createAdmin(io: CliIo): Promise<number> {
  const { dataDir } = config(io);
  ensurePrivateDir(dataDir, { linkAllowed: true });
  const db = Database.open(databaseFile(dataDir));
  try {
    const users = new StaffUserService(db);
    if (users.hasAnyUser()) {
      io.out('a staff user exists already; kept (nothing changed)');
      return 0;
    }
    const password = await io.readSecret('Password for the new staff user admin: ');
    await users.createFirstAdmin({ userName: 'admin', password, language: 'en' }, CLI_ACTOR);
    io.out('created staff user admin');
  } finally {
    db.close();
  }
  return 0;
}

async function resetPassword(parsed: ParsedArgs, io: CliIo): Promise<number> {
  expectPositional(parsed, 1, 'the staff USER name');
  const userName = parsed.positional[0]!;
  const db = openExisting(config(io).dataDir);
  try {
    const users = new StaffUserService(db);
    const user = users.byUserName(userName);
    if (!user) {
      const names = users.list().map((staff) => staff.userName);
      throw new Error(`there is no staff user ${JSON.stringify(userName)}${names.length > 0 ? ` (users: ${names.join(', ')})` : ' (no staff user exists yet; the setup wizard at / creates the first)'}`);
    }
    const password = await io.readSecret(`New password for ${userName}: `);
    const repeated = await io.readSecret('Repeat it: ');
    if (password !== repeated) throw new Error('the two passwords differ; nothing was changed');
    // setPassword checks the password rules and signs the user out everywhere.
    await users.setPassword(user.id, password, CLI_ACTOR);
    io.out(`the password of ${userName} was changed; their open sessions were signed out`);
  } finally {
    db.close();
  }
  return 0;
}

async function createToken(parsed: ParsedArgs, io: CliIo): Promise<number> {
  expectPositional(parsed, 1, 'the token NAME');
  const role = parsed.options.get('role') ?? 'admin';
  if (typeof role !== 'string' || !(TOKEN_ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${TOKEN_ROLES.join(', ')}`);
  }
  const db = openExisting(config(io).dataDir);
  try {
    const audit = new AuditLog(db);
    const created = await new ApiTokenService(db, undefined, audit.recordNow).create(parsed.positional[0]!, role as TokenRole, CLI_ACTOR);
    io.out(`token ${created.id} (${role}) created; it is shown only now:`);
    io.out(created.token);
  } finally {
    db.close();
  }
  return 0;
}

/** integrity_check, migration state, then the ledger's own invariant check. Exit 1 on any problem. */
function check(io: CliIo): number {
  const { dataDir } = config(io);
  const file = requireDatabase(dataDir);
  let healthy = true;

  const sqlite = openSqlite(file);
  let pending: string[];
  try {
    const integrity = (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    const integrityOk = integrity.length === 1 && integrity[0] === 'ok';
    healthy &&= integrityOk;
    io.out(`integrity check: ${integrityOk ? 'ok' : `FAILED\n  ${integrity.slice(0, 20).join('\n  ')}`}`);
    const state = migrationState(sqlite);
    const applied = state.applied.map((row) => row.tag);
    const known = loadMigrations().map((migration) => migration.tag);
    pending = state.pending;
    const unknown = applied.filter((tag) => !known.includes(tag));
    io.out(`migrations: ${applied.length} applied, ${pending.length} pending${pending.length > 0 ? ` (${pending.join(', ')}; applied at the next start)` : ''}`);
    if (unknown.length > 0) {
      healthy = false;
      io.out(`  written by a newer version: ${unknown.join(', ')}`);
    }
  } finally {
    sqlite.close();
  }

  if (pending.length > 0) {
    io.out('ledger check: skipped until the pending migrations are applied');
  } else {
    const db = Database.open(file);
    try {
      // Settings and the ledger need each other (the currency, and whether money moved).
      const ledger: Ledger = new Ledger(db, () => settings.get().currency);
      // Only read here: nothing is changed, so nothing reaches the audit log.
      const settings = new SettingsService(db, ledger, () => undefined);
      const check = ledger.check();
      healthy &&= check.ok;
      io.out(`ledger check: ${check.ok ? 'ok' : 'FAILED'} (${check.transfers} transfers, ${check.entries} entries, sum ${check.totalMinor})`);
      for (const problem of check.problems) io.out(`  ${problem}`);
    } finally {
      db.close();
    }
  }
  io.out(healthy ? 'all checks passed' : 'CHECKS FAILED');
  return healthy ? 0 : EXIT_FAILED;
}

/** The entry point of bin/chargeyard. */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCli(argv).then(
    (code) => {
      // `start` keeps running (the server holds the event loop); every other command ends here.
      if (argv[0] !== 'start' || code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`chargeyard: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(EXIT_FAILED);
    },
  );
}

if (require.main === module) main();
