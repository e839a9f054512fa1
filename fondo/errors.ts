/**
 * Fondo failures: one error class with a stable `kind`, and the pure classifier that picks it.
 *
 * Retry policy (Temporal does the retrying; the client never retries except one token refresh on 401):
 * - retryable: 408 and timeouts, 429, 5xx, network failures (honouring `Retry-After`);
 * - non-retryable: 400, 401 (after the one refresh), 403, 404, 409, 422, other 4xx, responses that are not
 *   JSON or fail schema validation, requests rejected locally, and the caller's own abort.
 *
 * Error messages name the method, the route (the path with its ids masked, never the query string), the status
 * and Fondo's error code; they never contain an id of a client, account or order, the client secret, a token, a
 * request body or query values such as `ssn`. The unmasked path stays on the error (`path`) for code to read.
 */

/** Stable failure kinds; safe to use as Temporal `ApplicationFailure` types. */
export const FONDO_ERROR_KINDS = [
  'bad-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'unprocessable',
  'rate-limited',
  'server-error',
  'timeout',
  'network',
  'aborted',
  'invalid-response',
  'malformed-response',
  'client-error',
  'invalid-request',
] as const;
export type FondoErrorKind = (typeof FONDO_ERROR_KINDS)[number];

/** What went wrong below HTTP, when there is no usable response. */
export type FailureCause = 'timeout' | 'network' | 'abort' | 'parse' | 'schema' | 'local-validation';

/** Everything the classifier looks at; no I/O handles, so classification is pure. */
export interface FailureInput {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Response headers (only `Retry-After` is read). */
  headers?: Headers | Readonly<Record<string, string | undefined>>;
  /** Parsed response body (Fondo's `{ error, error_description }`, or our sandbox's 409 body). */
  body?: unknown;
  /** A failure with no usable response, or a 2xx response we could not use. Takes precedence over `status`. */
  cause?: FailureCause;
  /** Clock reading (ms since epoch) for an HTTP-date `Retry-After`; defaults to `Date.now()`. */
  now?: number;
}

/** The classifier's verdict. */
export interface FailureClassification {
  kind: FondoErrorKind;
  retryable: boolean;
  /** Server-requested delay before the next attempt (from `Retry-After`). */
  retryAfterMs?: number;
}

const CAUSE_KINDS: Record<FailureCause, FondoErrorKind> = {
  timeout: 'timeout',
  network: 'network',
  abort: 'aborted',
  parse: 'malformed-response',
  schema: 'invalid-response',
  'local-validation': 'invalid-request',
};

const STATUS_KINDS: Readonly<Record<number, FondoErrorKind>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  408: 'timeout',
  409: 'conflict',
  422: 'unprocessable',
  429: 'rate-limited',
};

const RETRYABLE_KINDS: ReadonlySet<FondoErrorKind> = new Set(['timeout', 'network', 'rate-limited', 'server-error']);

/**
 * Maps a failed exchange to a stable kind and whether a later attempt may succeed. Pure: same input, same
 * verdict.
 *
 * @example
 * classifyFailure({ status: 503, headers: { 'retry-after': '2' } });
 * // → { kind: 'server-error', retryable: true, retryAfterMs: 2000 }
 */
export function classifyFailure(input: FailureInput): FailureClassification {
  const kind = kindOf(input);
  const retryable = RETRYABLE_KINDS.has(kind);
  if (!retryable || input.headers === undefined) return { kind, retryable };
  const retryAfterMs = parseRetryAfter(headerValue(input.headers, 'retry-after'), input.now ?? Date.now());
  return retryAfterMs === undefined ? { kind, retryable } : { kind, retryable, retryAfterMs };
}

