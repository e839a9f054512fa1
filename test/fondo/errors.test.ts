import { runInNewContext } from 'node:vm';
import {
  classifyFailure,
  createFondoError,
  FondoError,
  isFondoError,
  maskPath,
  parseRetryAfter,
  readErrorBody,
  type FailureInput,
  type FondoErrorKind,
} from '../../fondo/errors';

const NOW = Date.parse('2025-03-03T12:00:00.000Z');

describe('classifyFailure truth table', () => {
  // Every status the docs list (400, 401, 403, 500, 503), the undocumented ones we must expect
  // (404, 408, 409, 422, 429, other 4xx/5xx), and failures without a usable response.
  const rows: [string, FailureInput, FondoErrorKind, boolean][] = [
    ['400 invalid_request', { status: 400, body: { error: 'invalid_request' } }, 'bad-request', false],
    [
      '401 unauthorized (after the one refresh)',
      { status: 401, body: { error: 'unauthorized' } },
      'unauthorized',
      false,
    ],
    ['403 forbidden', { status: 403, body: { error: 'forbidden' } }, 'forbidden', false],
    ['404', { status: 404 }, 'not-found', false],
    ['408 request timeout', { status: 408 }, 'timeout', true],
    ['409 conflict', { status: 409 }, 'conflict', false],
    ['410 gone (other 4xx)', { status: 410 }, 'client-error', false],
    ['413 (other 4xx)', { status: 413 }, 'client-error', false],
    ['422', { status: 422 }, 'unprocessable', false],
    ['429', { status: 429 }, 'rate-limited', true],
    ['500 server_error', { status: 500, body: { error: 'server_error' } }, 'server-error', true],
    ['502', { status: 502 }, 'server-error', true],
    ['503 service_unavailable', { status: 503, body: { error: 'service_unavailable' } }, 'server-error', true],
    ['504', { status: 504 }, 'server-error', true],
    ['ky timeout', { cause: 'timeout' }, 'timeout', true],
    ['network failure', { cause: 'network' }, 'network', true],
    ['no status, no cause', {}, 'network', true],
    ["the caller's abort", { cause: 'abort' }, 'aborted', false],
    ['2xx body not JSON', { status: 200, cause: 'parse' }, 'malformed-response', false],
    ['2xx body fails schema', { status: 200, cause: 'schema' }, 'invalid-response', false],
    ['input rejected locally', { cause: 'local-validation' }, 'invalid-request', false],
    ['unexpected 3xx', { status: 302 }, 'invalid-response', false],
  ];

  it.each(rows)('%s → %s', (_name, input, kind, retryable) => {
    expect(classifyFailure({ ...input, now: NOW })).toEqual({ kind, retryable });
  });

  it('lets the cause win over a status (abort while reading a 200 body)', () => {
    expect(classifyFailure({ status: 200, cause: 'abort' })).toEqual({ kind: 'aborted', retryable: false });
  });
});

