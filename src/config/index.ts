import fs from 'node:fs';
import path from 'node:path';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The appliance configuration (CONTRACT "Starting it"). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  apiToken: string | undefined;
  adminPassword: string | undefined;
  logLevel: LogLevel;
  tls: { certPem: Buffer; keyPem: Buffer; certFile: string; keyFile: string } | undefined;
  /** CSMS_BACKUP_COPY_DIR: a second folder (USB stick, NAS mount) that gets a copy of each nightly backup. */
  backupCopyDir?: string | undefined;
}

/** A configuration problem; main.ts prints `message` as the one line that stops the start. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  return {
    port: parsePort(env.CSMS_PORT),
    host: parseHost(env.CSMS_HOST),
    dataDir: path.resolve(parseNonEmpty('CSMS_DATA_DIR', env.CSMS_DATA_DIR) ?? './data'),
    apiToken: parseApiToken(env.CSMS_API_TOKEN),
    adminPassword: parseAdminPassword(env.CSMS_ADMIN_PASSWORD),
    logLevel: parseLogLevel(env.CSMS_LOG_LEVEL),
    tls: parseTls(env.CSMS_TLS_CERT, env.CSMS_TLS_KEY),
    backupCopyDir: optionalPath(parseNonEmpty('CSMS_BACKUP_COPY_DIR', env.CSMS_BACKUP_COPY_DIR)),
  };
}

function optionalPath(value: string | undefined): string | undefined {
  return value === undefined ? undefined : path.resolve(value);
}

function parseNonEmpty(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ConfigError(variable, 'is set but empty');
  return value;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8080;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError('CSMS_PORT', `must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function parseHost(value: string | undefined): string {
  if (value === undefined) return '0.0.0.0';
  if (!/^[A-Za-z0-9.:\-[\]%]{1,253}$/.test(value)) {
    throw new ConfigError('CSMS_HOST', `must be a host name or IP address, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseApiToken(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < 16 || /\s/.test(value)) {
    throw new ConfigError('CSMS_API_TOKEN', 'must be at least 16 characters without spaces');
  }
  return value;
}

function parseAdminPassword(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < 8) throw new ConfigError('CSMS_ADMIN_PASSWORD', 'must be at least 8 characters');
  return value;
}

function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('CSMS_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as LogLevel;
}

function parseTls(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile) throw new ConfigError('CSMS_TLS_CERT', 'must be set when CSMS_TLS_KEY is set');
  if (!keyFile) throw new ConfigError('CSMS_TLS_KEY', 'must be set when CSMS_TLS_CERT is set');
  const certPem = readPem('CSMS_TLS_CERT', certFile, 'CERTIFICATE');
  const keyPem = readPem('CSMS_TLS_KEY', keyFile, 'PRIVATE KEY');
  return { certPem, keyPem, certFile, keyFile };
}

function readPem(variable: string, file: string, marker: string): Buffer {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(variable, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!content.toString('latin1').includes(marker)) {
    throw new ConfigError(variable, `${file} is not a PEM file with a ${marker}`);
  }
  return content;
}
