import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';

/**
 * One structured logger per process. Log lines carry opaque ids (plan, client, account, order, clientRef)
 * and never personal data: no personnummer, names or bank account numbers. The redaction list below is a
 * second line of defence for payloads that might carry them.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        '*.ssn',
        '*.executorRef',
        '*.owner',
        '*.iban',
        '*.bban',
        '*.client_secret',
        '*.authorization',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
  });
}

/** Routes the Temporal SDK's own logs (worker, workflow `log`, activity `log`) into pino. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const fn = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' }[level] as
      'trace' | 'debug' | 'info' | 'warn' | 'error';
    logger[fn](meta ?? {}, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
