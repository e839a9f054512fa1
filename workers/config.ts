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