describe('Retry-After', () => {
  it.each([
    [429, { 'Retry-After': '3' }, 3000],
    [503, { 'retry-after': '0' }, 0],
    [500, { 'retry-after': 'Mon, 03 Mar 2025 12:00:05 GMT' }, 5000],
    [429, new Headers({ 'retry-after': '7' }), 7000],
  ] as const)('status %s with %j → %s ms', (status, headers, retryAfterMs) => {
    expect(classifyFailure({ status, headers, now: NOW })).toMatchObject({ retryable: true, retryAfterMs });
  });

  it('is ignored on non-retryable statuses and when unparseable', () => {
    expect(classifyFailure({ status: 400, headers: { 'retry-after': '3' }, now: NOW })).toEqual({
      kind: 'bad-request',
      retryable: false,
    });
    expect(classifyFailure({ status: 503, headers: { 'retry-after': 'soon' }, now: NOW })).toEqual({
      kind: 'server-error',
      retryable: true,
    });
  });

  it('parses delta-seconds and HTTP-dates; a past date means now', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 2 ', NOW)).toBe(2000);
    expect(parseRetryAfter('Mon, 03 Mar 2025 11:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('readErrorBody', () => {
  it('reads Fondo error fields and the sandbox conflict fields, tolerating junk', () => {
    expect(readErrorBody({ error: 'invalid_request', error_description: 'amount too small' })).toEqual({
      error: 'invalid_request',
      description: 'amount too small',
    });
    expect(readErrorBody({ error: 'conflict', existingId: 'o-1', existingType: 'order' })).toEqual({
      error: 'conflict',
      conflict: { existingId: 'o-1', existingType: 'order' },
    });
    expect(readErrorBody({ error: 42, error_description: null })).toEqual({});
    expect(readErrorBody('<html>')).toEqual({});
    expect(readErrorBody(undefined)).toEqual({});
  });

  it('truncates a long description', () => {
    expect(readErrorBody({ error: 'x', error_description: 'y'.repeat(1000) }).description).toHaveLength(300);
  });
});

describe('FondoError', () => {
  it('names method, path, kind, status and the Fondo error code in its message', () => {
    const error = createFondoError(
      { method: 'POST', path: '/v2/partner/client/c1/order' },
      { status: 409, body: { error: 'conflict', error_description: 'clientRef in use', existingId: 'o-9' } }
    );
    expect(error.message).toBe(
      'Fondo POST /v2/partner/client/:id/order failed: conflict (HTTP 409) conflict: clientRef in use'
    );
    expect(error).toMatchObject({
      name: 'FondoError',
      kind: 'conflict',
      retryable: false,
      status: 409,
      fondoError: 'conflict',
      description: 'clientRef in use',
      conflict: { existingId: 'o-9' },
      method: 'POST',
      path: '/v2/partner/client/c1/order',
      route: '/v2/partner/client/:id/order',
    });
  });

  it('carries retryAfterMs and schema issues', () => {
    const limited = createFondoError({ method: 'GET', path: '/p' }, { status: 429, headers: { 'retry-after': '4' } });
    expect(limited.retryAfterMs).toBe(4000);
    const invalid = createFondoError(
      { method: 'GET', path: '/p' },
      { status: 200, cause: 'schema', issues: ['0.amount: x'] }
    );
    expect(invalid.issues).toEqual(['0.amount: x']);
    expect(invalid.message).toBe('Fondo GET /:id failed: invalid-response (HTTP 200) 0.amount: x');
  });

  it('is recognised by isFondoError across realms and not confused with other errors', () => {
    const foreign: unknown = runInNewContext(
      'const e = new Error("from elsewhere"); e.name = "FondoError"; e.kind = "timeout"; e'
    );
    expect(foreign instanceof FondoError).toBe(false);
    expect(isFondoError(foreign)).toBe(true);
    expect(isFondoError(createFondoError({ method: 'GET', path: '/p' }, { cause: 'network' }))).toBe(true);
    expect(isFondoError(new Error('x'))).toBe(false);
    expect(isFondoError(null)).toBe(false);
    expect(isFondoError('FondoError')).toBe(false);
  });
});

describe('maskPath', () => {
  it.each([
    ['/v2/partner/client/c0ffee/order/o-1', '/v2/partner/client/:id/order/:id'],
    ['/v2/partner/client/c1/account/a1/transaction/cash', '/v2/partner/client/:id/account/:id/transaction/cash'],
    ['/v2/partner/client/c1/kycstatus/account/198003141002', '/v2/partner/client/:id/kycstatus/account/:id'],
    ['/v2/partner/instrument/SE0007100128SEK', '/v2/partner/instrument/:id'],
    ['/v2/partner/auth/token', '/v2/partner/auth/token'],
    ['/ping', '/ping'],
  ])('%s → %s', (path, masked) => {
    expect(maskPath(path)).toBe(masked);
  });
});
