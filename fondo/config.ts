/**
 * Fondo client configuration from the environment, validated with zod once at start-up.
 *
 * Variables:
 * - `FONDO_ENV`: `local` (default: our sandbox on 127.0.0.1:7890), `sandbox`, `npc` or `production`.
 * - `FONDO_BASE_URL`: overrides the environment's base URL (may carry a path prefix).
 * - `FONDO_CLIENT_ID`, `FONDO_CLIENT_SECRET`: partner credentials; required unless `FONDO_ENV=local`, where
 *   they default to the local sandbox's seeded partner.
 * - `FONDO_TIMEOUT_MS`: per-request timeout in milliseconds, default 10000.
 *
 * Errors name each variable at fault and never echo the secret or a URL (a URL may embed credentials).
 */
import { z } from 'zod';
import { formatIssues } from '../shared/zod-issues';

/** Base URL of each named Fondo environment. */
export const FONDO_BASE_URLS = {
  local: 'http://127.0.0.1:7890',
  sandbox: 'https://api.sandbox.fondo.se',
  npc: 'https://api.npc.fondo.se',
  production: 'https://api.fondo.se',
} as const;

/** Credentials the local sandbox seeds for its partner; defaults only when `FONDO_ENV=local`. */
export const LOCAL_SANDBOX_CREDENTIALS = { clientId: 'sandbox-partner', clientSecret: 'sandbox-secret' } as const;

/** Default per-request timeout in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest accepted per-request timeout; keep it below the activities' start-to-close timeout. */
export const MAX_TIMEOUT_MS = 600_000;

const FondoEnvironmentSchema = z.enum(['local', 'sandbox', 'npc', 'production']);
/** A named Fondo environment. */
export type FondoEnvironment = z.output<typeof FondoEnvironmentSchema>;

const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const TimeoutMsSchema = z.int().positive().max(MAX_TIMEOUT_MS);

/** The validated client configuration: what `new FondoClient(...)` takes, plus the environment's name. */
export const FondoConfigSchema = z.object({
  env: FondoEnvironmentSchema,
  baseUrl: HttpUrlSchema,
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  timeoutMs: TimeoutMsSchema,
});
export type FondoConfig = z.output<typeof FondoConfigSchema>;

// Blank variables count as unset.
const optionalVariable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

/** The environment variables, by name, so every issue's path is the variable at fault. */
const FondoEnvSchema = z
  .object({
    FONDO_ENV: optionalVariable(FondoEnvironmentSchema),
    FONDO_BASE_URL: optionalVariable(HttpUrlSchema),
    FONDO_CLIENT_ID: optionalVariable(z.string().trim().min(1)),
    FONDO_CLIENT_SECRET: optionalVariable(z.string().min(1)),
    FONDO_TIMEOUT_MS: optionalVariable(
      z
        .string()
        .regex(/^\d+$/, { error: 'must be a whole number of milliseconds' })
        .transform(Number)
        .pipe(TimeoutMsSchema)
    ),
  })
  .superRefine((vars, ctx) => {
    const env = vars.FONDO_ENV ?? 'local';
    if (env === 'local') return;
    for (const name of ['FONDO_CLIENT_ID', 'FONDO_CLIENT_SECRET'] as const) {
      if (vars[name] === undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: `is required when FONDO_ENV is ${env}` });
    }
  });

/** A configuration problem found at start-up; the message names every variable at fault. */
export class FondoConfigError extends Error {
  override name = 'FondoConfigError' as const;
}

/**
 * Reads and validates the Fondo configuration.
 *
 * @throws FondoConfigError naming each missing or invalid variable (secret and URL values are never shown).
 * @example
 * const client = new FondoClient(loadFondoConfig());
 */
export function loadFondoConfig(env: NodeJS.ProcessEnv = process.env): FondoConfig {
  const parsed = FondoEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error, { pathStyle: 'dotted', separator: ' ' });
    throw new FondoConfigError(`Invalid Fondo configuration: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const fondoEnv = vars.FONDO_ENV ?? 'local';
  const localDefaults = fondoEnv === 'local' ? LOCAL_SANDBOX_CREDENTIALS : undefined;
  return FondoConfigSchema.parse({
    env: fondoEnv,
    baseUrl: vars.FONDO_BASE_URL ?? FONDO_BASE_URLS[fondoEnv],
    clientId: vars.FONDO_CLIENT_ID ?? localDefaults?.clientId,
    clientSecret: vars.FONDO_CLIENT_SECRET ?? localDefaults?.clientSecret,
    timeoutMs: vars.FONDO_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS,
  });
}
