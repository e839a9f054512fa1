import { clearTokenCache, FondoClient } from '../../fondo';
import { refreshMarginMs } from '../../fondo/auth';
import { sendJson } from '../helpers/http-server';
import { clientOptions, startFakeFondo, TEST_SECRET, type FakeFondo } from './helpers/fake-fondo';
import { failureOf } from './helpers/failure-of';

const KYC = '/v2/partner/client/c1/kycstatus/account/a1';

let fondo: FakeFondo;

beforeEach(async () => {
  clearTokenCache();
  fondo = await startFakeFondo();
  fondo.route('GET', KYC, (_req, res) => sendJson(res, 200, { order: true, withdrawal: false }));
});

afterEach(() => fondo.close());

describe('token request', () => {
  it('posts form-encoded client credentials with the documented field names', async () => {
    await new FondoClient(clientOptions(fondo.url)).getKycStatus('c1', 'a1');

    expect(fondo.tokenRequests).toHaveLength(1);
    const tokenRequest = fondo.tokenRequests[0]!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(tokenRequest.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'partner-1',
      client_secret: TEST_SECRET,
    });
    expect(fondo.requests[0]!.headers.authorization).toBe('Bearer token-1');
  });
});

describe('token cache', () => {
  it('shares one in-flight token request among 20 concurrent calls', async () => {
    fondo.tokenDelayMs = 100;
    const client = new FondoClient(clientOptions(fondo.url));

    const results = await Promise.all(Array.from({ length: 20 }, () => client.getKycStatus('c1', 'a1')));

    expect(results).toHaveLength(20);
    expect(fondo.tokenRequests).toHaveLength(1);
    expect(fondo.requests).toHaveLength(20);
    expect(new Set(fondo.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer token-1']));
  });

  it('is shared by clients with the same base URL and client id, and separate for another client id', async () => {
    await new FondoClient(clientOptions(fondo.url)).getKycStatus('c1', 'a1');
    await new FondoClient(clientOptions(fondo.url)).getKycStatus('c1', 'a1');
    expect(fondo.tokenRequests).toHaveLength(1);

    await new FondoClient(clientOptions(fondo.url, { clientId: 'partner-2' })).getKycStatus('c1', 'a1');
    expect(fondo.tokenRequests).toHaveLength(2);
  });

  it('refreshes the token before it expires', async () => {
    fondo.expiresIn = 1; // refreshed after half its lifetime (the margin is capped at 50%)
    const client = new FondoClient(clientOptions(fondo.url));

    await client.getKycStatus('c1', 'a1');
    await client.getKycStatus('c1', 'a1');
    expect(fondo.tokenRequests).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.getKycStatus('c1', 'a1');

    expect(fondo.tokenRequests).toHaveLength(2);
    expect(fondo.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('refreshes once on a 401 and repeats the request with the new token', async () => {
    const client = new FondoClient(clientOptions(fondo.url));
    await client.getKycStatus('c1', 'a1');
    fondo.revoke('token-1');

    await expect(client.getKycStatus('c1', 'a1')).resolves.toEqual({ order: true, withdrawal: false });

    expect(fondo.tokenRequests).toHaveLength(2);
    expect(fondo.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('fails with a non-retryable unauthorized error when the refreshed token is refused too', async () => {
    fondo.route('GET', '/v2/partner/client/c1/order/o1', (_req, res) =>
      sendJson(res, 401, { error: 'unauthorized', error_description: 'client revoked' })
    );
    const client = new FondoClient(clientOptions(fondo.url));

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, status: 401, fondoError: 'unauthorized' });
    expect(fondo.tokenRequests).toHaveLength(2);
    expect(fondo.requests).toHaveLength(2);
  });

  it('keeps a token fetched by another caller when a late 401 arrives for an older token', async () => {
    const client = new FondoClient(clientOptions(fondo.url));
    await client.getKycStatus('c1', 'a1');
    fondo.revoke('token-1');
    // Two callers both hold token-1 and both get a 401; only one new token may be fetched.
    await Promise.all([client.getKycStatus('c1', 'a1'), client.getKycStatus('c1', 'a1')]);

    expect(fondo.tokenRequests).toHaveLength(2);
  });

  it('computes the refresh margin as max(30 s, 10%) capped at half the lifetime', () => {
    expect(refreshMarginMs(432_000)).toBe(43_200_000);
    expect(refreshMarginMs(3600)).toBe(360_000);
    expect(refreshMarginMs(120)).toBe(30_000);
    expect(refreshMarginMs(40)).toBe(20_000);
  });
});

describe('token endpoint failures', () => {
  it('classifies a 500 from the token endpoint without putting the secret or a token in the message', async () => {
    fondo.tokenHandler = (_req, res) =>
      sendJson(res, 500, { error: 'server_error', error_description: 'token store unavailable' });
    const client = new FondoClient(clientOptions(fondo.url));

    const error = await failureOf(client.getKycStatus('c1', 'a1'));

    expect(error).toMatchObject({ kind: 'server-error', retryable: true, status: 500, path: '/v2/partner/auth/token' });
    expect(error.message).toBe(
      'Fondo POST /v2/partner/auth/token failed: server-error (HTTP 500) server_error: token store unavailable'
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(TEST_SECRET);
    expect(fondo.requests).toHaveLength(0);
  });

  it('treats a 400 from the token endpoint (bad credentials) as non-retryable and does not cache the failure', async () => {
    fondo.tokenHandler = (_req, res) =>
      sendJson(res, 400, { error: 'invalid_client', error_description: 'bad credentials' });
    const client = new FondoClient(clientOptions(fondo.url));

    const error = await failureOf(client.getKycStatus('c1', 'a1'));
    expect(error).toMatchObject({ kind: 'bad-request', retryable: false, fondoError: 'invalid_client' });
    expect(error.message).not.toContain(TEST_SECRET);

    fondo.tokenHandler = undefined;
    await expect(client.getKycStatus('c1', 'a1')).resolves.toEqual({ order: true, withdrawal: false });
    expect(fondo.tokenRequests).toHaveLength(2);
  });

  it('rejects a token response that fails its schema, naming the field', async () => {
    fondo.tokenHandler = (_req, res) => sendJson(res, 200, { access_token: 'x', expires_in: 'soon' });
    const error = await failureOf(new FondoClient(clientOptions(fondo.url)).getKycStatus('c1', 'a1'));

    expect(error).toMatchObject({ kind: 'invalid-response', retryable: false });
    expect(error.message).toContain('expires_in');
  });
});
