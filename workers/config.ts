import { z } from 'zod';
import { SAVINGS_TASK_QUEUE } from '../shared/task-queues';

/** Temporal connection settings shared by the worker, the event bridge and the CLI. */
export const TemporalConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(SAVINGS_TASK_QUEUE),
});
export type TemporalConfig = z.infer<typeof TemporalConfigSchema>;

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `LOG_LEVEL` (worker, bridge): one of {@link LOG_LEVELS}; default `info`. */
export const LogConfigSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

/**
 * `HEALTH_PORT` (worker, bridge): the port of the `/livez` and `/readyz` endpoints (workers/health.ts); unset or
 * blank = no health server, `0` = any free port (logged). `HEALTH_HOST`: the address it binds, default loopback.
 */
export const HealthConfigSchema = z.object({
  HEALTH_PORT: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .string()
      .regex(/^\d{1,5}$/, { message: 'must be a port number (0 = any free port)' })
      .transform(Number)
      .pipe(z.number().int().min(0).max(65_535, { message: 'must be a port number (0 = any free port)' }))
      .optional()
  ),
  HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
});
export type HealthConfig = z.infer<typeof HealthConfigSchema>;

/** Parses a config section from the environment; a bad value fails start-up naming the variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  override name = 'ConfigError' as const;
}

/**
 * Whether Fondo refuses duplicate clientRefs (see activities/payments.ts). Default: true against the local
 * sandbox (its documented rule), false elsewhere until Fondo confirms it (REFERENCE.md open question 9).
 */
export const ClientRefPolicySchema = z.object({
  FONDO_UNIQUE_CLIENT_REFS: z.enum(['true', 'false']).optional(),
});

export function assumeUniqueClientRefs(fondoEnv: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const { FONDO_UNIQUE_CLIENT_REFS } = parseEnv(ClientRefPolicySchema, env);
  return FONDO_UNIQUE_CLIENT_REFS === undefined ? fondoEnv === 'local' : FONDO_UNIQUE_CLIENT_REFS === 'true';
}
