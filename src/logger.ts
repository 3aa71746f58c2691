import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

/** pino JSON to stdout (the journal under systemd). Secrets are redacted wherever they appear. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { app: 'chargeyard' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie', 'pin', '*.pin'],
      censor: '***',
    },
  });
}
