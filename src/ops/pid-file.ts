import fs from 'node:fs';
import path from 'node:path';

/**
 * The running appliance writes its pid into CSMS_DATA_DIR/chargeyard.pid so the CLI can tell
 * whether the database is in use (restore refuses to swap a live database). A stale file left
 * by a crash or power cut is harmless: the pid is checked to be alive and to be a Node process.
 */
const PID_FILE_NAME = 'chargeyard.pid';

export function pidFile(dataDir: string): string {
  return path.join(dataDir, PID_FILE_NAME);
}

/** Claims the data directory for this process; throws if another live appliance holds it. */
export function writePidFile(dataDir: string, pid = process.pid): void {
  const running = runningAppliancePid(dataDir);
  if (running !== undefined && running !== pid) {
    throw new Error(`Another Chargeyard (pid ${running}) is already running with data directory ${dataDir}`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const file = pidFile(dataDir);
  fs.writeFileSync(`${file}.tmp`, `${pid}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/** Removes the pid file if it is still ours (a replacement process may have written its own). */
export function removePidFile(dataDir: string, pid = process.pid): void {
  if (readPid(dataDir) === pid) fs.rmSync(pidFile(dataDir), { force: true });
}

function readPid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFile(dataDir), 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/** The pid of a live appliance using this data directory, or undefined. */
export function runningAppliancePid(dataDir: string): number | undefined {
  const pid = readPid(dataDir);
  if (pid === undefined || !isAlive(pid)) return undefined;
  // After a reboot the number may belong to an unrelated process: only a Node process counts.
  const command = processCommand(pid);
  if (command !== undefined && !/node|chargeyard/i.test(command)) return undefined;
  return pid;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the service user, seen from a technician).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processCommand(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM and waits for the process to exit; false if it is still alive after the wait. */
export async function stopProcess(pid: number, waitMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}
