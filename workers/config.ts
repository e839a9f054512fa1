import { z } from 'zod';
import { SAVINGS_TASK_QUEUE } from '../shared/task-queues';
import { formatIssues } from '../shared/zod-issues';

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
    const problems = formatIssues(result.error, { pathStyle: 'dotted', rootLabel: '(env)' }).join('; ');
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

/**
 * `FONDO_SHARED_READ_TTL_MS` (worker): how long one read of a client's fund list serves every activity of the worker
 * (activities/shared-reads.ts); 0 reads every time. Default 5 000: in the busy hour thousands of cycles share a
 * read, and a fund closed within those seconds is refused at the order (the cycle holds the leg), never bought.
 */
export const SharedReadsConfigSchema = z.object({
  FONDO_SHARED_READ_TTL_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of milliseconds (0 = no sharing)')
    .transform(Number)
    .pipe(z.number().int().max(60_000, 'must be at most 60000 (a stale fund list keeps money uninvested)'))
    .default(5000),
});

// ---------------------------------------------------------------------------------------------------------
// Worker sizing: the workflow cache and the task slots (docs/BENCHMARKS.md "Worker memory", README Configuration)
// ---------------------------------------------------------------------------------------------------------

/**
 * Defaults for the worker's sizing. Every figure is a bound the worker never exceeds, chosen from the measured
 * cost of a cached plan (docs/BENCHMARKS.md, "Worker memory"); the SDK's own default cache (~2 300 workflows on a
 * 4 GB heap) let a worker grow until it died.
 */
export const WORKER_SIZING_DEFAULTS = {
  /**
   * Workflows kept in the worker's cache; an evicted plan resumes by replaying its (short) history. Measured ~2.0 MB
   * of worker RSS per cached plan over ~250 MB idle; 300 plans asleep with 100 cached measured 629 MB, with all 300
   * cached 840 MB (docs/BENCHMARKS.md, "Worker memory").
   */
  maxCachedWorkflows: 100,
  /** Workflow tasks processed at once (at most the cache size: the SDK needs a cache slot per task). */
  maxConcurrentWorkflowTasks: 40,
  /** Activities (Fondo calls) in flight at once. */
  maxConcurrentActivities: 100,
  /** Threads running workflow code; one reusable V8 context each. */
  workflowThreads: 1,
} as const;

/** A positive integer (or 0 where allowed) read from an environment string. */
function envInteger(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number ${min}–${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/**
 * The worker's cache and concurrency. The SDK would quietly replace a few invalid combinations by others (a cache
 * of 1 becomes 2, more workflow task slots than cache slots are cut down); here they stop the worker instead.
 */
export const WorkerSizingSchema = z
  .object({
    WORKER_MAX_CACHED_WORKFLOWS: envInteger(0, 100_000).default(WORKER_SIZING_DEFAULTS.maxCachedWorkflows),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: envInteger(2, 1_000).optional(),
    WORKER_MAX_CONCURRENT_ACTIVITIES: envInteger(1, 10_000).default(WORKER_SIZING_DEFAULTS.maxConcurrentActivities),
    WORKER_WORKFLOW_THREADS: envInteger(1, 64).default(WORKER_SIZING_DEFAULTS.workflowThreads),
    WORKER_REUSE_V8_CONTEXT: z.enum(['true', 'false']).default('true'),
  })
  .superRefine((env, ctx) => {
    if (env.WORKER_MAX_CACHED_WORKFLOWS === 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_MAX_CACHED_WORKFLOWS'],
        message: 'must be 0 (no cache) or at least 2',
      });
    }
    const tasks = env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS;
    if (tasks !== undefined && env.WORKER_MAX_CACHED_WORKFLOWS > 0 && tasks > env.WORKER_MAX_CACHED_WORKFLOWS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'],
        message: `must not exceed WORKER_MAX_CACHED_WORKFLOWS (${env.WORKER_MAX_CACHED_WORKFLOWS})`,
      });
    }
  });
export type WorkerSizingConfig = z.infer<typeof WorkerSizingSchema>;

/** The Worker.create options that bound the worker's memory and concurrency. */
export interface WorkerSizingOptions {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  workflowThreadPoolSize: number;
  reuseV8Context: boolean;
}

/** Worker options from the sizing configuration (workflow task slots default to min(40, cache)). */
export function workerSizingOptions(config: WorkerSizingConfig): WorkerSizingOptions {
  const cache = config.WORKER_MAX_CACHED_WORKFLOWS;
  const defaultTasks = WORKER_SIZING_DEFAULTS.maxConcurrentWorkflowTasks;
  return {
    maxCachedWorkflows: cache,
    maxConcurrentWorkflowTaskExecutions:
      config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? (cache === 0 ? defaultTasks : Math.min(cache, defaultTasks)),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    workflowThreadPoolSize: config.WORKER_WORKFLOW_THREADS,
    reuseV8Context: config.WORKER_REUSE_V8_CONTEXT === 'true',
  };
}

/** {@link workerSizingOptions} of the environment; invalid values fail start-up naming the variable. */
export function loadWorkerSizing(env: NodeJS.ProcessEnv = process.env): WorkerSizingOptions {
  return workerSizingOptions(parseEnv(WorkerSizingSchema, env));
}
