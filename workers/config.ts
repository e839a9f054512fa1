import { z } from 'zod';
import { SAVINGS_TASK_QUEUE } from '../shared/task-queues';

/** Temporal connection settings shared by the worker, the event bridge and the CLI. */
export const TemporalConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(SAVINGS_TASK_QUEUE),
});
export type TemporalConfig = z.infer<typeof TemporalConfigSchema>;

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

/** The worker process: Temporal plus the Fondo endpoint its activities call. */
export const WorkerConfigSchema = TemporalConfigSchema.extend({
  FONDO_BASE_URL: z.url().default('http://127.0.0.1:7890'),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