function kindOf({ status, cause }: FailureInput): FondoErrorKind {
  if (cause !== undefined) return CAUSE_KINDS[cause];
  if (status === undefined) return 'network';
  const known = STATUS_KINDS[status];
  if (known !== undefined) return known;
  if (status >= 500 && status <= 599) return 'server-error';
  if (status >= 400 && status <= 499) return 'client-error';
  // 1xx/2xx/3xx reaching the classifier: the exchange did not produce a usable answer.
  return 'invalid-response';
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (`"120"`) or an HTTP-date. Past dates give 0;
 * anything unparseable gives undefined.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names its day or month ("Wed, 21 Oct 2015 07:28:00 GMT"); bare numbers like "-1" are not dates.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function headerValue(headers: NonNullable<FailureInput['headers']>, name: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function isHeaders(value: unknown): value is Headers {
  return typeof (value as Headers | undefined)?.get === 'function';
}

/** Fondo's documented error body, read defensively (any field may be missing or mistyped). */
export interface FondoErrorBody {
  error?: string;
  description?: string;
  conflict?: { existingId: string; existingType?: string };
}

const MAX_DESCRIPTION_LENGTH = 300;

/** Extracts `error`, `error_description` and (our sandbox's 409) `existingId` / `existingType` from a body. */
export function readErrorBody(body: unknown): FondoErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const value = record[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const result: FondoErrorBody = {};
  const error = text('error');
  const description = text('error_description');
  const existingId = text('existingId');
  const existingType = text('existingType');
  if (error !== undefined) result.error = error;
  if (description !== undefined) result.description = description.slice(0, MAX_DESCRIPTION_LENGTH);
  if (existingId !== undefined) {
    result.conflict = existingType === undefined ? { existingId } : { existingId, existingType };
  }
  return result;
}

/** Everything a {@link FondoError} carries besides its message. */
export interface FondoErrorDetails extends FailureClassification, FondoErrorBody, CallContext {
  status?: number;
  /** Schema or request-validation problems as `field.path: message`. */
  issues?: readonly string[];
  /** What happened, when there is no status (e.g. `timed out after 10000 ms`). */
  detail?: string;
}

/** A failed Fondo call. `kind` and `retryable` are the contract; the message is for people. */
export class FondoError extends Error {
  override name = 'FondoError' as const;
  readonly kind: FondoErrorKind;
  readonly retryable: boolean;
  readonly method: string;
  /** The request path (ids included); for code, not for logs. */
  readonly path: string;
  /** The path with its ids masked (`/v2/partner/client/:id/order/:id`): safe to log. */
  readonly route: string;
  readonly status?: number;
  /** Fondo's `error` code, e.g. `invalid_request`. */
  readonly fondoError?: string;
  /** Fondo's `error_description` (truncated). */
  readonly description?: string;
  readonly retryAfterMs?: number;
  /** On 409: the object that already holds the `clientRef`. */
  readonly conflict?: { existingId: string; existingType?: string };
  readonly issues?: readonly string[];

  constructor(details: FondoErrorDetails) {
    super(formatMessage(details));
    this.kind = details.kind;
    this.retryable = details.retryable;
    this.method = details.method;
    this.path = details.path;
    this.route = maskPath(details.path);
    if (details.status !== undefined) this.status = details.status;
    if (details.error !== undefined) this.fondoError = details.error;
    if (details.description !== undefined) this.description = details.description;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.conflict !== undefined) this.conflict = details.conflict;
    if (details.issues !== undefined) this.issues = details.issues;
  }
}

function formatMessage(d: FondoErrorDetails): string {
  const parts = [`Fondo ${d.method} ${maskPath(d.path)} failed: ${d.kind}`];
  if (d.status !== undefined) parts.push(`(HTTP ${d.status})`);
  if (d.error !== undefined) parts.push(d.description === undefined ? d.error : `${d.error}: ${d.description}`);
  if (d.detail !== undefined) parts.push(d.detail);
  if (d.issues !== undefined && d.issues.length > 0) parts.push(d.issues.join('; '));
  return parts.join(' ');
}

/** The fixed words of Fondo's paths; every other segment is an id (or something we do not know) and is masked. */
const PATH_WORDS: ReadonlySet<string> = new Set([
  'v2',
  'partner',
  'auth',
  'token',
  'client',
  'account',
  'kycstatus',
  'instrument',
  'allocationplan',
  'instruction',
  'payment',
  'order',
  'withdrawal',
  'transaction',
  'cash',
  'fund',
  'subscribe',
  'ping',
  '(pagination)',
]);

/**
 * A path with every segment that is not one of Fondo's fixed words replaced by `:id`, so a log line names the
 * call without naming a client, account, order or instrument.
 *
 * @example
 * maskPath('/v2/partner/client/c0ffee/order/o-1'); // → '/v2/partner/client/:id/order/:id'
 */
export function maskPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '' || PATH_WORDS.has(segment) ? segment : ':id'))
    .join('/');
}

/** The call a failure belongs to. */
export interface CallContext {
  method: string;
  /** Request path without the query string. */
  path: string;
}

/** What a failed exchange looked like, for {@link createFondoError}. */
export interface FailureReport extends FailureInput {
  /** What happened, when there is no status (e.g. `network failure (ECONNREFUSED)`). */
  detail?: string;
  /** Schema or request-validation problems as `field.path: message`. */
  issues?: readonly string[];
}

/** Classifies a failed call and builds its FondoError, with Fondo's error code and description from the body. */
export function createFondoError(context: CallContext, report: FailureReport): FondoError {
  const { status, detail, issues } = report;
  return new FondoError({
    ...classifyFailure(report),
    ...readErrorBody(report.body),
    method: context.method,
    path: context.path,
    ...(status === undefined ? {} : { status }),
    ...(detail === undefined ? {} : { detail }),
    ...(issues === undefined ? {} : { issues }),
  });
}

/** True for a {@link FondoError}, also one from another realm or module copy (checks `name` as a fallback). */
export function isFondoError(error: unknown): error is FondoError {
  return error instanceof FondoError || (error as { name?: unknown } | null)?.name === 'FondoError';
}
