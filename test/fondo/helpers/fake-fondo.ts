/**
 * A small Fondo-shaped HTTP server for client tests: a real loopback server (test/helpers/http-server.ts) with
 * a token endpoint that issues and tracks bearer tokens, and per-route handlers. Every API request must carry
 * a token the server issued and has not revoked, else it answers 401 like Fondo.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { sendJson, startHttpServer } from '../../helpers/http-server';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type RouteHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeFondo {
  url: string;
  /** API requests (not token requests), in order. */
  requests: RecordedRequest[];
  /** Token requests, in order. */
  tokenRequests: RecordedRequest[];
  /** Tokens issued, in order. */
  issued: string[];
  /** Lifetime (`expires_in`, seconds) of the next tokens. */
  expiresIn: number;
  /** Delay before the token endpoint answers. */
  tokenDelayMs: number;
  /** Replaces the token endpoint's answer. */
  tokenHandler?: RouteHandler;
  /** Makes Fondo reject a token from now on (the next call with it gets 401). */
  revoke(token: string): void;
  /** Answers `METHOD /path` (exact path, without query). */
  route(method: string, path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

export const TOKEN_PATH = '/v2/partner/auth/token';

/** Starts a fake Fondo; `prefix` puts the API under a path prefix (e.g. `/fondo`). */
export async function startFakeFondo(prefix = ''): Promise<FakeFondo> {
  const routes = new Map<string, RouteHandler>();
  const valid = new Set<string>();
  let counter = 0;
  const fake: FakeFondo = {
    url: '',
    requests: [],
    tokenRequests: [],
    issued: [],
    expiresIn: 3600,
    tokenDelayMs: 0,
    revoke: (token) => valid.delete(token),
    route: (method, path, handler) => routes.set(`${method} ${prefix}${path}`, handler),
    close: () => server.close(),
  };
  const server = await startHttpServer(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    if (url.pathname === `${prefix}${TOKEN_PATH}`) {
      fake.tokenRequests.push(recorded);
      if (fake.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.tokenDelayMs));
      if (fake.tokenHandler !== undefined) return fake.tokenHandler(recorded, res);
      counter += 1;
      const token = `token-${counter}`;
      valid.add(token);
      fake.issued.push(token);
      return sendJson(res, 200, { access_token: token, expires_in: fake.expiresIn });
    }
    fake.requests.push(recorded);
    const handler = routes.get(`${recorded.method} ${url.pathname}`);
    if (handler === undefined) return sendJson(res, 404, { error: 'not_found', error_description: 'no such route' });
    if (url.pathname !== `${prefix}/ping`) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !valid.has(token)) {
        return sendJson(res, 401, { error: 'unauthorized', error_description: 'invalid token' });
      }
    }
    return handler(recorded, res);
  });
  fake.url = `${server.url}${prefix}`;
  return fake;
}

/** Sends a raw JSON text body (numbers written exactly as given). */
export function sendRawJson(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Standard client options for a fake server. */
export function clientOptions(url: string, overrides: { clientId?: string; timeoutMs?: number } = {}) {
  return {
    baseUrl: url,
    clientId: overrides.clientId ?? 'partner-1',
    clientSecret: 'TOP-SECRET-value-42',
    timeoutMs: overrides.timeoutMs ?? 2000,
  };
}

/** The secret `clientOptions` uses, to assert it never leaks. */
export const TEST_SECRET = 'TOP-SECRET-value-42';
