/**
 * The HTTP exchange with Fondo: one ky instance and one `request()` that every endpoint goes through.
 *
 * Rules:
 * - No retries here (`retry: 0`): Temporal retries activities. The only repeat is one token refresh after a
 *   401, because a stale token is ours to fix, not the caller's.
 * - Every failure becomes a {@link FondoError} via the pure classifier; ky never throws HTTP errors itself.
 * - The timeout covers the whole exchange: ky's `timeout` until the response headers, then the remaining budget
 *   for reading the body.
 * - The caller's AbortSignal cancels the request (and a wait for a token) and yields kind `aborted`.
 * - Bodies are read and written with lossless JSON; responses are validated by the endpoint's zod schema.
 */
import ky, { isTimeoutError, type KyInstance } from 'ky';
import type { z } from 'zod';
import { untilAborted } from './abort';
import { getAccessToken, invalidateAccessToken, tokenCacheKey } from './auth';
import { createFondoError, type CallContext } from './errors';
import { describeIssues, TokenResponseSchema, type TokenResponse } from './schemas';
import { parseJson, stringifyJson } from './wire';

/** Where and as whom to talk to Fondo. */
export interface FondoHttpOptions {
  /** API base URL, optionally with a path prefix (e.g. `https://api.fondo.se`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Query values; `undefined` entries are left out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

/** One API call. */
export interface RequestSpec<S extends z.ZodType> {
  method: HttpMethod;
  /** Path below the base URL with ids already encoded, e.g. `/v2/partner/client/c1/order`. */
  path: string;
  query?: QueryParams;
  /** JSON body; use `wireNumber()` for amounts and units so they are written exactly. */
  body?: unknown;
  /** Schema of a successful response body. */
  schema: S;
  signal?: AbortSignal;
}

/** A request whose success may come without a body (create endpoints answering 204). */
export interface RequestSpecAllowingEmpty<S extends z.ZodType> extends RequestSpec<S> {
  allowEmpty: true;
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Path of the token endpoint. */
export const TOKEN_PATH = '/v2/partner/auth/token';

/** The Fondo HTTP transport, holding credentials privately (they never appear in logs of this object). */
export class FondoHttp {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #tokenKey: string;
  readonly #ky: KyInstance;

  constructor(options: FondoHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#tokenKey = tokenCacheKey(this.baseUrl, options.clientId);
    this.#ky = ky.create({ retry: 0, throwHttpErrors: false, timeout: options.timeoutMs });
  }

  /**
   * Performs an authenticated call and returns the validated body.
   *
   * @throws FondoError for every failure, classified by {@link classifyFailure}.
   */
  async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>>;
  async request<S extends z.ZodType>(spec: RequestSpecAllowingEmpty<S>): Promise<z.output<S> | undefined>;
  async request<S extends z.ZodType>(
    spec: RequestSpec<S> | RequestSpecAllowingEmpty<S>
  ): Promise<z.output<S> | undefined> {
    const context: CallContext = { method: spec.method, path: spec.path };
    let token = await this.accessToken(spec.signal, context);
    let response = await this.#exchange(context, { ...spec, token });
    if (response.status === 401) {
      this.invalidateToken(token);
      token = await this.accessToken(spec.signal, context);
      response = await this.#exchange(context, { ...spec, token });
    }
    return interpret(context, response, spec.schema, 'allowEmpty' in spec && spec.allowEmpty);
  }

  /** An unauthenticated call (`/ping`). */
  async requestPublic<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    const context: CallContext = { method: spec.method, path: spec.path };
    return interpret(context, await this.#exchange(context, spec), spec.schema, false);
  }

  /**
   * A valid access token from the shared cache; waiting for it stops when `signal` aborts (the shared token
   * request itself continues for the other callers).
   */
  async accessToken(
    signal?: AbortSignal,
    context: CallContext = { method: 'POST', path: TOKEN_PATH }
  ): Promise<string> {
    if (signal?.aborted === true) throw createFondoError(context, { cause: 'abort' });
    const pending = getAccessToken(this.#tokenKey, () => this.#fetchToken());
    if (signal === undefined) return pending;
    return untilAborted(pending, signal, () => createFondoError(context, { cause: 'abort' }));
  }

  /** Forgets `token` if it is still the cached one (after Fondo rejected it with 401). */
  invalidateToken(token: string): void {
    invalidateAccessToken(this.#tokenKey, token);
  }

  async #fetchToken(): Promise<TokenResponse> {
    const context: CallContext = { method: 'POST', path: TOKEN_PATH };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#clientId,
      client_secret: this.#clientSecret,
    });
    return interpret(context, await this.#exchange(context, { form }), TokenResponseSchema, false);
  }

  async #exchange(
    context: CallContext,
    options: { query?: QueryParams; body?: unknown; form?: URLSearchParams; token?: string; signal?: AbortSignal }
  ): Promise<RawResponse> {
    const { signal } = options;
    if (signal?.aborted) throw createFondoError(context, { cause: 'abort' });
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | URLSearchParams | undefined;
    if (options.form !== undefined) {
      body = options.form;
    } else if (options.body !== undefined) {
      body = stringifyJson(options.body);
      headers['content-type'] = 'application/json';
    }

    // ky's timeout ends at the response headers; this controller enforces the rest of the budget on the body.
    const deadline = Date.now() + this.timeoutMs;
    const bodyDeadline = new AbortController();
    const combined = signal === undefined ? bodyDeadline.signal : AbortSignal.any([signal, bodyDeadline.signal]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await this.#ky(this.#url(context.path, options.query), {
        method: context.method,
        headers,
        body,
        signal: combined,
      });
      timer = setTimeout(() => bodyDeadline.abort(), Math.max(0, deadline - Date.now()));
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (signal?.aborted) throw createFondoError(context, { cause: 'abort' });
      if (bodyDeadline.signal.aborted || isTimeoutError(error)) {
        throw createFondoError(context, {
          cause: 'timeout',
          detail: `no complete response within ${this.timeoutMs} ms`,
        });
      }
      throw createFondoError(context, { cause: 'network', detail: networkDetail(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  #url(path: string, query: QueryParams | undefined): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.append(name, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }
}

/**
 * Turns a raw response into the validated body (undefined for an allowed empty success), or throws the
 * classified FondoError.
 */
function interpret<S extends z.ZodType>(
  context: CallContext,
  response: RawResponse,
  schema: S,
  allowEmpty: false
): z.output<S>;
function interpret<S extends z.ZodType>(
  context: CallContext,
  response: RawResponse,
  schema: S,
  allowEmpty: boolean
): z.output<S> | undefined;
function interpret<S extends z.ZodType>(
  context: CallContext,
  response: RawResponse,
  schema: S,
  allowEmpty: boolean
): z.output<S> | undefined {
  const { status, headers, text } = response;
  if (status < 200 || status > 299) {
    throw createFondoError(context, { status, headers, body: parseErrorBody(text) });
  }
  if (text.trim() === '') {
    if (allowEmpty) return undefined;
    throw createFondoError(context, { status, cause: 'schema', detail: 'empty response body' });
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    throw createFondoError(context, { status, cause: 'parse', detail: 'response body is not JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw createFondoError(context, { status, cause: 'schema', issues: describeIssues(parsed.error) });
  }
  return parsed.data;
}

function parseErrorBody(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

/** A network failure's system error code (e.g. `ECONNREFUSED`), never its full text (it may hold the URL). */
export function networkDetail(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `network failure (${code})` : 'network failure';
}
