/**
 * Each failure class end to end against a real loopback server: what the server does → the FondoError the
 * caller gets.
 */
import { createServer } from 'node:net';
import { clearTokenCache, FondoClient } from '../../fondo';
import { sendJson } from '../helpers/http-server';
import { clientOptions, sendRawJson, startFakeFondo, TEST_SECRET, type FakeFondo } from './helpers/fake-fondo';
import { failureOf } from './helpers/failure-of';

const ORDER_PATH = '/v2/partner/client/c1/order/o1';
/** The same path as error messages show it: ids masked. */
const ORDER_ROUTE = '/v2/partner/client/:id/order/:id';
const ORDER = {
  id: 'o1',
  status: 'received',
  sortedId: '01J0000000000000000000000A',
  orderType: 'subscription',
  account: 'a1',
  instrument: 'SE0000810798SEK',
  amount: 100,
};

let fondo: FakeFondo;
let client: FondoClient;

beforeEach(async () => {
  clearTokenCache();
  fondo = await startFakeFondo();
  client = new FondoClient(clientOptions(fondo.url, { timeoutMs: 300 }));
});

afterEach(() => fondo.close());

describe('HTTP error statuses', () => {
  it.each([
    [400, 'invalid_request', 'bad-request', false],
    [403, 'forbidden', 'forbidden', false],
    [404, 'not_found', 'not-found', false],
    [422, 'unprocessable', 'unprocessable', false],
    [418, 'teapot', 'client-error', false],
    [500, 'server_error', 'server-error', true],
    [503, 'service_unavailable', 'server-error', true],
  ] as const)('%s %s → %s (retryable: %s)', async (status, code, kind, retryable) => {
    fondo.route('GET', ORDER_PATH, (_req, res) => sendJson(res, status, { error: code, error_description: 'details' }));

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({ kind, retryable, status, fondoError: code, description: 'details' });
    expect(error.message).toBe(`Fondo GET ${ORDER_ROUTE} failed: ${kind} (HTTP ${status}) ${code}: details`);
    expect(fondo.requests).toHaveLength(1); // never retried by the client
  });

  it('429 carries Retry-After as retryAfterMs', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) =>
      sendJson(res, 429, { error: 'rate_limited' }, { 'retry-after': '2' })
    );

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429, retryAfterMs: 2000 });
  });

  it('409 carries the object already holding the clientRef', async () => {
    fondo.route('POST', '/v2/partner/client/c1/order', (_req, res) =>
      sendJson(res, 409, {
        error: 'conflict',
        error_description: 'clientRef exists',
        existingId: 'o7',
        existingType: 'order',
      })
    );

    const error = await failureOf(
      client.createOrder('c1', {
        orderType: 'subscription',
        account: 'a1',
        instrument: 'i1',
        amount: '10',
        clientRef: 'r1',
      })
    );

    expect(error).toMatchObject({
      kind: 'conflict',
      retryable: false,
      conflict: { existingId: 'o7', existingType: 'order' },
    });
  });

  it('an error body that is not JSON still classifies by status', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({ kind: 'server-error', retryable: true, status: 502 });
    expect(error.fondoError).toBeUndefined();
  });
});

