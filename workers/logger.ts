import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';
import { isFondoError } from '../fondo/errors';
import { LOG_LEVELS, LogConfigSchema, parseEnv, type LogLevelName } from './config';

/**
 * One structured logger per process. Log lines carry opaque ids (plan, client, account, order, clientRef)
 * and never personal data: no personnummer, names or bank account numbers. The redaction list below is a
 * second line of defence for payloads that might carry them.
 *
 * Errors under `err`, `error` or `failure` are written as `{ type, message, … }` (see {@link describeError}),
 * never as `[object Object]` or with a request body.
 */
export function createLogger(name: string, level?: LogLevelName, destination?: pino.DestinationStream): Logger {
  // A bad LOG_LEVEL is a configuration error naming the variable, not a logger stack trace.
  const resolved = level ?? parseEnv(LogConfigSchema).LOG_LEVEL;
  const options: pino.LoggerOptions = {
    name,
    level: resolved,
    serializers: { err: describeError, error: describeError, failure: describeError },
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
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * Logs why a process could not start or had to stop, then exits 1. Uses level `info` whatever LOG_LEVEL says,
 * so a bad LOG_LEVEL is still reported (naming the variable).
 */
export function exitWithFatal(name: string, what: string, err: unknown): never {
  const description = describeError(err);
  createLogger(name, 'info').fatal({ err }, `${what}: ${description.message}`);
  process.exit(1);
}

/** What a log line shows of an error: its type and message, plus the Fondo call and failure type when known. */
export interface ErrorDescription {
  type: string;
  message: string;
  /** An ApplicationFailure's type (e.g. `FondoUnavailable`). */
  failureType?: string;
  /** The Fondo call that failed: method and path with ids masked. */
  fondo?: { method: string; path: string; kind: string; status?: number };
  /** A gRPC status code (Temporal client errors). */
  code?: string | number;
  cause?: ErrorDescription;
}

const MAX_MESSAGE_LENGTH = 500;

/** An error (or anything thrown) as a plain object for a log line; never the error's payload or details. */
export function describeError(err: unknown, depth = 0): ErrorDescription {
  if (!(err instanceof Error)) {
    if (typeof err === 'object' && err !== null) {
      const { name, message } = err as { name?: unknown; message?: unknown };
      return {
        type: typeof name === 'string' ? name : 'Object',
        message: typeof message === 'string' ? message.slice(0, MAX_MESSAGE_LENGTH) : 'a non-Error value was thrown',
      };
    }
    return { type: typeof err, message: String(err).slice(0, MAX_MESSAGE_LENGTH) };
  }
  const description: ErrorDescription = {
    type: err.name || err.constructor.name,
    message: err.message.slice(0, MAX_MESSAGE_LENGTH),
  };
  const failureType = (err as { type?: unknown }).type;
  if (typeof failureType === 'string') description.failureType = failureType;
  if (isFondoError(err)) {
    description.fondo = {
      method: err.method,
      path: err.route,
      kind: err.kind,
      ...(err.status === undefined ? {} : { status: err.status }),
    };
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') description.code = code;
  if (err.cause !== undefined && err.cause !== null && depth < 3)
    description.cause = describeError(err.cause, depth + 1);
  return description;
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

export { LOG_LEVELS };
