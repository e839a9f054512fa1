import type { z } from 'zod';

/**
 * An error answered as Fondo's error body `{ error, error_description }` (plus sandbox extension fields such as
 * `existingId` on a duplicate clientRef). Codes are documented in docs/SANDBOX.md.
 */
export class SandboxHttpError extends Error {
  override name = 'SandboxHttpError' as const;
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(description);
  }

  body(): Record<string, unknown> {
    return { error: this.code, error_description: this.message, ...this.extra };
  }
}

export const badRequest = (description: string): SandboxHttpError =>
  new SandboxHttpError(400, 'invalid_request', description);
export const notFound = (what: string): SandboxHttpError => new SandboxHttpError(404, 'not_found', `${what} not found`);
export const rejected = (code: string, description: string): SandboxHttpError =>
  new SandboxHttpError(422, code, description);

/** Parses a request part with zod; the first issue becomes a 400 naming the field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length
    ? issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : where;
  throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`);
}