describe('failures without a usable response', () => {
  it('timeout: no response headers within timeoutMs', async () => {
    fondo.route('GET', ORDER_PATH, async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      sendJson(res, 200, ORDER);
    });

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toBe(`Fondo GET ${ORDER_ROUTE} failed: timeout no complete response within 300 ms`);
  });

  it('timeout: headers arrive but the body stalls', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"o1",');
    });

    await expect(failureOf(client.getOrder('c1', 'o1'))).resolves.toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('network: connection refused', async () => {
    const port = await closedPort();
    const offline = new FondoClient(clientOptions(`http://127.0.0.1:${port}`));

    const error = await failureOf(offline.ping());

    expect(error).toMatchObject({ kind: 'network', retryable: true, path: '/ping' });
    expect(error.message).toBe('Fondo GET /ping failed: network network failure (ECONNREFUSED)');
  });

  it('network: the server drops the connection', async () => {
    fondo.route('GET', ORDER_PATH, (req, res) => {
      res.socket?.destroy();
      void req;
    });

    await expect(failureOf(client.getOrder('c1', 'o1'))).resolves.toMatchObject({ kind: 'network', retryable: true });
  });

  it("aborted: the caller's signal cancels the request in flight", async () => {
    let started!: () => void;
    const requestStarted = new Promise<void>((resolve) => (started = resolve));
    fondo.route('GET', ORDER_PATH, async (_req, res) => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 250));
      sendJson(res, 200, ORDER);
    });
    const controller = new AbortController();
    const slowClient = new FondoClient(clientOptions(fondo.url, { timeoutMs: 5000 }));

    const pending = failureOf(slowClient.getOrder('c1', 'o1', { signal: controller.signal }));
    await requestStarted;
    controller.abort();

    await expect(pending).resolves.toMatchObject({ kind: 'aborted', retryable: false });
  });

  it('aborted: an already aborted signal sends nothing', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => sendJson(res, 200, ORDER));

    const error = await failureOf(client.getOrder('c1', 'o1', { signal: AbortSignal.abort() }));

    expect(error.kind).toBe('aborted');
    expect(fondo.requests).toHaveLength(0);
  });

  it('aborted: while waiting for a shared token request', async () => {
    fondo.tokenDelayMs = 300;
    const controller = new AbortController();
    const pending = failureOf(client.getOrder('c1', 'o1', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);

    await expect(pending).resolves.toMatchObject({ kind: 'aborted', path: ORDER_PATH });
  });
});

describe('successful status with an unusable body', () => {
  it('malformed-response: 200 with a body that is not JSON', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });

    await expect(failureOf(client.getOrder('c1', 'o1'))).resolves.toMatchObject({
      kind: 'malformed-response',
      retryable: false,
      status: 200,
    });
  });

  it('invalid-response: schema failure names the field path', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => sendRawJson(res, 200, JSON.stringify({ ...ORDER, amount: 'lots' })));

    const error = await failureOf(client.getOrder('c1', 'o1'));

    expect(error).toMatchObject({
      kind: 'invalid-response',
      retryable: false,
      issues: ['amount: expected a decimal number'],
    });
    expect(error.message).toBe(
      `Fondo GET ${ORDER_ROUTE} failed: invalid-response (HTTP 200) amount: expected a decimal number`
    );
  });

  it('invalid-response: nested field paths in lists', async () => {
    fondo.route('GET', '/v2/partner/client/c1/order', (_req, res) => sendJson(res, 200, [ORDER, { ...ORDER, id: '' }]));

    const error = await failureOf(client.listOrders('c1'));

    expect(error.issues).toEqual(['1.id: Too small: expected string to have >=1 characters']);
  });

  it('invalid-response: empty body where an object is required', async () => {
    fondo.route('GET', ORDER_PATH, (_req, res) => {
      res.statusCode = 200;
      res.end();
    });

    await expect(failureOf(client.getOrder('c1', 'o1'))).resolves.toMatchObject({ kind: 'invalid-response' });
  });
});

describe('what errors never contain', () => {
  it('no secret, token or query values (ssn) in any error message', async () => {
    fondo.route('GET', '/v2/partner/client/c1/account', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      sendJson(res, 200, []);
    });
    const timeout = await failureOf(client.listAccounts('c1', { ssn: '197001010003' }));
    fondo.route('GET', ORDER_PATH, (_req, res) => sendJson(res, 500, { error: 'server_error' }));
    const serverError = await failureOf(client.getOrder('c1', 'o1'));

    for (const error of [timeout, serverError]) {
      const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack });
      expect(everything).not.toContain(TEST_SECRET);
      expect(everything).not.toContain('197001010003');
      for (const token of fondo.issued) expect(everything).not.toContain(token);
    }
    expect(timeout.path).toBe('/v2/partner/client/c1/account');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
