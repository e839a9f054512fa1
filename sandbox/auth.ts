import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SandboxHttpError } from './http-error';
import type { PartnerRecord } from './state';

/**
 * OAuth2 client credentials for the sandbox's one partner. Tokens are opaque UUIDs that expire in REAL time
 * (`expires_in` seconds; transport security is not business time). `expireAll` simulates expiry for tests.
 */
export class TokenIssuer {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly partner: () => PartnerRecord,
    private readonly ttlSeconds: number
  ) {}

  issue(form: unknown): { access_token: string; expires_in: number; state?: string } {
    const parsed = TokenRequestSchema.safeParse(form);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SandboxHttpError(
        400,
        'invalid_request',
        `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`
      );
    }
    const { client_id, client_secret, state } = parsed.data;
    const partner = this.partner();
    if (client_id !== partner.clientId || client_secret !== partner.clientSecret) {
      throw new SandboxHttpError(400, 'invalid_client', 'client authentication failed');
    }
    const token = randomUUID();
    this.tokens.set(token, Date.now() + this.ttlSeconds * 1000);
    return { access_token: token, expires_in: this.ttlSeconds, ...(state ? { state } : {}) };
  }

  /** Throws 401 unless `authorization` carries a live bearer token. */
  verify(authorization: string | undefined): void {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new SandboxHttpError(401, 'unauthorized', 'missing bearer token');
    const expiresAt = this.tokens.get(match[1]!);
    if (expiresAt === undefined) throw new SandboxHttpError(401, 'unauthorized', 'unknown token');
    if (Date.now() >= expiresAt) {
      this.tokens.delete(match[1]!);
      throw new SandboxHttpError(401, 'unauthorized', 'token expired');
    }
  }

  expireAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }
}

const TokenRequestSchema = z.object({
  grant_type: z.literal('client_credentials', { message: 'must be "client_credentials"' }),
  client_id: z.string({ message: 'is required' }).min(1),
  client_secret: z.string({ message: 'is required' }).min(1),
  scope: z.string().optional(),
  state: z.string().optional(),
});
